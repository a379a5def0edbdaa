"""Brian 2 equations generated from the catalogue (`lamina.models.dynamics`).

A cell type's `Dynamics` becomes the text of a Brian 2 ``Equations`` object: one line per
ODE and sub-expression, every model parameter as a ``(constant)`` variable with its unit
(per cell, or ``(shared, constant)`` where all cells of a NeuronGroup have the same value:
Brian 2 then computes the terms that depend only on it once per step, not once per cell,
see `BrianModel.text`), the input current ``i_inj`` (set each step by the current sources), threshold,
reset, refractory rule and per-receptor ``on_pre`` statements. Units are Brian 2's (SI):
the PyNN unit of each declared quantity maps to a Brian 2 unit and a scale factor
(`PYNN_TO_SI`), so values cross as plain arrays (``group.v_ = values * 1e-3``).

Integration method (`_METHODS`, shown by ``describe()``): ``exact`` for linear models (the
catalogue's ``linear`` flag); otherwise by the catalogue's ``scheme``: classical
Runge-Kutta (``rk4``) for smooth non-linear models (conductance-based: at dt = 0.1 ms
within 1e-3 mV of NEST's adaptive RKF45), rk4 in 2 sub-steps of dt/2 (``rk4/2``,
`lamina.backends.brian2.updaters`) for the gating kinetics of HH (Brian 2's exponential
Euler at dt = 0.1 ms put 20 % of the spikes within 1.5 steps of NEST's and 2.3 % more
spikes; rk4/2: 100 %, equal counts; plain rk4 at dt is unstable), and forward ``euler``
for models defined by it (Izhikevich, as NEST integrates it).

Adaptive exponential models (an ``exp(`` in dv/dt and a threshold ``v >= X``): rk4 in 4
sub-steps, and the reset is applied in the sub-step where v crosses X (`_substep_reset`),
the spike emitted at the end of the step; NEST's adaptive solver resets there too, so the
rest of the step integrates w from the reset state. With the reset at the end of the step
only, w took in the overshoot of v beyond X and the spikes drifted late: 96.5 % (exp) and
80 % (alpha) of the spikes within 1.5 steps of NEST's; now 99.3 % and 99.9 %.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lamina.errors import InvalidModelError, NoModelAvailableError
from lamina.models import dynamics

#: PyNN unit -> (Brian 2 unit in equations, factor PyNN -> SI)
PYNN_TO_SI: dict[str, tuple[str, float]] = {
    "mV": ("volt", 1e-3), "ms": ("second", 1e-3), "s": ("second", 1.0),
    "nA": ("amp", 1e-9), "pA": ("amp", 1e-12), "uS": ("siemens", 1e-6),
    "nS": ("siemens", 1e-9), "nF": ("farad", 1e-9), "Hz": ("hertz", 1.0),
    "/ms": ("hertz", 1e3), "mV/ms": ("volt/second", 1.0),
    "uS/ms": ("siemens/second", 1e-3), "": ("1", 1.0),
    "dimensionless": ("1", 1.0), "deg": ("1", 1.0),
}


def si_factor(unit: str) -> float:
    """Factor turning a value in PyNN unit `unit` into SI."""
    try:
        return PYNN_TO_SI[unit][1]
    except KeyError:
        raise InvalidModelError(f"unit {unit!r} has no Brian 2 translation") from None


def brian_unit(unit: str) -> str:
    """The Brian 2 unit name of PyNN unit `unit`, for equation declarations."""
    try:
        return PYNN_TO_SI[unit][0]
    except KeyError:
        raise InvalidModelError(f"unit {unit!r} has no Brian 2 translation") from None


#: the catalogue's integration scheme -> Brian 2 method
_METHODS = {"": "rk4", "euler": "euler", "exponential": "rk4/2"}


@dataclass(frozen=True)
class BrianModel:
    """Everything a NeuronGroup and its Synapses need for one cell type.

    Attributes
    ----------
    equations : text of the Brian 2 equations without the parameters (variables in Brian 2
        names, `names`); `text` adds the parameter declarations
    parameters : PyNN parameter name -> Brian 2 unit name
    threshold, reset : Brian 2 code strings ('' for none)
    refractory : Brian 2 expression of the refractory period, or False
    method : integration methods, the first that applies is used
    jumps : receptor -> ``on_pre`` code (weight ``lamina_w``, target variables ``_post``)
    early : receptors whose jumps change a variable of the spike condition (delivered one
        step early, see `lamina.backends.brian2.connections`)
    variables : every per-cell variable (state, hidden, parameter) -> PyNN unit
    previous : variables copied to ``X_last`` at the start of each step (Brian 2 names)
    names : PyNN name -> Brian 2 name (they differ where a PyNN name is a Brian 2 unit or
        reserved word, e.g. ``cm`` -> ``cm_pynn``)
    derived : state variables of the cell type that are sub-expressions here (recorded,
        not set: GIF's ``v_t`` and ``i_eta``)
    columns : array parameter -> its per-element scalar parameters (GIF, `gif`)
    """

    equations: str
    parameters: dict[str, str]
    threshold: str
    reset: str
    refractory: Any
    method: tuple[str, ...]
    jumps: dict[str, str]
    variables: dict[str, str]
    previous: tuple[str, ...]
    names: dict[str, str]
    early: frozenset[str] = frozenset()
    after_substep: str = ""
    derived: frozenset[str] = frozenset()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def brian_parameters(self, name: str) -> tuple[str, ...]:
        """The parameters of `parameters` that hold PyNN parameter `name` (itself, or the
        per-element parameters of an array parameter, `columns`)."""
        return self.columns.get(name, (name,))

    def updater(self) -> Any:
        """The ``method`` argument of the NeuronGroup."""
        from lamina.backends.brian2 import updaters
        return updaters.method(self.method[0], self.after_substep)

    def brian_name(self, name: str) -> str:
        """The Brian 2 name of PyNN variable `name`."""
        return self.names.get(name, name)

    def text(self, shared: frozenset[str] | set[str] = frozenset()) -> str:
        """The equations with the parameter declarations: ``(shared, constant)`` for the
        PyNN parameters in `shared`, per-cell ``(constant)`` for the others."""
        lines = [self.equations]
        for name, unit in self.parameters.items():
            flags = "shared, constant" if name in shared else "constant"
            lines.append(f"{self.brian_name(name)} : {unit} ({flags})")
        return "\n".join(lines)


#: sub-steps per time step for models with an exponential spike upswing (see `_method`)
SUBSTEPS = 4


def _method(dyn: Any) -> str:
    """The integration method of a catalogue model: ``exact`` if linear, else by scheme;
    models whose spike is an exponential upswing (adaptive exponential) in `SUBSTEPS`
    sub-steps (``'rk4/4'``)."""
    if dyn.linear:
        return "exact"
    name = _METHODS[dyn.scheme]
    return f"{name}/{SUBSTEPS}" if _cap(dyn) else name


def _cap(dyn: Any) -> str:
    """For a model whose spike is an exponential upswing of v to a threshold ``v >= X``:
    the threshold statement (else '')."""
    upswing = any("exp(" in o.rhs.replace(" ", "") for o in dyn.odes if o.variable == "v")
    crossing = re.fullmatch(r"\s*v\s*>=\s*([A-Za-z_]\w*)\s*", dyn.threshold)
    if not upswing or crossing is None or SUBSTEPS <= 1:
        return ""
    return f"v >= {crossing.group(1)}"


def _substep_reset(dyn: Any, rename: Any) -> str:
    """Code run after each sub-step of a model with an exponential upswing: in the
    sub-step where v crosses the threshold, the reset statements are applied and
    ``lamina_fired`` set (the spike is emitted at the end of the step, the refractory
    period starts there). So, as NEST's adaptive exponential models do with their
    adaptive sub-steps, the rest of the step integrates from the reset state and the
    adaptation current sees no overshoot of v."""
    lines = [f"_lamina_x = int({rename(_cap(dyn))})*int(not_refractory)",
             "lamina_fired = lamina_fired + _lamina_x*(1 - lamina_fired)"]
    for statement in dyn.reset:
        parsed = re.match(r"\s*(\w+)\s*(\+?=)\s*(.*)$", rename(statement))
        if parsed is None:
            raise InvalidModelError(f"reset statement {statement!r} of {dyn!r}: expected "
                                    "'name = expression' or 'name += expression'")
        target, op, expr = parsed.groups()
        if op == "=":       # held from the crossing on (NEST clamps V while refractory)
            lines.append(f"{target} = {target} + lamina_fired*(({expr}) - {target})")
        else:               # once, at the crossing
            lines.append(f"{target} = {target} + _lamina_x*({expr})")
    return "\n".join(lines)


def _step_reset(dyn: Any, rename: Any) -> str:
    """The reset at the end of the step of a spike of a model with sub-step resets: the
    assignments again (v stays at v_reset for the refractory period), no increments."""
    kept = [rename(s) for s in dyn.reset if "+=" not in s]
    return "\n".join([*kept, "lamina_fired = 0"])


def _allowed(name: str) -> bool:
    from brian2 import Equations
    try:
        Equations.check_identifier(name)
    except (SyntaxError, ValueError):
        return False
    return True


def _renamer(names: dict[str, str]) -> Any:
    def rename(code: str) -> str:
        return re.sub(_NAME, lambda m: names.get(m.group(0), m.group(0)), code)
    return rename


def _post(statement: str, names: set[str]) -> str:
    """Rename the target cell's variables in an on_pre statement (``v`` -> ``v_post``) and
    the weight (``weight`` -> ``lamina_w``)."""
    def sub(m: re.Match) -> str:
        word = m.group(0)
        if word == "weight":
            return "lamina_w"
        return f"{word}_post" if word in names else word
    return re.sub(r"\b[A-Za-z_]\w*\b", sub, statement)


#: a PyNN name in an expression, receptor variables of composed cells included ('AMPA.gsyn')
_NAME = r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\b"


def _source(celltype: Any, elements: tuple[int, int] | None
            ) -> tuple[Any, list[tuple[str, str]], dict[str, tuple[str, ...]]]:
    """(catalogue equations, (parameter, PyNN unit) list, array parameter columns) of
    `celltype`; GIF_cond_exp for `elements` (eta, gamma) elements."""
    from lamina.backends.brian2 import gif
    table = list(celltype.parameter_table().values())
    if gif.is_gif(celltype):
        els = elements if elements is not None else (0, 0)
        scalars = [(p.name, p.unit) for p in table if p.kind != "array"]
        return (gif.dynamics_of(els), scalars + gif.element_parameters(els),
                gif.columns(els))
    dyn = dynamics.of(celltype)
    if dyn is None:
        raise NoModelAvailableError(
            f"{type(celltype).__name__} is not available on the brian2 backend (no equations "
            "in lamina's model catalogue)")
    for p in table:
        if p.kind not in ("float", "int"):
            raise NoModelAvailableError(
                f"{type(celltype).__name__} is not available on the brian2 backend "
                f"(parameter {p.name!r} holds one array per cell)")
    return dyn, [(p.name, p.unit) for p in table], {}


def brian_model(celltype: Any, dt: float,
                elements: tuple[int, int] | None = None) -> BrianModel:
    """Translate the catalogue's equations of `celltype` (a standard cell type instance)
    into Brian 2 code (GIF_cond_exp: with `elements` eta and gamma elements).

    Raises
    ------
    NoModelAvailableError
        if the cell type has no equations in the catalogue.
    """
    dyn, params, columns = _source(celltype, elements)
    variables: dict[str, str] = {}
    declared = [o.variable for o in dyn.odes] + [e.name for e in dyn.expressions] + [
        name for name, _ in params]
    # receptor variables of composed cells ('AMPA.gsyn') become 'AMPA__gsyn'
    names = {n: n.replace(".", "__") if "." in n else f"{n}_pynn"
             for n in declared if not _allowed(n)}
    rename = _renamer(names)
    lines = []
    parameters: dict[str, str] = {}
    clamped = set(dyn.clamped)
    substep_reset = _substep_reset(dyn, rename) if _cap(dyn) else ""
    rhs = rename
    if substep_reset:
        lines.append("lamina_fired : 1")      # the threshold was crossed in a sub-step
    for ode in dyn.odes:
        flag = " (unless refractory)" if ode.variable in clamped else ""
        lines.append(f"d{rename(ode.variable)}/dt = {rhs(ode.rhs)} : "
                     f"{brian_unit(ode.unit)}{flag}")
        variables[ode.variable] = ode.unit
    for expr in dyn.expressions:
        lines.append(f"{rename(expr.name)} = {rhs(expr.expression)} : {brian_unit(expr.unit)}")
    for name, unit in params:
        parameters[name] = brian_unit(unit)
        variables[name] = unit
    states = {sv.name for sv in celltype.state_variables}
    derived = frozenset(e.name for e in dyn.expressions if e.name in states)
    for expr in dyn.expressions:
        if expr.name in derived:
            variables[expr.name] = expr.unit
    lines.append("i_inj : amp")
    lines.append("stim_col : integer")      # this cell's column of the current table
    variables["i_inj"] = "nA"
    for name in dyn.previous:
        lines.append(f"{rename(name)}_last : {brian_unit(variables[name])}")
        variables[f"{name}_last"] = variables[name]
    refractory: Any = False
    if dyn.refractory:
        # NEST (and the engine) hold a cell for round(tau_refrac/dt) whole steps after the
        # step of its spike; Brian 2 counts the spike's own step: one step more
        refractory = f"({rename(dyn.refractory)}) + {dt!r}*ms"
    post_names = {names.get(v, v) for v in variables}
    jumps = {}
    tested = set(re.findall(r"[A-Za-z_]\w*", dyn.threshold))
    early = frozenset(r for r, statements in dyn.jumps.items()
                      if any(s.split()[0] in tested for s in statements))
    for receptor, statements in dyn.jumps.items():
        code = [_post(rename(s), post_names) for s in statements]
        if not dyn.jumps_when_refractory and refractory is not False:
            code = [re.sub(r"\+= (.*)$", r"+= (\1)*int(not_refractory_post)", c) for c in code]
        jumps[receptor] = "\n".join(code)
    return BrianModel(equations="\n".join(lines), parameters=parameters,
                      threshold="lamina_fired > 0.5" if substep_reset else rename(dyn.threshold),
                      reset=_step_reset(dyn, rename) if substep_reset
                      else rename("\n".join(dyn.reset)),
                      refractory=refractory,
                      method=(_method(dyn),), after_substep=substep_reset, jumps=jumps,
                      variables=variables, previous=tuple(rename(n) for n in dyn.previous),
                      names=names, early=early, derived=derived, columns=columns)
