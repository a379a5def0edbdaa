"""The classic PyNN 0.4-0.7 API, as deprecated aliases of the current one: a facade above
`lamina.core`.

`Population`, `PopulationView` and `Projection` here are the core classes with the PyNN 0.7
methods and argument forms added; the user namespaces (`lamina.namespace`) and the
procedural API hand these out, so ``sim.Population(...).printSpikes(...)`` keeps working.
The core classes neither inherit from nor import this module.

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
from typing import Any, TypeVar

import numpy as np

from lamina.core import populations as core_populations
from lamina.core import projections as core_projections
from lamina.core.connection_values import clip_connector_delays as clip_classic_delays  # noqa: F401,E501  (re-exported)
from lamina.errors import InvalidParameterValueError, NoModelAvailableError
from lamina.io import classic_text
from lamina.models import StaticSynapse, TsodyksMarkramSynapse
from lamina.models.base import INITIAL_VALUE_ALIASES
from lamina.space import GridAddresses as GridAddressStructure  # noqa: F401  (re-exported)

#: default of ``record()``: in PyNN 0.7, record spikes of all cells
SPIKES_OF_ALL = object()


def warn(old: str, new: str, stacklevel: int = 3) -> None:
    """Emit the DeprecationWarning for a classic construct."""
    warnings.warn(f"{old} is deprecated; use {new} instead", DeprecationWarning,
                  stacklevel=stacklevel)


_F = TypeVar("_F", bound=Callable[..., Any])


def deprecated(new: str) -> Callable[[_F], _F]:
    """Decorator: the function is a deprecated alias of `new`."""
    def wrap(fn: _F) -> _F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            warn(f"{fn.__name__}()", new, stacklevel=3)
            return fn(*args, **kwargs)
        inner.__doc__ = f"Deprecated. Use {new} instead."
        return inner  # type: ignore[return-value]  # same signature, by functools.wraps
    return wrap


# -- Population --------------------------------------------------------------------------
def population_arguments(size: Any, cellclass: Any, structure: Any, label: Any,
                         old: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any]:
    """Map PyNN 0.7 constructor arguments (``dims=``, ``cellclass=`` keyword, a label as
    the fourth positional argument) onto the current ones."""
    cellparams = old.pop("cellparams", None)
    if "dims" in old:
        warn("Population(dims=...)", "Population(size, ...)", stacklevel=4)
        size = old.pop("dims")
    if old:
        raise InvalidParameterValueError(
            f"Population got unexpected arguments {sorted(old)}; expected size, cellclass, "
            "cellparams, structure, initial_values, label")
    if isinstance(structure, str):
        warn("Population(dims, cellclass, cellparams, label)",
             "Population(size, cellclass, cellparams, label=label)", stacklevel=4)
        structure, label = None, structure
    return size, cellclass, cellparams, structure, label


class ClassicCells(core_populations.BasePopulation):
    """PyNN 0.7 methods of populations and views (mixed into `Population` and
    `PopulationView` below, ahead of the core classes)."""

    attribute_aliases = tuple(INITIAL_VALUE_ALIASES)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, tuple) and self._addresses_grid(index):
            return self._grid_item(index)
        return super().__getitem__(index)

    def _addresses_grid(self, index: tuple) -> bool:
        """Whether a tuple index is a grid address: one integer per dimension of a
        Population created with tuple dimensions."""
        return (self is self.grandparent and self.grandparent._grid
                and len(index) == len(self.grandparent.dim)
                and all(isinstance(i, (int, np.integer)) for i in index))

    def record(self, variables: Any = SPIKES_OF_ALL, to_file: Any = None,
               sampling_interval: float | None = None) -> None:
        """Record `variables` (see `lamina.core.populations.BasePopulation.record`); the
        PyNN 0.7 forms ``record()``, ``record(n)`` and ``record([ids])`` record spikes."""
        if variables is SPIKES_OF_ALL or is_classic_record(variables):
            self._classic_record(None if variables is SPIKES_OF_ALL else variables, "spikes")
            return
        super().record(variables, to_file, sampling_interval)

    def _get_one(self, name: str, simplify: bool) -> Any:
        if name not in INITIAL_VALUE_ALIASES:
            return super()._get_one(name, simplify)
        warn(f"get({name!r})", f"the initial value of {INITIAL_VALUE_ALIASES[name]!r}",
             stacklevel=5)
        arr = self.grandparent._initial[INITIAL_VALUE_ALIASES[name]][self._root_indices]
        return float(arr[0]) if simplify and arr.size and np.all(arr == arr[0]) else arr

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
        write_text_file(file, self, "spikes")

    @deprecated("write_data(filename, 'v')")
    def print_v(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        write_text_file(file, self, "v")

    @deprecated("write_data(filename, ['gsyn_exc', 'gsyn_inh'])")
    def print_gsyn(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        write_text_file(file, self, "gsyn")

    @deprecated("get_data('spikes')")
    def getSpikes(self, gather: bool = True, compatible_output: bool = True) -> np.ndarray:
        """Spikes of the current segment as rows (id, t [ms]), sorted by time."""
        rows = classic_text.spike_rows(self.get_data("spikes").segments[-1])
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
        segment = self.get_data(variables).segments[-1]
        rows = classic_text.signal_rows(segment, variables, self.label)
        sig = next(s for s in segment.analogsignals if s.name == variables[0])
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


def write_text_file(path: Any, cells: Any, kind: str) -> None:
    """Write the classic text file of `kind` ('spikes', 'v', 'gsyn') for `cells` (a
    Population or view): their last segment and header, handed to `lamina.io.classic_text`."""
    segment = cells.get_data(classic_text.VARIABLES[kind]).segments[-1]
    info = {"first_id": int(cells.all_ids[0]) if cells.size else "", "n": cells.size,
            "last_id": int(cells.all_ids[-1]) if cells.size else "",
            "dimensions": list(cells.grandparent.dim), "dt": cells._sim.dt,
            "label": cells.label}
    classic_text.write(path, segment, kind, info)


def write_text_file_of_many(path: Any, members: list[Any], kind: str) -> None:
    """One classic text file for cells of several populations (rows carry global IDs)."""
    parts = [(m.get_data(classic_text.VARIABLES[kind]).segments[-1], int(m.grandparent.first_id),
              m.label) for m in members]
    classic_text.write_many(path, parts, kind, sum(m.size for m in members),
                            members[0]._sim.dt)


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
class ClassicProjectionMethods(core_projections.Projection):
    """PyNN 0.7 methods of projections (deprecated since PyNN 0.8; seed 003 lists them),
    mixed into `Projection` below."""

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
            raise NoModelAvailableError(
                "SynapseDynamics with both fast (short-term) and slow (STDP) mechanisms has no "
                "standard synapse type on any lamina backend; use one of them")
        if self.fast is None and self.slow is None:
            return StaticSynapse()
        return self.fast if self.fast is not None else self.slow


def TsodyksMarkramMechanism(U: float = 0.5, tau_rec: float = 100.0, tau_facil: float = 0.0,
                            u0: float = 0.0, x0: float = 1.0, y0: float = 0.0) -> Any:
    """Deprecated. Use TsodyksMarkramSynapse(U=..., tau_rec=..., tau_facil=...) instead.

    The PyNN 0.7 initial values u0, x0, y0 are accepted only at their defaults (the synapse
    starts with u = U... as NEST's tsodyks_synapse does)."""
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
        raise InvalidParameterValueError(
            f"Projection got unexpected arguments {sorted(old)}; expected presynaptic_population, "
            "postsynaptic_population, connector, synapse_type, source, receptor_type, space, label")
    return connector, synapse_type, receptor_type



# -- the classes the classic namespace hands out -------------------------------------------
class Population(ClassicCells, core_populations.Population):
    __doc__ = (core_populations.Population.__doc__ or "") + """
    The PyNN 0.7 methods (``record_v``, ``printSpikes``, ``getSpikes``, ``locate``, ...) and
    arguments (``dims=``, a label as fourth positional argument, ``v_init``) work too, with
    a `DeprecationWarning` (see `lamina.classic`).
    """

    def __init__(self, size: int | tuple[int, ...] | None = None, cellclass: Any = None,
                 cellparams: dict[str, Any] | None = None, structure: Any = None,
                 initial_values: dict[str, Any] | None = None, label: str | None = None,
                 **deprecated: Any) -> None:
        if deprecated or isinstance(structure, str):
            if cellparams is not None:
                deprecated["cellparams"] = cellparams
            size, cellclass, cellparams, structure, label = population_arguments(
                size, cellclass, structure, label, deprecated)
        super().__init__(size, cellclass, cellparams, structure, initial_values, label)

    def _set_values(self, indices: np.ndarray, values: dict[str, Any]) -> None:
        aliased = {INITIAL_VALUE_ALIASES[k]: values[k] for k in values
                   if k in INITIAL_VALUE_ALIASES}
        if aliased:
            warn("setting v_init", "initialize(v=...)", stacklevel=5)
            values = {k: v for k, v in values.items() if k not in INITIAL_VALUE_ALIASES}
            self._set_initial(indices, aliased)
        super()._set_values(indices, values)

    def _cell_value(self, cell: Any, name: str) -> Any:
        if name in INITIAL_VALUE_ALIASES and name not in self._parameters:
            warn(name, f"get_initial_value({INITIAL_VALUE_ALIASES[name]!r})", stacklevel=4)
            return float(self._initial[INITIAL_VALUE_ALIASES[name]][self.id_to_index(cell)])
        return super()._cell_value(cell, name)


class PopulationView(ClassicCells, core_populations.PopulationView):
    __doc__ = (core_populations.PopulationView.__doc__ or "") + """
    The PyNN 0.7 methods work too, with a `DeprecationWarning` (see `lamina.classic`).
    """


Population.view_type = PopulationView
PopulationView.view_type = PopulationView


class Projection(ClassicProjectionMethods):
    __doc__ = (core_projections.Projection.__doc__ or "") + """
    The PyNN 0.7 methods (``getWeights``, ``setDelays``, ``printWeights``, ...) and keywords
    (``method=``, ``target=``, ``synapse_dynamics=``, ``rng=``) work too, with a
    `DeprecationWarning` (see `lamina.classic`).
    """

    def __init__(self, presynaptic_population: Any, postsynaptic_population: Any,
                 connector: Any = None, synapse_type: Any = None, source: str | None = None,
                 receptor_type: str | None = None, space: Any = None,
                 label: str | None = None, **deprecated: Any) -> None:
        if deprecated:
            connector, synapse_type, receptor_type = projection_arguments(
                connector, synapse_type, receptor_type, deprecated)
        super().__init__(presynaptic_population, postsynaptic_population, connector,
                         synapse_type, source, receptor_type, space, label)
