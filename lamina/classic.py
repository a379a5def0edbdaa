"""The classic PyNN 0.4-0.7 API, as deprecated aliases of the current one.

Every name here works as it did in PyNN 0.7 and emits a `DeprecationWarning` that names
the modern form. Rules where old and new meanings collide:

* ``p[i, j]``: for a Population created with tuple dimensions (``Population((10, 10),
  ...)``) a tuple of one integer per dimension is a grid address and returns an `ID`;
  for any other population (or a tuple of a different length) it selects cells, as in
  PyNN >= 0.7, and returns a PopulationView.
* ``p.record()`` with no argument, an integer `n`, or a list of IDs records spikes (of
  all cells, of `n` random cells, of those cells); a string or list of strings is the
  modern form.
* ``v_init`` is the initial value of ``v``: as a cell parameter (``IF_curr_exp(v_init=...)``,
  ``cellparams``), in ``set``/``get`` and as an ID attribute.
* Delays drawn by a connector's classic ``delays=`` argument below the minimum delay or
  above max_delay are clipped to that range, with a warning naming how many and the
  extreme value (PyNN 0.7 behaviour); everywhere else out-of-range delays are errors.
"""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

#: default of ``record()``: in PyNN 0.7, record spikes of all cells
SPIKES_OF_ALL = object()

from lamina.models.base import INITIAL_VALUE_ALIASES  # noqa: E402,F401  (re-exported)


def warn(old: str, new: str, stacklevel: int = 3) -> None:
    """Emit the DeprecationWarning for a classic construct."""
    warnings.warn(f"{old} is deprecated; use {new} instead", DeprecationWarning,
                  stacklevel=stacklevel)


def deprecated(new: str) -> Callable:
    """Decorator: the function is a deprecated alias of `new`."""
    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            warn(f"{fn.__name__}()", new, stacklevel=3)
            return fn(*args, **kwargs)
        inner.__doc__ = f"Deprecated. Use {new} instead."
        return inner
    return wrap


# -- Population --------------------------------------------------------------------------
class GridAddressStructure:
    """Default layout of a population with tuple dimensions: each cell at its grid
    address (i, j[, k]), as PyNN 0.7 placed them."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        self.dims = dims

    def generate_positions(self, n: int) -> np.ndarray:
        coords = np.indices(self.dims).reshape(len(self.dims), -1).astype(float)
        return np.vstack([coords, np.zeros((3 - len(self.dims), n))])[:3]

    def describe(self) -> str:
        return f"grid of dimensions {self.dims}"


def population_arguments(size: Any, cellclass: Any, structure: Any, label: Any,
                         old: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any]:
    """Map PyNN 0.7 constructor arguments (``dims=``, ``cellclass=`` keyword, a label as
    the fourth positional argument) onto the current ones."""
    cellparams = old.pop("cellparams", None)
    if "dims" in old:
        warn("Population(dims=...)", "Population(size, ...)", stacklevel=4)
        size = old.pop("dims")
    if old:
        from lamina.errors import InvalidParameterValueError
        raise InvalidParameterValueError(
            f"Population got unexpected arguments {sorted(old)}; expected size, cellclass, "
            "cellparams, structure, initial_values, label")
    if isinstance(structure, str):
        warn("Population(dims, cellclass, cellparams, label)",
             "Population(size, cellclass, cellparams, label=label)", stacklevel=4)
        structure, label = None, structure
    return size, cellclass, cellparams, structure, label


class ClassicPopulationMixin:
    """PyNN 0.7 methods of populations and views."""

    def locate(self, id: int) -> tuple[int, ...]:
        """Grid address of `id` in a population with tuple dimensions."""
        index = self.id_to_index(id)
        return tuple(int(i) for i in np.unravel_index(index, self.grandparent.dim))

    def _grid_item(self, address: tuple) -> Any:
        dims = self.grandparent.dim
        try:
            index = int(np.ravel_multi_index(tuple(int(a) for a in address), dims))
        except ValueError as err:
            raise IndexError(f"address {address} outside the grid {dims}") from err
        return self[index]

    @deprecated("record(['spikes', ...]) / sample(n).record('spikes')")
    def _classic_record(self, selector: Any, variable: str) -> None:
        record_selection(self, selector, variable)

    def record_v(self, selector: Any = None, to_file: Any = True) -> None:
        """Deprecated. Use record('v') instead."""
        warn("record_v()", "record('v')")
        record_selection(self, selector, "v")

    def record_gsyn(self, selector: Any = None, to_file: Any = True) -> None:
        """Deprecated. Use record(['gsyn_exc', 'gsyn_inh']) instead."""
        warn("record_gsyn()", "record(['gsyn_exc', 'gsyn_inh'])")
        record_selection(self, selector, ["gsyn_exc", "gsyn_inh"])

    @deprecated("write_data(filename, 'spikes')")
    def printSpikes(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        from lamina.io import classic_text
        classic_text.write(file, self, "spikes")

    @deprecated("write_data(filename, 'v')")
    def print_v(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        from lamina.io import classic_text
        classic_text.write(file, self, "v")

    @deprecated("write_data(filename, ['gsyn_exc', 'gsyn_inh'])")
    def print_gsyn(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        from lamina.io import classic_text
        classic_text.write(file, self, "gsyn")

    @deprecated("get_data('spikes')")
    def getSpikes(self, gather: bool = True, compatible_output: bool = True) -> np.ndarray:
        """Spikes of the current segment as rows (id, t [ms]), sorted by time."""
        from lamina.io import classic_text
        rows = classic_text.spike_rows(self)
        return np.column_stack([self.grandparent.first_id + rows[:, 1], rows[:, 0]])

    @deprecated("get_data('v')")
    def get_v(self, gather: bool = True, compatible_output: bool = True) -> np.ndarray:
        """Membrane potential samples of the current segment as rows (id, t [ms], v [mV])."""
        return self._classic_samples(["v"])

    @deprecated("get_data(['gsyn_exc', 'gsyn_inh'])")
    def get_gsyn(self, gather: bool = True, compatible_output: bool = True) -> np.ndarray:
        """Conductance samples as rows (id, t [ms], g_exc [uS], g_inh [uS])."""
        return self._classic_samples(["gsyn_exc", "gsyn_inh"])

    def _classic_samples(self, variables: list[str]) -> np.ndarray:
        from lamina.io import classic_text
        rows = classic_text.signal_rows(self, variables)
        sig = self.get_data(variables[0]).segments[-1].analogsignals[0]
        times = np.tile(np.asarray(sig.times, dtype=float), sig.shape[1])
        return np.column_stack([self.grandparent.first_id + rows[:, -1], times, rows[:, :-1]])

    @deprecated("mean_spike_count()")
    def meanSpikeCount(self, gather: bool = True) -> float:
        return self.mean_spike_count(gather)

    @deprecated("set(name=values)")
    def tset(self, parametername: str, value_array: Any) -> None:
        self.set(**{parametername: np.asarray(value_array).ravel()})

    @deprecated("set(name=random_distribution)")
    def rset(self, parametername: str, rand_distr: Any) -> None:
        self.set(**{parametername: rand_distr})

    @deprecated("initialize(v=random_distribution)")
    def randomInit(self, rand_distr: Any) -> None:
        self.initialize(v=rand_distr)


def is_classic_record(variables: Any) -> bool:
    """Whether a `record()` argument is the PyNN 0.7 form (None, an int, a list of IDs)."""
    if isinstance(variables, (bool, np.bool_)):
        return False
    if isinstance(variables, (int, np.integer)):
        return True
    if isinstance(variables, (list, tuple, np.ndarray)) and len(variables):
        return all(isinstance(v, (int, np.integer)) for v in variables)
    return False


def record_selection(cells: Any, selector: Any, variables: Any) -> None:
    """Record `variables` from all cells (selector None), `n` random cells (an int), or
    the listed IDs."""
    if selector is None:
        target = cells
    elif isinstance(selector, (int, np.integer)):
        target = cells.sample(int(selector))
    else:
        target = cells[cells.id_to_index(np.asarray([int(i) for i in selector]))]
    target.record(variables)


# -- Projection --------------------------------------------------------------------------
class ClassicProjectionMixin:
    """PyNN 0.7 methods of projections (deprecated since PyNN 0.8; seed 003 lists them)."""

    @deprecated("get('weight', format, gather)")
    def getWeights(self, format: str = "list", gather: bool = True) -> Any:
        return self._classic_get("weight", format, gather)

    @deprecated("get('delay', format, gather)")
    def getDelays(self, format: str = "list", gather: bool = True) -> Any:
        return self._classic_get("delay", format, gather)

    @deprecated("get(parameter_name, format, gather)")
    def getSynapseDynamics(self, parameter_name: str, format: str = "list",
                           gather: bool = True) -> Any:
        return self._classic_get(parameter_name, format, gather)

    def _classic_get(self, name: str, format: str, gather: bool) -> Any:
        if format == "list":
            return self.get(name, format, gather, with_address=False)
        return self.get(name, format, gather)

    @deprecated("set(weight=w)")
    def setWeights(self, w: Any) -> None:
        self.set(weight=w)

    @deprecated("set(delay=d)")
    def setDelays(self, d: Any) -> None:
        self.set(delay=d)

    @deprecated("set(parameter_name=value)")
    def setSynapseDynamics(self, param: str, value: Any) -> None:
        self.set(**{param: value})

    @deprecated("set(weight=rand_distr)")
    def randomizeWeights(self, rand_distr: Any) -> None:
        self.set(weight=rand_distr)

    @deprecated("set(delay=rand_distr)")
    def randomizeDelays(self, rand_distr: Any) -> None:
        self.set(delay=rand_distr)

    @deprecated("set(name=rand_distr)")
    def randomizeSynapseDynamics(self, param: str, rand_distr: Any) -> None:
        self.set(**{param: rand_distr})

    @deprecated("save('weight', file, format, gather)")
    def printWeights(self, file: Any, format: str = "list", gather: bool = True) -> None:
        self.save("weight", file, format, gather)

    @deprecated("save('delay', file, format, gather)")
    def printDelays(self, file: Any, format: str = "list", gather: bool = True) -> None:
        self.save("delay", file, format, gather)

    @deprecated("save('all', file, format='list', gather=gather)")
    def saveConnections(self, file: Any, gather: bool = True,
                        compatible_output: bool = True) -> None:
        self.save("all", file, format="list", gather=gather)

    @deprecated("numpy.histogram()")
    def weightHistogram(self, min: float | None = None, max: float | None = None,
                        nbins: int = 10) -> tuple[np.ndarray, np.ndarray]:
        w = np.asarray(self.get("weight", "list", with_address=False), dtype=float).ravel()
        lo = float(w.min()) if min is None and w.size else (min or 0.0)
        hi = float(w.max()) if max is None and w.size else (max or 1.0)
        return np.histogram(w, bins=nbins, range=(lo, hi))


def clip_classic_delays(delays: np.ndarray, min_delay: float, max_delay: float,
                        label: str) -> np.ndarray:
    """PyNN 0.7 rule for delays given to a connector's ``delays=``: values outside
    [min_delay, max_delay] are clipped to it, with a warning naming how many and the
    extreme value (never silently)."""
    low, high = delays < min_delay, delays > max_delay
    for mask, bound, which, extreme in ((low, min_delay, "below the minimum delay", np.min),
                                        (high, max_delay, "above max_delay", np.max)):
        if np.any(mask):
            warnings.warn(
                f"{label}: {int(np.count_nonzero(mask))} of {delays.size} delays drawn by the "
                f"connector's classic delays= argument are {which} ({float(extreme(delays[mask]))} "
                f"ms); they were set to {bound} ms (PyNN 0.7 rule; pass delays to the synapse "
                "type to get an error instead)", UserWarning, stacklevel=5)
    return np.clip(delays, min_delay, max_delay)


# -- synapse dynamics (PyNN 0.7) -----------------------------------------------------------
class SynapseDynamics:
    """PyNN 0.7 container of a short-term (`fast`) and/or long-term (`slow`) mechanism;
    ``Projection(..., synapse_dynamics=SynapseDynamics(fast=...))`` is
    ``Projection(..., synapse_type=fast)`` today."""

    def __init__(self, fast: Any = None, slow: Any = None) -> None:
        warn("SynapseDynamics(fast=..., slow=...)",
             "Projection(..., synapse_type=TsodyksMarkramSynapse(...) or STDPMechanism(...))")
        self.fast = fast
        self.slow = slow

    def synapse_type(self) -> Any:
        """The current-API synapse type standing for these dynamics."""
        if self.fast is not None and self.slow is not None:
            from lamina.errors import NoModelAvailableError
            raise NoModelAvailableError(
                "SynapseDynamics with both fast (short-term) and slow (STDP) mechanisms has no "
                "standard synapse type on any lamina backend; use one of them")
        if self.fast is None and self.slow is None:
            from lamina.models import StaticSynapse
            return StaticSynapse()
        return self.fast if self.fast is not None else self.slow


def TsodyksMarkramMechanism(U: float = 0.5, tau_rec: float = 100.0, tau_facil: float = 0.0,
                            u0: float = 0.0, x0: float = 1.0, y0: float = 0.0) -> Any:
    """Deprecated. Use TsodyksMarkramSynapse(U=..., tau_rec=..., tau_facil=...) instead.

    The PyNN 0.7 initial values u0, x0, y0 are accepted only at their defaults (the synapse
    starts with u = U... as NEST's tsodyks_synapse does)."""
    from lamina.errors import InvalidParameterValueError
    from lamina.models import TsodyksMarkramSynapse
    warn("TsodyksMarkramMechanism(...)", "TsodyksMarkramSynapse(...)")
    if (u0, x0, y0) != (0.0, 1.0, 0.0):
        raise InvalidParameterValueError(
            f"TsodyksMarkramMechanism: u0={u0}, x0={x0}, y0={y0} cannot be set; lamina's "
            "synapses start from u0=0, x0=1, y0=0")
    return TsodyksMarkramSynapse(U=U, tau_rec=tau_rec, tau_facil=tau_facil)


def projection_arguments(connector: Any, synapse_type: Any, receptor_type: Any,
                         old: dict[str, Any]) -> tuple[Any, Any, Any]:
    """Map PyNN 0.7 Projection keywords (``method=``, ``target=``, ``synapse_dynamics=``,
    ``rng=``) onto the current ones."""
    if "method" in old:
        warn("Projection(method=...)", "Projection(pre, post, connector, ...)", stacklevel=4)
        connector = old.pop("method")
    if "target" in old:
        warn("Projection(target=...)", "Projection(..., receptor_type=...)", stacklevel=4)
        receptor_type = old.pop("target")
    if "synapse_dynamics" in old:
        dynamics = old.pop("synapse_dynamics")
        if dynamics is not None:
            synapse_type = dynamics.synapse_type()
    if "rng" in old:
        warn("Projection(rng=...)", "a connector's rng argument", stacklevel=4)
        rng = old.pop("rng")
        if rng is not None and getattr(connector, "rng", None) is None:
            connector.rng = rng
    if old:
        from lamina.errors import InvalidParameterValueError
        raise InvalidParameterValueError(
            f"Projection got unexpected arguments {sorted(old)}; expected presynaptic_population, "
            "postsynaptic_population, connector, synapse_type, source, receptor_type, space, label")
    return connector, synapse_type, receptor_type
