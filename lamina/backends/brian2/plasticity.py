"""Synapse dynamics on Brian 2: the ``Synapses`` code of each supported synapse type.

* StaticSynapse: the target receptor's jump with weight ``lamina_w``.
* TsodyksMarkramSynapse: NEST's ``tsodyks_synapse`` (see `lamina.models.synapses`), its
  state (u, x, y) advanced over the interval since the previous spike at each presynaptic
  spike, the jump scaled by the released fraction; tau_psc is the target receptor's
  synaptic time constant (``tau_syn_E_post``/``tau_syn_I_post``; 0 for delta synapses).
  Intervals are measured between presynaptic spike times, as on NEST: the code runs when
  the spike arrives, ``lamina_lag`` (delay - dt, Brian 2's arrival minus lamina's spike
  time) earlier is the spike time, and the first interval counts from t = 0.
* STDPMechanism with SpikePairRule and any of the weight dependences (mu_plus/mu_minus):
  the rule of `lamina.models.plasticity` with the whole delay dendritic: the weight is
  updated when the presynaptic spike leaves (pathway ``plastic``, no delay) with the
  postsynaptic trace, postsynaptic spikes reach the synapse after the connection's delay
  (pathway ``post``, delayed), and the PSC arrives after the delay (pathway ``pre``).
  Traces are event-driven (exact exponentials between events). As on NEST and the engine,
  the weight (``lamina_w``, what `get` returns and the PSC uses) changes only at
  presynaptic spikes; the facilitation by postsynaptic spikes since the last one is
  accumulated in ``w_eager`` (the same sequence of updates, applied when they occur).
* SimpleStochasticSynapse (NEST's ``bernoulli_synapse``): each spike is transmitted with
  probability ``p`` (Brian 2's ``rand()``).
* StochasticTsodyksMarkramSynapse (NEST's ``quantal_stp_synapse`` with one site, as on the
  engine): at each spike after the first, u facilitates (``u = U + u (1 - U)
  exp(-h/tau_facil)``) and an empty site refills with probability ``1 - exp(-h/tau_rec)``
  (h: the interval since the previous spike); a full site releases with probability u
  (the first spike: u = U), transmitting ``weight`` and emptying the site. Draws come from
  Brian 2's random stream, so trains of releases agree with the engine's in statistics.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lamina.errors import NoModelAvailableError


@dataclass(frozen=True)
class SynapseCode:
    """Brian 2 code of one synapse type onto one receptor.

    Attributes
    ----------
    model : Synapses model lines beyond the weight
    on_pre : pathway name -> code ('pre' delivers the PSC after the delay; others have no
        delay)
    on_post : code run when the target spikes ('' for none), after the delay
    parameters : per-connection PyNN parameters -> PyNN unit ('weight' for weight units)
    initial : synaptic state -> initial value (set when a connection is made or reset)
    """

    model: str = ""
    on_pre: dict[str, str] = field(default_factory=dict)
    on_post: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    initial: dict[str, float] = field(default_factory=dict)


_TM = """
U : 1
tau_rec : second
tau_facil : second
u : 1
x : 1
y : 1
lamina_r : 1
t_last : second
lamina_lag : second
"""
_TM_UPDATE = """
h = t - lamina_lag - t_last
Pzz = exp(-h/tau_rec)
Pyy = exp(-h/(tau_psc + int(tau_psc <= 0*ms)*ms)) * int(tau_psc > 0*ms)
Pxy = ((Pzz - 1)*tau_rec - (Pyy - 1)*tau_psc) / (tau_psc - tau_rec)
u = u * exp(-h/(tau_facil + int(tau_facil <= 0*ms)*ms)) * int(tau_facil > 0*ms)
x = x + Pxy*y + (1 - Pzz)*(1 - x - y)
y = y * Pyy
u = u + U*(1 - u)
lamina_r = u*x
x = x - lamina_r
y = y + lamina_r
t_last = t - lamina_lag
"""

_STDP = """
tau_plus : second
tau_minus : second
A_plus : 1
A_minus : 1
w_min : {w}
w_max : {w}
mu_plus : 1
mu_minus : 1
lamina_sign : 1
w_eager : {w}
trace_plus : 1
trace_minus : 1
t_plus_last : second
t_minus_last : second
"""
_STDP_PRE = """
x_w = clip(abs(w_eager)/w_max - A_minus*clip(abs(w_eager)/w_max - w_min/w_max, 0, 1)**mu_minus*trace_minus*exp(-(t - t_minus_last)/tau_minus), w_min/w_max, 1)
w_eager = lamina_sign*x_w*w_max
lamina_w = w_eager
trace_plus = trace_plus*exp(-(t - t_plus_last)/tau_plus) + 1
t_plus_last = t
"""
_STDP_POST = """
x_w = clip(abs(w_eager)/w_max + A_plus*clip(1 - abs(w_eager)/w_max, 0, 1)**mu_plus*trace_plus*exp(-(t - t_plus_last)/tau_plus), w_min/w_max, 1)
w_eager = lamina_sign*x_w*w_max
trace_minus = trace_minus*exp(-(t - t_minus_last)/tau_minus) + 1
t_minus_last = t
"""


_STOCHASTIC_TM = """
U : 1
tau_rec : second
tau_facil : second
u : 1
a : 1
lamina_r : 1
lamina_seen : 1
t_last : second
lamina_lag : second
"""
_STOCHASTIC_TM_UPDATE = """
h = t - lamina_lag - t_last
u_decay = exp(-h/(tau_facil + int(tau_facil <= 0*ms)*ms))*int(tau_facil > 0*ms)
u = lamina_seen*(U + u*(1 - U)*u_decay) + (1 - lamina_seen)*U
a = a + lamina_seen*(1 - a)*int(rand() < 1 - exp(-h/tau_rec))
lamina_r = a*int(rand() < u)
a = a - lamina_r
t_last = t - lamina_lag
lamina_seen = 1
"""


def synapse_code(synapse_type: Any, jump: str, tau_psc: str, weight_unit: str) -> SynapseCode:
    """The Brian 2 code of `synapse_type` onto a receptor whose jump is `jump` (weight
    ``lamina_w``) and whose synaptic time constant is the expression `tau_psc`.

    Raises
    ------
    NoModelAvailableError
        for synapse types the backend does not simulate.
    """
    name = type(synapse_type).__name__
    if name == "StaticSynapse":
        return SynapseCode(on_pre={"pre": jump})
    if name == "TsodyksMarkramSynapse":
        update = _TM_UPDATE.replace("tau_psc", f"({tau_psc})")
        return SynapseCode(model=_TM, on_pre={"pre": update + jump.replace(
            "lamina_w", "(lamina_w*lamina_r)")},
            parameters={"U": "", "tau_rec": "ms", "tau_facil": "ms"},
            initial={"u": 0.0, "x": 1.0, "y": 0.0, "t_last": 0.0})
    if name == "SimpleStochasticSynapse":
        return SynapseCode(model="\np : 1\n", on_pre={"pre": jump.replace(
            "lamina_w", "(lamina_w*int(rand() < p))")}, parameters={"p": ""})
    if name == "StochasticTsodyksMarkramSynapse":
        release = jump.replace("lamina_w", "(lamina_w*lamina_r)")
        return SynapseCode(model=_STOCHASTIC_TM,
                           on_pre={"pre": _STOCHASTIC_TM_UPDATE + release},
            parameters={"U": "", "tau_rec": "ms", "tau_facil": "ms"},
            initial={"u": 0.0, "a": 1.0, "lamina_seen": 0.0, "t_last": 0.0})
    if name == "STDPMechanism" and synapse_type.rule == "pair":
        wd = synapse_type.weight_dependence
        mu = getattr(wd, "fixed_mu", None)
        params = {"tau_plus": "ms", "tau_minus": "ms", "A_plus": "", "A_minus": "",
                  "w_min": "weight", "w_max": "weight"}
        if mu is None:
            params.update({"mu_plus": "", "mu_minus": ""})
        initial = {"trace_plus": 0.0, "trace_minus": 0.0, "t_plus_last": 0.0, "t_minus_last": 0.0}
        if mu is not None:
            initial.update({"mu_plus": mu[0], "mu_minus": mu[1]})
        return SynapseCode(model=_STDP.format(w=weight_unit), on_pre={"pre": jump, "plastic": _STDP_PRE},
                           on_post=_STDP_POST, parameters=params, initial=initial)
    raise NoModelAvailableError(
        f"{name}{'(' + synapse_type.rule + ')' if name == 'STDPMechanism' else ''} is not "
        "available on the brian2 backend (supported: StaticSynapse, TsodyksMarkramSynapse, "
        "SimpleStochasticSynapse, StochasticTsodyksMarkramSynapse, STDPMechanism with "
        "SpikePairRule)")
