"""Property-based tests over the public API (hypothesis): random valid and invalid
arguments to Population, set, initialize, connectors, Projection.set, record and run.

Every call either succeeds with values the model accepts (finite, in range: never a silent
acceptance of a bad value) or raises a `lamina.errors` exception; never another exception,
a crash or a hang; and data recorded before a refused call are unchanged afterwards.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamina
from lamina import errors

pytestmark = pytest.mark.timeout(240)

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.integers(-10**6, 10**6), st.sampled_from([0.0, -0.0, 1e-300, 1e300]))
ANYTHING = st.one_of(NUMBERS, st.none(), st.booleans(), st.text(max_size=4),
                     st.lists(NUMBERS, max_size=5),
                     st.builds(lambda v: np.full(2, v), NUMBERS),
                     st.dictionaries(st.text(max_size=3), NUMBERS, max_size=2))
CELL_TYPES = ["IF_curr_exp", "IF_cond_exp", "IF_curr_alpha", "Izhikevich",
              "EIF_cond_exp_isfa_ista", "SpikeSourcePoisson"]


@pytest.fixture(scope="module")
def world():
    """A small network that has run 10 ms with recording on; shared by every example."""
    sim = lamina
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    src = sim.Population(3, sim.SpikeSourcePoisson(rate=200.0), label="src")
    cells = sim.Population(4, sim.IF_cond_exp(), label="cells")
    prj = sim.Projection(src, cells, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.01, delay=0.5))
    cells.record(["spikes", "v"])
    sim.run(10.0)
    yield sim, src, cells, prj
    sim.end()


@pytest.fixture(scope="module")
def scratch():
    """A simulation of its own for population creation: the populations the examples
    create (valid but extreme values included) are never run."""
    sim = lamina
    sim.setup(timestep=0.1)
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    cells.record(["spikes", "v"])
    sim.run(5.0)
    yield sim, cells
    sim.end()


def _recorded(cells):
    seg = cells.get_data().segments[-1]
    return seg.analogsignals[0].magnitude.copy(), [np.asarray(s) for s in seg.spiketrains]


def _same_recording(a, b):
    v_a, s_a = a
    v_b, s_b = b
    n = v_a.shape[0]   # data recorded later may follow; what was there must be unchanged
    np.testing.assert_array_equal(v_b[:n], v_a)
    for x, y in zip(s_a, s_b):
        np.testing.assert_array_equal(y[:len(x)], x)


def _refused_or_valid(call, check_valid=None):
    """Run `call`; a lamina error is a refusal (returns None); any other exception fails
    the test; on success `check_valid` verifies nothing invalid was accepted."""
    try:
        result = call()
    except errors.LaminaError:
        return None
    if check_valid is not None:
        check_valid(result)
    return result


def _values_are_valid(pop, names):
    table = pop.celltype.parameter_table()
    for name in names:
        decl = table[name]
        if decl.kind != "float":
            continue
        vals = np.atleast_1d(np.asarray(pop.get(name, simplify=False), dtype=float))
        decl.check(vals, type(pop.celltype).__name__)   # raises if out of range / NaN / inf


@SETTINGS
@given(size=st.one_of(st.integers(-3, 30), st.floats(-3.0, 30.0),
                      st.sampled_from([math.nan, math.inf, -math.inf, 2.5, 10**12, 10**15]),
                      st.text(max_size=3), st.none(),
                      st.tuples(st.integers(-2, 5), st.integers(-2, 5))),
       celltype=st.sampled_from(CELL_TYPES),
       params=st.dictionaries(st.sampled_from(["tau_m", "cm", "v_thresh", "rate", "a",
                                               "i_offset", "tau_refrac", "bogus"]),
                              ANYTHING, max_size=3))
def test_population_creation(scratch, size, celltype, params):
    sim, cells = scratch
    before = _recorded(cells)
    pop = _refused_or_valid(lambda: sim.Population(size, getattr(sim, celltype), params))
    if pop is not None:
        assert pop.size == int(np.prod(size)) and pop.size >= 0
        _values_are_valid(pop, [k for k in params if k in pop.celltype.get_parameter_names()])
    _same_recording(before, _recorded(cells))


@SETTINGS
@given(duration=st.one_of(st.floats(-5.0, 3.0), st.sampled_from([math.nan, math.inf,
                                                                  -math.inf, 0.0, 1e-12]),
                          st.text(max_size=2), st.none(), st.lists(NUMBERS, max_size=2)),
       until=st.booleans())
def test_run(world, duration, until):
    """Runs first: the tests after it leave valid but extreme values (cm = 1e-300, ...)
    that the adaptive integrators would crawl through."""
    sim, _, cells, _ = world
    before, t0 = _recorded(cells), sim.get_current_time()
    done = _refused_or_valid(lambda: (sim.run_until(duration) if until else sim.run(duration)))
    t1 = sim.get_current_time()
    if done is None:
        assert t1 == t0
    else:
        assert math.isfinite(t1) and t1 >= t0
    _same_recording(before, _recorded(cells))


@SETTINGS
@given(params=st.dictionaries(st.sampled_from(["tau_m", "cm", "v_reset", "tau_syn_E",
                                               "e_rev_E", "i_offset", "tau_mm"]),
                              ANYTHING, min_size=1, max_size=3))
def test_population_set(world, params):
    sim, _, cells, _ = world
    before, old = _recorded(cells), {k: cells.get(k, simplify=False) for k in ("tau_m", "cm")}
    done = _refused_or_valid(lambda: cells.set(**params) or True)
    if done:
        _values_are_valid(cells, [k for k in params if k != "tau_mm"])
    else:
        for k, v in old.items():
            np.testing.assert_array_equal(cells.get(k, simplify=False), v)
    _same_recording(before, _recorded(cells))


@SETTINGS
@given(values=st.dictionaries(st.sampled_from(["v", "gsyn_exc", "w"]), ANYTHING,
                              min_size=1, max_size=2))
def test_initialize(world, values):
    sim, _, cells, _ = world
    before = _recorded(cells)
    done = _refused_or_valid(lambda: cells.initialize(**values) or True)
    if done:
        for name in values:
            got = np.asarray([cells.grandparent._initial[name][i] for i in range(cells.size)])
            assert np.all(np.isfinite(got))
    _same_recording(before, _recorded(cells))


CONNECTORS = st.one_of(
    st.builds(lambda p: ("FixedProbabilityConnector", (p,), {}), ANYTHING),
    st.builds(lambda n: ("FixedNumberPreConnector", (n,), {}), ANYTHING),
    st.builds(lambda n: ("FixedNumberPostConnector", (n,), {}), ANYTHING),
    st.builds(lambda n: ("FixedTotalNumberConnector", (n,), {}), ANYTHING),
    st.builds(lambda a: ("AllToAllConnector", (), {"allow_self_connections": a}), ANYTHING),
    st.builds(lambda c: ("FromListConnector", (c,), {}),
              st.lists(st.tuples(st.integers(-2, 5), st.integers(-2, 5), NUMBERS, NUMBERS),
                       max_size=4)),
    st.builds(lambda d: ("DistanceDependentProbabilityConnector", (d,), {}),
              st.one_of(st.text(max_size=6), st.sampled_from(["exp(-d)", "d <", "1/0",
                                                              "__import__('os')"]))))


@SETTINGS
@given(spec=CONNECTORS, weight=ANYTHING, delay=ANYTHING)
def test_connectors_and_projection(world, spec, weight, delay):
    sim, src, cells, _ = world
    before = _recorded(cells)
    name, args, kwargs = spec

    def build():
        conn = getattr(sim, name)(*args, **kwargs, rng=sim.NumpyRNG(seed=3)) \
            if name.startswith("Fixed") else getattr(sim, name)(*args, **kwargs)
        return sim.Projection(src, cells, conn, sim.StaticSynapse(weight=weight, delay=delay))

    def valid(prj):
        if prj.size():
            w, d = (np.asarray(prj.get(a, format="list", with_address=False), float)
                    for a in ("weight", "delay"))
            assert np.all(np.isfinite(w)) and np.all(w >= 0)
            assert np.all(np.isfinite(d)) and np.all(d >= 0.1 - 1e-9) and np.all(d <= 10.0)

    _refused_or_valid(build, valid)
    _same_recording(before, _recorded(cells))


@SETTINGS
@given(attrs=st.dictionaries(st.sampled_from(["weight", "delay", "U", "tau_rec", "tau_facil",
                                              "bogus"]), ANYTHING, min_size=1, max_size=2))
def test_projection_set(world, attrs):
    sim, _, cells, prj = world
    before = _recorded(cells)
    old = {a: np.asarray(prj.get(a, format="list", with_address=False), float)
           for a in ("weight", "delay", "U", "tau_rec")}
    done = _refused_or_valid(lambda: prj.set(**attrs) or True)
    for a, v in old.items():
        now = np.asarray(prj.get(a, format="list", with_address=False), float)
        assert np.all(np.isfinite(now))
        if not done:
            np.testing.assert_array_equal(now, v)
    _same_recording(before, _recorded(cells))


@SETTINGS
@given(variables=st.one_of(ANYTHING, st.sampled_from(["v", "spikes", "gsyn_exc", "w", "all"]),
                           st.lists(st.sampled_from(["v", "spikes", "u", "x"]), max_size=3)),
       interval=st.one_of(st.none(), NUMBERS, st.text(max_size=2)))
def test_record(world, variables, interval):
    sim, src, cells, _ = world
    other = sim.Population(2, sim.IF_curr_exp())
    before = _recorded(cells)
    _refused_or_valid(lambda: other.record(variables, sampling_interval=interval))
    _same_recording(before, _recorded(cells))
