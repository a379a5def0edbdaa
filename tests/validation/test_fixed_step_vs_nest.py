"""The integration schemes of the conductance-based cells (`setup(integrator=...)`,
`lamina.backends.engine.fixed_step`) other than the default against NEST's iaf_cond_exp /
iaf_cond_alpha (the default, "rkf45", is what ``test_engine_vs_nest_networks`` runs): the
fixed-step "rk4" with the same tolerances (per cell the same spike count and spike times
within 0.5 ms; networks within 1 % of NEST's count), Brian 2's "exponential_euler" with
a looser one (no error control).
"""
from __future__ import annotations

import numpy as np
import pytest

import test_engine_vs_nest_networks as ref
from lamina.backends.base import BackendConfig
from lamina.backends.engine import EngineBackend
from lamina.backends.engine.fixed_step import DEFAULT_INTEGRATOR
from lamina.models import IF_cond_alpha, IF_cond_exp

pytest.importorskip("nest")


@pytest.fixture(autouse=True)
def _own_step_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compile the step loop of each tested combination only (not one holding every
    model per scheme, `assemble`'s test-suite mode)."""
    monkeypatch.setenv("LAMINA_ENGINE_ALL_MODELS", "0")


def _with_integrator(monkeypatch: pytest.MonkeyPatch, integrator: str) -> None:
    """Make the reference module's engine runs use `integrator`."""
    def backend(config: BackendConfig) -> EngineBackend:
        config.extra["integrator"] = integrator
        return EngineBackend(config)
    monkeypatch.setattr(ref, "EngineBackend", backend)


def test_default_is_nests_scheme() -> None:
    assert DEFAULT_INTEGRATOR == "rkf45"
    assert EngineBackend(BackendConfig()).integrator == "rkf45"


@pytest.mark.slow
@pytest.mark.parametrize("model", [IF_cond_exp, IF_cond_alpha])
@pytest.mark.parametrize("seed", [1, 2])
def test_rk4_close_to_nest(monkeypatch: pytest.MonkeyPatch, model: type, seed: int) -> None:
    _with_integrator(monkeypatch, "rk4")
    ref.test_conductance_based_models_close_to_nest(model, seed)


@pytest.mark.slow
def test_rk4_recurrent_network_close_to_nest(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_integrator(monkeypatch, "rk4")
    ref.test_recurrent_random_network_matches_nest(IF_cond_exp)


@pytest.mark.slow
@pytest.mark.parametrize("model", [IF_cond_exp, IF_cond_alpha])
def test_exponential_euler_spike_counts_near_nest(monkeypatch: pytest.MonkeyPatch,
                                                  model: type) -> None:
    """Brian 2's scheme has no error control: its per-cell counts may differ, the total
    of the small validation network stays within 5 % of NEST's."""
    _with_integrator(monkeypatch, "exponential_euler")
    net = ref._network(model, 1)
    _, s_e = ref._run_engine(model, net)
    _, s_n = ref._run_nest(model, net)
    n_e, n_n = sum(len(s) for s in s_e), sum(len(s) for s in s_n)
    assert n_n > 20
    assert abs(n_e - n_n) <= 0.05 * n_n
