"""Spike-timing-dependent plasticity: `STDPMechanism` and its components (PyNN 0.13).

An `STDPMechanism` combines a timing dependence (`SpikePairRule`, `Vogels2011Rule`) with a
weight dependence (`AdditiveWeightDependence`, `MultiplicativeWeightDependence`,
`AdditivePotentiationMultiplicativeDepression`, `GutigWeightDependence`). Its per-connection
attributes are ``weight``, ``delay`` and the parameters of both components.

Rules (what the engine computes; NEST's ``stdp_synapse`` and ``vogels_sprekeler_synapse``,
generalised to w_min != 0). Weight magnitudes |w| are bounded by [w_min, w_max]; the sign
of a weight is the receptor's (negative onto inhibitory current-based receptors).
Presynaptic spikes leave a trace K+ (time constant tau_plus, or tau for Vogels2011Rule,
+1 per spike); postsynaptic spikes a trace K- (tau_minus, or tau; on the engine per
connection, in NEST a parameter of the postsynaptic cell). With the whole delay
dendritic (``dendritic_delay_fraction = 1``, as NEST), at each presynaptic spike t_pre,
with d the delay:

* SpikePairRule: for every postsynaptic spike t_post with t_last < t_post + d <= t_pre
  (in order) facilitation ``x <- min(1, x + A_plus (1 - x)^mu_plus K+(t_post + d))``, then
  depression ``x <- max(x_min, x - A_minus (x - x_min)^mu_minus K-(t_pre - d))`` with
  x = |w|/w_max, x_min = w_min/w_max, and K-(t) counting postsynaptic spikes before t.
  mu = (0, 0): additive; (1, 1): multiplicative; (0, 1): additive potentiation,
  multiplicative depression; Gutig: mu_plus, mu_minus given.
* Vogels2011Rule: ``|w| <- min(w_max, |w| + eta K+(t_post + d))`` per postsynaptic spike,
  then ``|w| <- min(w_max, |w| + eta K-(t_pre - d))`` and ``|w| <- max(w_min, |w| - eta
  alpha)`` with alpha = 2 rho tau (rho in Hz, tau in ms: alpha = 2 rho tau / 1000);
  eta is in weight units (nA or uS).
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from lamina.errors import InvalidParameterValueError, NonExistentParameterError
from lamina.models.base import Parameter, Relation, StandardModelType, StandardSynapseType

_POS: dict[str, Any] = {"low": 0.0, "low_open": True}
_NONNEG: dict[str, Any] = {"low": 0.0}


class STDPTimingDependence(StandardModelType):
    """Base of the timing-dependence components."""

    #: engine rule family: 'pair' (stdp_synapse) or 'vogels' (vogels_sprekeler_synapse)
    rule: ClassVar[str] = ""


class STDPWeightDependence(StandardModelType):
    """Base of the weight-dependence components (bounds w_min <= w_max)."""

    relations = (Relation("w_min", "<=", "w_max"),)
    #: exponents (mu_plus, mu_minus) of the power-law family; None: given as parameters
    fixed_mu: ClassVar[tuple[float, float] | None] = None

    def __init__(self, **parameters: Any) -> None:
        super().__init__(**parameters)
        self.check_values({k: np.asarray(v, dtype=float) for k, v in self.parameter_space.items()
                           if isinstance(v, (int, float)) and not isinstance(v, bool)})


_W_MIN = Parameter("w_min", 0.0, "nA", "minimum synaptic weight (magnitude; nA or uS)", **_NONNEG)
_W_MAX = Parameter("w_max", 1.0, "nA", "maximum synaptic weight (magnitude; nA or uS)", **_POS)


class AdditiveWeightDependence(STDPWeightDependence):
    """Weight changes independent of the weight, clipped to [w_min, w_max]."""

    parameters = (_W_MIN, _W_MAX)
    fixed_mu = (0.0, 0.0)

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0) -> None:
        super().__init__(w_min=w_min, w_max=w_max)


class MultiplicativeWeightDependence(STDPWeightDependence):
    """Potentiation proportional to w_max - w, depression to w - w_min."""

    parameters = (_W_MIN, _W_MAX)
    fixed_mu = (1.0, 1.0)

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0) -> None:
        super().__init__(w_min=w_min, w_max=w_max)


class AdditivePotentiationMultiplicativeDepression(STDPWeightDependence):
    """Fixed potentiation, depression proportional to w - w_min."""

    parameters = (_W_MIN, _W_MAX)
    fixed_mu = (0.0, 1.0)

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0) -> None:
        super().__init__(w_min=w_min, w_max=w_max)


class GutigWeightDependence(STDPWeightDependence):
    """Potentiation proportional to (w_max - w)^mu_plus, depression to (w - w_min)^mu_minus
    (Gütig et al. 2003)."""

    parameters = (_W_MIN, _W_MAX,
                  Parameter("mu_plus", 0.5, "", "exponent of the potentiation", **_NONNEG),
                  Parameter("mu_minus", 0.5, "", "exponent of the depression", **_NONNEG))

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0, mu_plus: Any = 0.5,
                 mu_minus: Any = 0.5) -> None:
        super().__init__(w_min=w_min, w_max=w_max, mu_plus=mu_plus, mu_minus=mu_minus)


class SpikePairRule(STDPTimingDependence):
    """All-to-all spike pairs (Song & Abbott): exponential windows of amplitudes A_plus
    (pre before post) and A_minus (post before pre), relative to w_max."""

    parameters = (
        Parameter("tau_plus", 20.0, "ms", "time constant of the potentiation window", **_POS),
        Parameter("tau_minus", 20.0, "ms", "time constant of the depression window", **_POS),
        Parameter("A_plus", 0.01, "", "amplitude of potentiation (relative to w_max)",
                  **_NONNEG),
        Parameter("A_minus", 0.01, "", "amplitude of depression (relative to w_max)",
                  **_NONNEG))
    rule = "pair"

    def __init__(self, tau_plus: Any = 20.0, tau_minus: Any = 20.0, A_plus: Any = 0.01,
                 A_minus: Any = 0.01) -> None:
        super().__init__(tau_plus=tau_plus, tau_minus=tau_minus, A_plus=A_plus,
                         A_minus=A_minus)


class Vogels2011Rule(STDPTimingDependence):
    """Inhibitory plasticity of Vogels et al. (2011): symmetric potentiation for coincident
    pre- and postsynaptic spikes, constant depression per presynaptic spike; drives the
    postsynaptic rate towards rho."""

    parameters = (
        Parameter("tau", 20.0, "ms", "time constant of the (symmetric) window", **_POS),
        Parameter("eta", 1e-10, "nA", "learning rate (weight units)", **_NONNEG),
        Parameter("rho", 3.0, "Hz", "target postsynaptic rate", **_NONNEG))
    rule = "vogels"

    def __init__(self, tau: Any = 20.0, eta: Any = 1e-10, rho: Any = 3.0) -> None:
        super().__init__(tau=tau, eta=eta, rho=rho)


_BASE = (Parameter("weight", 0.0, "nA", "synaptic weight (nA, uS or mV)"),
         Parameter("delay", None, "ms", "transmission delay", low=0.0, low_open=True))


class STDPMechanism(StandardSynapseType):
    """A plastic synapse: timing dependence x weight dependence.

    Parameters
    ----------
    timing_dependence : SpikePairRule or Vogels2011Rule
    weight_dependence : one of the weight dependences
    voltage_dependence : must be None (no voltage-dependent rule exists)
    dendritic_delay_fraction : share of the delay that is dendritic, in [0, 1] (the
        engine and NEST implement 1.0: all of it)
    weight : initial weight (nA or uS); delay : [ms] (None: the minimum delay)
    """

    parameters = _BASE
    recordable: ClassVar[tuple[str, ...]] = ("weight",)
    state_units: ClassVar[dict[str, str]] = {}

    def __init__(self, timing_dependence: Any = None, weight_dependence: Any = None,
                 voltage_dependence: Any = None, dendritic_delay_fraction: Any = 1.0,
                 weight: Any = 0.0, delay: Any = None) -> None:
        if not isinstance(timing_dependence, STDPTimingDependence):
            raise InvalidParameterValueError(
                f"STDPMechanism: timing_dependence={timing_dependence!r}; expected a timing "
                "dependence such as SpikePairRule() or Vogels2011Rule()")
        if not isinstance(weight_dependence, STDPWeightDependence):
            raise InvalidParameterValueError(
                f"STDPMechanism: weight_dependence={weight_dependence!r}; expected a weight "
                "dependence such as AdditiveWeightDependence()")
        if voltage_dependence is not None:
            raise InvalidParameterValueError(
                f"STDPMechanism: voltage_dependence={voltage_dependence!r}; no voltage-"
                "dependent rule is available (expected None)")
        try:
            ddf = float(dendritic_delay_fraction)
        except (TypeError, ValueError):
            ddf = float("nan")
        if not 0.0 <= ddf <= 1.0:
            raise InvalidParameterValueError(
                f"STDPMechanism: dendritic_delay_fraction={dendritic_delay_fraction!r} is out "
                "of range; allowed: >= 0 and <= 1")
        self.timing_dependence = timing_dependence
        self.weight_dependence = weight_dependence
        self.voltage_dependence = None
        self.dendritic_delay_fraction = ddf
        self._own: dict[str, Any] = {"weight": 0.0, "delay": None}
        self.parameter_space = {}
        self.set_parameters(weight=weight, delay=delay)

    # -- instance-aware declarations (the components decide the attributes) ------------
    def _components(self) -> tuple[StandardModelType, StandardModelType]:
        return self.timing_dependence, self.weight_dependence

    def parameter_table(self) -> dict[str, Parameter]:  # type: ignore[override]
        """Declarations of every per-connection attribute, by name."""
        table = {p.name: p for p in _BASE}
        for comp in self._components():
            table.update(comp.parameter_table())
        return table

    def has_parameter(self, name: str) -> bool:  # type: ignore[override]
        return name in self.parameter_table()

    def get_schema(self) -> dict[str, type]:
        """As every model's, with the mechanism's `dendritic_delay_fraction` after the delay."""
        schema = super().get_schema()
        first = {k: schema.pop(k) for k in ("weight", "delay")}
        return {**first, "dendritic_delay_fraction": float, **schema}

    def get_parameter_names(self) -> list[str]:  # type: ignore[override]
        """weight, delay, then the timing- and weight-dependence parameters."""
        names = [p.name for p in _BASE]
        for comp in self._components():
            names += comp.get_parameter_names()
        return names

    @property
    def relations(self) -> tuple[Relation, ...]:  # type: ignore[override]
        return tuple(STDPWeightDependence.relations)

    @property
    def parameter_space(self) -> dict[str, Any]:
        out = dict(self._own)
        for comp in self._components():
            out.update(comp.parameter_space)
        return out

    @parameter_space.setter
    def parameter_space(self, value: dict[str, Any]) -> None:
        if value:
            self.set_parameters(**value)

    def set_parameters(self, **parameters: Any) -> None:
        """Change weight, delay or a component's parameters."""
        for name, value in parameters.items():
            if name in ("weight", "delay"):
                decl = {p.name: p for p in _BASE}[name]
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    decl.check(np.asarray(value, dtype=float), "STDPMechanism")
                self._own[name] = value
                continue
            for comp in self._components():
                if name in comp.parameter_table():
                    comp.set_parameters(**{name: value})
                    break
            else:
                raise NonExistentParameterError(name, "STDPMechanism", self.get_parameter_names())

    # -- engine facts -------------------------------------------------------------------
    @property
    def rule(self) -> str:
        """'pair' or 'vogels'."""
        return self.timing_dependence.rule

    @property
    def possible_models(self) -> set[str]:
        """NEST synapse model implementing this combination."""
        return {"vogels_sprekeler_synapse"} if self.rule == "vogels" else {"stdp_synapse"}

    def describe(self) -> str:
        return (f"STDPMechanism(timing_dependence={self.timing_dependence.describe()}, "
                f"weight_dependence={self.weight_dependence.describe()}, "
                f"dendritic_delay_fraction={self.dendritic_delay_fraction}, "
                f"weight={self._own['weight']!r}, delay={self._own['delay']!r})")


TIMING_DEPENDENCES = (SpikePairRule, Vogels2011Rule)
WEIGHT_DEPENDENCES = (AdditiveWeightDependence, MultiplicativeWeightDependence,
                      AdditivePotentiationMultiplicativeDepression, GutigWeightDependence)
#: every STDP component by PyNN name
COMPONENTS: dict[str, type[StandardModelType]] = {
    c.__name__: c for c in (*TIMING_DEPENDENCES, *WEIGHT_DEPENDENCES)}
