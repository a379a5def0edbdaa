"""Declarations shared by every standard model: parameters, state variables, checks.

A standard model is a class whose *class attributes* declare its parameters (name,
default, unit, allowed range, meaning), its state variables, recordables and receptor
types. An *instance* carries the parameter values a user chose
(``IF_cond_exp(tau_m=15.0)``); values may be numbers, arrays, sequences, random
distributions or callables and are resolved to per-cell arrays by the core layer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from lamina.errors import InvalidParameterValueError, NonExistentParameterError


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes
    ----------
    name : str — PyNN name
    default : float | None | object — default value (``None`` where the default depends
        on the simulation, e.g. a delay defaulting to the minimum delay)
    unit : str — PyNN unit (``'ms'``, ``'mV'``, ``'nA'``, ``'uS'``, ``'nF'``, ``'Hz'``, ``''``)
    doc : str — one-line meaning
    low, high : float — allowed range; ``low_open``/``high_open`` make the bound strict
    kind : str — ``'float'``, ``'sequence'`` (sorted times per cell, e.g. spike times),
        ``'array'`` (a 1-D array of values per cell, e.g. GIF time constants; the range
        applies to every element) or ``'int'``
    infinite : bool — whether ``+inf`` is a meaningful value ("never", "forever": a
        current source's ``stop``, a spike source's ``duration``). Every other value of
        every parameter must be finite; NaN never passes.
    """

    name: str
    default: Any
    unit: str
    doc: str
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    kind: str = "float"
    infinite: bool = False

    def range_text(self) -> str:
        """Human-readable allowed range, e.g. ``'> 0'``."""
        parts = []
        if self.low > -math.inf:
            parts.append(("> " if self.low_open else ">= ") + f"{self.low:g}")
        if self.high < math.inf:
            parts.append(("< " if self.high_open else "<= ") + f"{self.high:g}")
        text = " and ".join(parts) or "any finite number"
        if self.infinite:
            text += " (inf: never ends)"
        elif parts:
            text += ", finite"
        return text

    def check(self, values: Any, model: str) -> None:
        """Raise `InvalidParameterValueError` if any value is outside the allowed range."""
        if self.kind == "sequence":
            for cell_values in ([values] if isinstance(values, np.ndarray) else values):
                refuse_non_finite(np.asarray(cell_values, dtype=float),
                                  f"{model}: parameter {self.name!r}", self.unit)
            return
        if self.kind == "array":
            if isinstance(values, np.ndarray) and values.dtype != object:
                values = [values]
            for cell_values in values:
                self._check_array(np.asarray(cell_values, dtype=float).ravel(), model)
            return
        self._check_array(np.asarray(values, dtype=float), model)

    def _check_array(self, arr: np.ndarray, model: str) -> None:
        refuse_non_finite(arr, f"{model}: parameter {self.name!r}", self.unit,
                          allow_inf=self.infinite)
        bad = np.zeros(arr.shape, dtype=bool)
        bad |= (arr <= self.low) if self.low_open else (arr < self.low)
        bad |= (arr >= self.high) if self.high_open else (arr > self.high)
        if np.any(bad):
            first = arr[bad].flat[0]
            raise InvalidParameterValueError(
                f"{model}: parameter {self.name!r} = {first!r} [{self.unit}] is out of range; "
                f"allowed: {self.range_text()}")


def refuse_non_finite(values: Any, what: str, unit: str = "", allow_inf: bool = False) -> None:
    """Raise `InvalidParameterValueError` if `values` hold NaN or an infinity (``+inf``
    passes where `allow_inf`). The one rule every parameter, initial value, weight and
    delay is checked with; `what` names the argument (e.g. ``"IF_curr_exp: parameter
    'tau_m'"``)."""
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    finite = np.isfinite(arr)
    if finite.all():
        return
    bad = ~finite & ~(arr == math.inf) if allow_inf else ~finite
    if np.any(bad):
        first = float(arr[bad].flat[0])
        allowed = "a finite number or +inf (never ends)" if allow_inf else "a finite number"
        raise InvalidParameterValueError(
            f"{what} = {first!r}{f' [{unit}]' if unit else ''} is not allowed: expected "
            f"{allowed}")


@dataclass(frozen=True)
class StateVariable:
    """A dynamic variable of a model: initial value, unit and meaning."""

    name: str
    initial: float
    unit: str
    doc: str


@dataclass(frozen=True)
class Relation:
    """An ordering that must hold between two parameters, e.g. v_reset < v_thresh."""

    left: str
    op: str  # '<' or '<='
    right: str

    def check(self, params: dict[str, np.ndarray], model: str) -> None:
        """Raise `InvalidParameterValueError` where the relation does not hold."""
        a = np.asarray(params[self.left], dtype=float)
        b = np.asarray(params[self.right], dtype=float)
        ok = a < b if self.op == "<" else a <= b
        if not np.all(ok):
            i = int(np.flatnonzero(~np.broadcast_to(ok, np.broadcast(a, b).shape))[0])
            av = np.broadcast_to(a, ok.shape).flat[i]
            bv = np.broadcast_to(b, ok.shape).flat[i]
            raise InvalidParameterValueError(
                f"{model}: {self.left} ({av:g}) must be {self.op} {self.right} ({bv:g})")


class StandardModelType:
    """Base of every standard model (cells, spike sources, current sources, synapses).

    Subclasses declare ``parameters``; instances hold the chosen values.

    Parameters
    ----------
    **parameters : parameter values by PyNN name; unknown names raise
        `NonExistentParameterError` with a "did you mean" hint.
    """

    parameters: ClassVar[tuple[Parameter, ...]] = ()
    # these may differ per instance where a model is assembled from parts (PointNeuron)
    relations: tuple[Relation, ...] = ()
    equations: ClassVar[str] = ""

    def __init__(self, **parameters: Any) -> None:
        self.parameter_space: dict[str, Any] = dict(self.default_parameters)
        self.set_parameters(**parameters)

    # -- class-level views of the declaration ---------------------------------------
    @classmethod
    def parameter_table(cls) -> dict[str, Parameter]:
        """Return the declared parameters by name."""
        return {p.name: p for p in cls.parameters}

    @classmethod
    def get_parameter_names(cls) -> list[str]:
        """Return the parameter names, in declaration order."""
        return [p.name for p in cls.parameters]

    @classmethod
    def has_parameter(cls, name: str) -> bool:
        """Whether `name` is a parameter of this model (state variables are not)."""
        return name in cls.parameter_table()

    def get_schema(self) -> dict[str, type]:
        """The type of each parameter's value, by name (as PyNN gives it to serialisers):
        `float`, `int`, `Sequence` (spike times) or `ArrayParameter` (one array per cell)."""
        from lamina.parameters import ArrayParameter, Sequence
        kinds: dict[str, type] = {"float": float, "int": int, "sequence": Sequence,
                                  "array": ArrayParameter}
        return {name: kinds[p.kind] for name, p in self.parameter_table().items()}

    @classmethod
    def _defaults(cls) -> dict[str, Any]:
        return {p.name: p.default for p in cls.parameters}

    # ``default_parameters`` is a class attribute in PyNN; keep it one.
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.default_parameters = cls._defaults()
        cls.units = {p.name: p.unit for p in cls.parameters}

    default_parameters: dict[str, Any] = {}
    units: dict[str, str] = {}

    # -- instance values ------------------------------------------------------------
    def check_name(self, name: str) -> Parameter:
        """Return the declaration of `name` or raise `NonExistentParameterError`."""
        table = self.parameter_table()
        if name not in table:
            raise NonExistentParameterError(name, type(self).__name__, table)
        return table[name]

    def set_parameters(self, **parameters: Any) -> None:
        """Change parameter values of this model instance (checked by name and, for
        plain numbers, by range)."""
        for name, value in parameters.items():
            decl = self.check_name(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                decl.check(np.asarray(value, dtype=float), type(self).__name__)
            elif decl.kind == "array" and isinstance(value, (list, tuple, np.ndarray)):
                try:
                    arr = np.asarray(value, dtype=float)
                except (TypeError, ValueError):
                    arr = None  # one sequence per cell: checked when evaluated
                if arr is not None:
                    decl.check(arr if arr.ndim <= 1 else list(arr), type(self).__name__)
            self.parameter_space[name] = value

    def get_parameters(self) -> dict[str, Any]:
        """Return a copy of this instance's parameter values."""
        return dict(self.parameter_space)

    def check_values(self, values: dict[str, Any]) -> None:
        """Check evaluated per-cell values against ranges and relations."""
        table = self.parameter_table()
        model = type(self).__name__
        for name, arr in values.items():
            if name in table:
                table[name].check(arr, model)
        for rel in self.relations:
            if rel.left in values and rel.right in values:
                rel.check(values, model)

    def describe(self) -> str:
        """One line: model name and parameter values."""
        vals = ", ".join(f"{k}={v!r}" for k, v in self.parameter_space.items())
        return f"{type(self).__name__}({vals})"

    def __repr__(self) -> str:
        return self.describe()


#: classic (PyNN <= 0.7) parameter names that are initial values of state variables
INITIAL_VALUE_ALIASES = {"v_init": "v"}


class StandardCellType(StandardModelType):
    """A standard neuron model.

    Class attributes
    ----------------
    state_variables : initial values and units of the dynamic variables
    recordable : variables that can be recorded (``'spikes'`` plus state variables)
    receptor_types : names of the synaptic receptors ('excitatory', 'inhibitory')
    conductance_based : whether weights are conductances [uS] (else currents [nA])
    injectable : whether current sources can be attached
    """

    state_variables: tuple[StateVariable, ...] = ()
    recordable: tuple[str, ...] = ("spikes",)
    receptor_types: tuple[str, ...] = ()
    conductance_based: bool = False
    injectable: ClassVar[bool] = True
    is_spike_source: ClassVar[bool] = False
    weight_unit: str = "nA"
    #: the equations as data (`lamina.models.dynamics.Dynamics`); None for spike sources
    #: and models without ODEs
    dynamics: ClassVar[Any] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.default_initial_values = {s.name: s.initial for s in cls.state_variables}
        cls.units = {**cls.units, **{s.name: s.unit for s in cls.state_variables}}

    default_initial_values: dict[str, float] = {}

    def __init__(self, **parameters: Any) -> None:
        self.classic_initial_values: dict[str, Any] = {}
        super().__init__(**parameters)

    def set_parameters(self, **parameters: Any) -> None:
        """Change parameter values; the classic ``v_init`` sets the initial value of v
        (with a DeprecationWarning)."""
        for old, new in INITIAL_VALUE_ALIASES.items():
            if old in parameters and new in self.state_variable_names():
                import warnings
                warnings.warn(f"the {old!r} parameter is deprecated; use "
                              f"initial_values={{{new!r}: ...}} or initialize({new}=...) instead",
                              DeprecationWarning, stacklevel=3)
                self.classic_initial_values[new] = parameters.pop(old)
        super().set_parameters(**parameters)

    # -- how a backend sees this model (overridden by models that rename another) ------
    def backend_type(self) -> "StandardCellType":
        """The model backends simulate (itself, for a standard model)."""
        return self

    def to_backend_parameters(self, values: dict[str, Any]) -> dict[str, Any]:
        """Parameter values in the backend model's names and PyNN units."""
        return values

    def to_backend_initial(self, values: dict[str, Any]) -> dict[str, Any]:
        """Initial values in the backend model's names and PyNN units."""
        return values

    def backend_variable(self, variable: str) -> tuple[str, float]:
        """The backend's name of a recordable, and the factor turning its values into
        this model's units."""
        return variable, 1.0

    def to_backend_weight(self, weight: Any) -> Any:
        """Weights in PyNN units (nA, uS or mV)."""
        return weight

    def from_backend_weight(self, weight: Any) -> Any:
        """Weights in this model's units, from PyNN units."""
        return weight

    @classmethod
    def variable_unit(cls, variable: str) -> str:
        """Unit of a recordable state variable."""
        for s in cls.state_variables:
            if s.name == variable:
                return s.unit
        raise KeyError(variable)

    def check_initial_values(self, values: dict[str, Any]) -> None:
        """Refuse non-finite initial values (NaN, +-inf) of state variables."""
        model = type(self).__name__
        for name, arr in values.items():
            refuse_non_finite(arr, f"{model}: initial value of {name!r}",
                              type(self).units.get(name, ""))

    @classmethod
    def state_variable_names(cls) -> list[str]:
        """Names of the state variables (the ones `initialize` accepts)."""
        return [s.name for s in cls.state_variables]

    def can_record(self, variable: str) -> bool:
        """Whether `variable` is recordable from this model."""
        return variable in self.recordable


class StandardCurrentSourceType(StandardModelType):
    """A current source model (DC, step, AC, noisy) and the user's handle on it.

    ``source.inject_into(cells)`` is ``cells.inject(source)``. After injection, parameter
    changes (``source.amplitude = 0.5`` or ``set_parameters``) reach the simulator before
    the next run, and ``record()``/``get_data()`` give the injected current [nA].
    """

    recordable: ClassVar[tuple[str, ...]] = ("i",)

    def __init__(self, **parameters: Any) -> None:
        object.__setattr__(self, "_handle", None)
        super().__init__(**parameters)

    def inject_into(self, cells: Any) -> None:
        """Inject this current into `cells` (Population, PopulationView, Assembly, ID list)."""
        if not isinstance(cells, (list, tuple)):
            cells.inject(self)
            return
        if not cells or not all(getattr(c, "parent", None) is not None for c in cells):
            from lamina.errors import InvalidParameterValueError
            raise InvalidParameterValueError(
                f"cells={cells!r}: expected a Population, PopulationView, Assembly or a "
                "non-empty list of cell IDs")
        members: dict[int, list[Any]] = {}    # one view per population, in the order given
        for cell in cells:
            members.setdefault(id(cell.parent), []).append(cell)
        for ids in members.values():
            parent = ids[0].parent
            index = parent.id_to_index(np.array([int(i) for i in ids], dtype=np.int64))
            parent[index].inject(self)

    def set_parameters(self, **parameters: Any) -> None:  # noqa: D102 - see base
        super().set_parameters(**parameters)
        if self._handle is not None:
            self._handle.parameters_changed(self, list(parameters))

    def __getattr__(self, name: str) -> Any:
        space = self.__dict__.get("parameter_space", {})
        if name in space:
            return space[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name == "parameter_space":
            object.__setattr__(self, name, value)
        else:
            self.set_parameters(**{name: value})

    def record(self) -> None:
        """Record the injected current (after `inject_into`)."""
        self._require_handle().record(self)

    def get_data(self, clear: bool = False) -> Any:
        """Return the recorded current as a neo AnalogSignal [nA]."""
        return self._require_handle().get_data(self, clear)

    def _require_handle(self) -> "CurrentSourceHandle":
        from lamina.errors import RecordingError
        if self._handle is None:
            raise RecordingError("i", self, self.recordable)
        return self._handle


class StandardSynapseType(StandardModelType):
    """Declaration of a synapse model (weight, delay and dynamics parameters)."""

    connection_parameters: ClassVar[tuple[str, ...]] = ("weight", "delay")


class CurrentSourceHandle:
    """What the core attaches to a current source once it is injected: a hook that pushes
    parameter changes to the backend and serves recorded data. Defined by `lamina.core`."""

    def parameters_changed(self, source: "StandardCurrentSourceType", names: list[str]) -> None:
        raise NotImplementedError  # pragma: no cover - interface

    def record(self, source: "StandardCurrentSourceType") -> None:
        raise NotImplementedError  # pragma: no cover - interface

    def get_data(self, source: "StandardCurrentSourceType", clear: bool) -> Any:
        raise NotImplementedError  # pragma: no cover - interface
