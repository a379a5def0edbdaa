"""The large functions the step loop calls through function pointers, not inlined.

numba links the LLVM IR of every jitted function a kernel calls into the kernel's module
and optimises the whole module again: compiling the step loop (`assemble`) re-optimised
the RKF45 integrator, the Poisson draw and the family updates it calls, which made it the
largest part of a cold start. Called through a pointer (a numba first-class function:
`FunctionPointer`, an argument ``fns`` of the drivers), a callee is compiled and cached on
its own, once, and the step loop's module holds only a call. The cost at run time is one
indirect call per group of cells and step.

The callees' signatures are fixed here (`UPDATE_SIG`, `POISSON_SIG`): C-contiguous arrays,
as the backend allocates them. `Bound` wraps a compiled driver so that callers pass the
same arguments as before; it appends the pointers.
"""
from __future__ import annotations

import warnings
from typing import Any

from numba import types
from numba.core.errors import NumbaExperimentalFeatureWarning
# registers numba's typing of first-class functions (without it, a tuple of
# `FunctionPointer`s is typed as a Python object)
from numba.experimental.function_type import _get_wrapper_address


__all__ = ["UPDATE_SIG", "POISSON_SIG", "FunctionPointer", "Bound", "pointers"]

# first-class functions are "experimental" in numba; the step loop uses them only with the
# fixed signatures below (tested): numba's warning, given while it types a driver, would
# only confuse. Filtered once, by its exact text, when the engine is imported (not per
# call: `warnings.catch_warnings` per driver call cost microseconds and is not thread-safe)
warnings.filterwarnings("ignore", message="First-class function type feature is experimental",
                        category=NumbaExperimentalFeatureWarning)

_I8, _F8 = types.int64, types.float64
_F8_1, _F8_2 = types.Array(_F8, 1, "C"), types.Array(_F8, 2, "C")
_I8_1 = types.Array(_I8, 1, "C")

#: a family update (see `families`): kind, i0, i1, n, N, L, dt, state, param, refr, ring,
#: iinj, spiked, nspk, work -> nspk
UPDATE_SIG = _I8(_I8, _I8, _I8, _I8, _I8, _I8, _F8, _F8_2, _F8_2, _I8_1, _F8_2, _F8_1,
                 _I8_1, _I8, _F8_2)
#: a Poisson draw (see `poisson`): n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta
#: -> nev
POISSON_SIG = _I8(_I8, _I8, _I8, _F8_2, _F8_2, _I8_1, _I8_1, _I8, _F8_1, _F8_1)


class FunctionPointer(types.WrapperAddressProtocol):
    """A jitted function as a numba first-class function of the signature named
    `sig_name` (a name in this module): compiled, or loaded from numba's cache (where the
    `background` helper may have put it), when its address is first asked for."""

    def __init__(self, dispatcher: Any, sig_name: str) -> None:
        self.dispatcher = dispatcher
        self.sig_name = sig_name
        self.sig = globals()[sig_name]
        self._addr = 0

    def __wrapper_address__(self) -> int:
        if not self._addr:
            from lamina.backends.engine import background
            background.wait(self.dispatcher, self.sig_name)
            # compiles with the full signature: numba casts the result to its return type
            self._addr = _get_wrapper_address(self.dispatcher, self.sig)
        return self._addr

    def signature(self) -> Any:
        return self.sig


def pointers(callees: tuple[tuple[Any, str], ...]) -> tuple[FunctionPointer, ...]:
    """`FunctionPointer` of each ``(dispatcher, signature name)`` of `callees`."""
    return tuple(FunctionPointer(d, name) for d, name in callees)


class Bound:
    """A compiled driver of the step loop whose last argument, the tuple of callee
    pointers ``fns``, is appended to every call; other attributes are the dispatcher's."""

    def __init__(self, dispatcher: Any, fns: tuple[FunctionPointer, ...]) -> None:
        self.dispatcher = dispatcher
        self.fns = fns

    def __call__(self, *args: Any) -> Any:
        return self.dispatcher(*args, self.fns)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dispatcher, name)


class Drivers:
    """The drivers of a generated step-loop `module` (``run_windows``,
    ``run_windows_par``, ``run_windows_persistent``, ``run_steps``), bound to pointers to
    its ``CALLEES``."""

    DRIVERS = ("run_windows", "run_windows_par", "run_windows_persistent", "run_steps")

    def __init__(self, module: Any) -> None:
        self.module = module
        self.fns = pointers(module.CALLEES)
        for name in self.DRIVERS:
            setattr(self, name, Bound(getattr(module, name), self.fns))
