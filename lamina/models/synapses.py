"""Standard synapse types (PyNN 0.13 names, parameters, defaults and units).

Every parameter is a per-connection attribute (``Projection.get/set``). Dynamic synapses
declare ``recordable``: the synaptic state that ``Projection.record`` can sample over time
(lamina extension; see `lamina.core.synapse_recording`).

Weights are nA onto current-based receptors, uS onto conductance-based ones (mV onto
IF_curr_delta); inhibitory current-based weights are <= 0.

Dynamics (what the engine computes, after NEST's models):

* `TsodyksMarkramSynapse` -- NEST ``tsodyks_synapse`` (what PyNN 0.13's NEST backend
  uses): resources in three states, recovered x, active y, inactive z = 1 - x - y; between
  presynaptic spikes (interval h) u -> u e^{-h/tau_facil} (u -> 0 if tau_facil = 0),
  y -> y e^{-h/tau_psc}, x recovers from z with tau_rec; at a spike u += U (1 - u), the
  released fraction u x moves from x to y and the PSC amplitude is ``weight * u x``.
  ``tau_psc`` is the target receptor's synaptic time constant (tau_syn_E/tau_syn_I; 0 for
  delta synapses). Initially u = 0, x = 1, y = 0.
* `Tsodyks2Synapse` (lamina extension) -- NEST ``tsodyks2_synapse``: two-state resources,
  x_{n+1} = 1 + (x_n - x_n u_n - 1) e^{-h/tau_rec}, u_{n+1} = U + u_n (1 - U) e^{-h/tau_facil};
  amplitude ``weight * x u``; initially u = U, x = 1.
* `MultiQuantalSynapse` -- NEST ``quantal_stp_synapse``: n release sites, each depleted site
  recovers with probability 1 - e^{-h/tau_rec}, u as in tsodyks2, each available site
  releases with probability u; amplitude ``weight * (number of sites released)``.
* `StochasticTsodyksMarkramSynapse` -- the same with a single release site (n = 1).
* `SimpleStochasticSynapse` -- NEST ``bernoulli_synapse``: each spike transmitted with
  probability p.
* `ElectricalSynapse` -- a gap junction: each connection couples the two cells both ways,
  I = weight (v_other - v_self) [uS * mV = nA].
* `STDPMechanism` -- see `lamina.models.plasticity`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from lamina.errors import InvalidParameterValueError
from lamina.models.base import Parameter, StandardSynapseType

_WEIGHT = Parameter("weight", 0.0, "nA", "synaptic weight (nA, uS or mV)")
_DELAY = Parameter("delay", None, "ms", "transmission delay", low=0.0, low_open=True)
_U = Parameter("U", 0.5, "", "use parameter (utilization increment)", low=0.0, high=1.0)
_TAU_FACIL = Parameter("tau_facil", 0.0, "ms", "facilitation time constant (0: none)", low=0.0)


def _tau_rec(default: float) -> Parameter:
    return Parameter("tau_rec", default, "ms", "depression (recovery) time constant",
                     low=0.0, low_open=True)


@dataclass(frozen=True)
class IntParameter(Parameter):
    """A parameter that must be a whole number (e.g. a number of release sites)."""

    def check(self, values: np.ndarray, model: str) -> None:
        super().check(values, model)
        arr = np.asarray(values, dtype=float)
        bad = arr != np.round(arr)
        if np.any(bad):
            raise InvalidParameterValueError(
                f"{model}: parameter {self.name!r} = {arr[bad].flat[0]!r} is not a whole "
                f"number; allowed: integers {self.range_text()}")


class _DynamicSynapse(StandardSynapseType):
    """Common base of the synapse types with state."""

    #: synaptic state that `Projection.record` can sample (besides 'weight')
    recordable: ClassVar[tuple[str, ...]] = ("weight",)
    #: units of the recordables other than weight (weight: the target's weight unit)
    state_units: ClassVar[dict[str, str]] = {}


class StaticSynapse(_DynamicSynapse):
    """A synapse of fixed weight and delay.

    Parameters
    ----------
    weight : float — nA for current-based targets, uS for conductance-based ones, mV for
        IF_curr_delta; inhibitory current-based weights are <= 0, conductances >= 0
    delay : float — transmission delay [ms]; None means the simulation's minimum delay
    """

    parameters = (_WEIGHT, _DELAY)


class ElectricalSynapse(_DynamicSynapse):
    """A bidirectional electrical synapse (gap junction) of fixed conductance.

    Parameters
    ----------
    weight : float — conductance of the junction [uS], >= 0; the current into each of the
        two cells is ``weight * (v_other - v_self)``
    """

    parameters = (Parameter("weight", 0.0, "uS", "gap-junction conductance", low=0.0),)


class TsodyksMarkramSynapse(_DynamicSynapse):
    """Short-term depression and facilitation (Tsodyks, Uziel & Markram 2000), as NEST's
    ``tsodyks_synapse`` with tau_psc the target's synaptic time constant.

    Parameters
    ----------
    weight, delay : as `StaticSynapse`
    U : use parameter, in [0, 1]
    tau_rec : depression time constant [ms], > 0
    tau_facil : facilitation time constant [ms], >= 0 (0: no facilitation)
    """

    parameters = (_WEIGHT, _DELAY, _U, _tau_rec(100.0), _TAU_FACIL)
    recordable = ("weight", "u", "x", "y")
    state_units = {"u": "", "x": "", "y": ""}


class Tsodyks2Synapse(_DynamicSynapse):
    """lamina extension: the Tsodyks-Markram model as NEST's ``tsodyks2_synapse``
    (two-state resources; see the module docstring). Same parameters as
    `TsodyksMarkramSynapse`."""

    parameters = (_WEIGHT, _DELAY, _U, _tau_rec(100.0), _TAU_FACIL)
    recordable = ("weight", "u", "x")
    state_units = {"u": "", "x": ""}


class SimpleStochasticSynapse(_DynamicSynapse):
    """Each presynaptic spike is transmitted with probability `p` (NEST bernoulli_synapse).

    Parameters
    ----------
    weight, delay : as `StaticSynapse`
    p : transmission probability, in [0, 1]
    """

    parameters = (_WEIGHT, _DELAY,
                  Parameter("p", 0.5, "", "probability of transmission", low=0.0, high=1.0))


class StochasticTsodyksMarkramSynapse(_DynamicSynapse):
    """Stochastic release with short-term depression and facilitation (Fuhrmann et al.
    2002): one release site, released with probability u and recovering with time constant
    tau_rec.

    Parameters
    ----------
    weight, delay : as `StaticSynapse`
    U : use parameter, in [0, 1]
    tau_rec : depression time constant [ms], > 0
    tau_facil : facilitation time constant [ms], >= 0
    """

    parameters = (_WEIGHT, _DELAY, _U, _tau_rec(800.0), _TAU_FACIL)
    recordable = ("weight", "u", "a")
    state_units = {"u": "", "a": ""}


class MultiQuantalSynapse(_DynamicSynapse):
    """Quantal stochastic release from `n` sites with short-term plasticity (NEST
    ``quantal_stp_synapse``); the amplitude is ``weight`` per released site.

    Parameters
    ----------
    weight, delay : as `StaticSynapse`
    U : use parameter, in [0, 1]
    n : number of release sites, a whole number >= 1
    tau_rec : depression time constant [ms], > 0
    tau_facil : facilitation time constant [ms], >= 0
    """

    parameters = (_WEIGHT, _DELAY, _U,
                  IntParameter("n", 1, "", "number of release sites", low=1.0, kind="int"),
                  _tau_rec(800.0), _TAU_FACIL)
    recordable = ("weight", "u", "a")
    state_units = {"u": "", "a": ""}


def _stdp_mechanism() -> type:
    from lamina.models.plasticity import STDPMechanism
    return STDPMechanism


def __getattr__(name: str) -> Any:  # STDPMechanism lives in plasticity (no import cycle)
    if name == "STDPMechanism":
        return _stdp_mechanism()
    raise AttributeError(name)


#: the synapse types of this module (STDPMechanism is added by `lamina.models`)
ALL = (StaticSynapse, ElectricalSynapse, TsodyksMarkramSynapse, Tsodyks2Synapse,
       SimpleStochasticSynapse, StochasticTsodyksMarkramSynapse, MultiQuantalSynapse)
