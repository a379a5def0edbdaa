"""GIF_cond_exp on Brian 2: its array parameters (``tau_eta``, ``a_eta``, ``tau_gamma``,
``a_gamma``: one array per cell) become one scalar parameter per element
(``tau_eta_0``, ``a_eta_0``, ...), the equations come from
`lamina.models.dynamics.gif_cond_exp` for the element counts of the group (the longest
array of its cells; shorter arrays are padded with elements of amplitude 0, which do
nothing). The counts are fixed when the group is created: a later `set` with longer arrays
is refused (create the population with the longest arrays it will need).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.errors import InvalidParameterValueError
from lamina.models import dynamics

#: time constant -> amplitude array parameters, and their units
PAIRS = (("tau_eta", "a_eta"), ("tau_gamma", "a_gamma"))
UNITS = {"tau_eta": "ms", "a_eta": "nA", "tau_gamma": "ms", "a_gamma": "mV"}
#: value of the padding elements (amplitude 0: no effect; any positive time constant)
_PAD = {"tau_eta": 1.0, "a_eta": 0.0, "tau_gamma": 1.0, "a_gamma": 0.0}


def is_gif(celltype: Any) -> bool:
    """Whether `celltype` is a GIF_cond_exp (the model with per-element parameters)."""
    return type(celltype).__name__ == "GIF_cond_exp"


def counts(params: dict[str, Any]) -> tuple[int, int]:
    """(eta elements, gamma elements): the longest array of any cell."""
    return tuple(max((len(a) for a in params[tau]), default=0)   # type: ignore[return-value]
                 for tau, _ in PAIRS)


def fixed_counts(cols: dict[str, tuple[str, ...]]) -> tuple[int, int]:
    """(eta elements, gamma elements) of a model from its `columns`."""
    return len(cols["tau_eta"]), len(cols["tau_gamma"])


def columns(elements: tuple[int, int]) -> dict[str, tuple[str, ...]]:
    """Array parameter -> its per-element scalar parameters."""
    out: dict[str, tuple[str, ...]] = {}
    for (tau, amp), n in zip(PAIRS, elements):
        for name in (tau, amp):
            out[name] = tuple(f"{name}_{k}" for k in range(n))
    return out


def dynamics_of(elements: tuple[int, int]) -> dynamics.Dynamics:
    """The catalogue's equations for these element counts."""
    return dynamics.gif_cond_exp(*elements)


def element_parameters(elements: tuple[int, int]) -> list[tuple[str, str]]:
    """(name, PyNN unit) of the per-element parameters."""
    return [(col, UNITS[name]) for name, cols in columns(elements).items() for col in cols]


def check_lengths(values: dict[str, Any], n_ids: int, elements: tuple[int, int]) -> None:
    """Refuse array values longer than the group's element counts (before anything is
    changed)."""
    for (tau, amp), n in zip(PAIRS, elements):
        for name in (tau, amp):
            if name not in values:
                continue
            value = values[name]
            per_cell = value if isinstance(value, list) and len(value) == n_ids \
                and all(np.ndim(v) == 1 for v in value) else [value]
            longest = max(np.size(v) for v in per_cell)
            if longest > n:
                raise InvalidParameterValueError(
                    f"GIF_cond_exp on brian2: {name} with {longest} elements, but the "
                    f"population was created with at most {n}; expected at most {n} "
                    "(create the population with the longest arrays it will need)")


def expand(params: dict[str, Any], elements: tuple[int, int]) -> None:
    """Write the per-element columns (one value per cell, padded) from the arrays."""
    for name, cols in columns(elements).items():
        arrays = params[name]
        for k, col in enumerate(cols):
            params[col] = np.array([float(a[k]) if k < len(a) else _PAD[name]
                                    for a in arrays])
