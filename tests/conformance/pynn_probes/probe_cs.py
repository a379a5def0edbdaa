"""Probe for compare_with_pynn.py: run with 'pynn' (real PyNN) or 'compat' (lamina)."""
import sys, os, numpy as np
if sys.argv[1] == "pynn":
    import pyNN.nest as sim
else:
    import lamina.compat; lamina.compat.install()
    import pyNN.nest as sim
def R(tag, f):
    try: out = f()
    except Exception as e: out = f"ERR {type(e).__name__}: {str(e)[:120]}"
    print(f"[{tag}] {out!r}"[:500])
sim.setup(timestep=0.1)
p = sim.Population(3, sim.IF_curr_exp(), label="P")
sc = sim.StepCurrentSource(times=[10.0, 20.0], amplitudes=[0.5, 0.0])
ac = sim.ACSource(start=5.0, stop=30.0, amplitude=0.2, offset=0.1, frequency=50.0, phase=0.0)
R("inject_into", lambda: sc.inject_into(p[0:2]))
R("inject", lambda: p[2].inject(ac))
R("sc attrs", lambda: (list(sc.times), list(sc.amplitudes)) if not hasattr(sc.times, "evaluate") else (sc.times.evaluate(), sc.amplitudes.evaluate()))
R("ac attrs", lambda: [float(getattr(ac, k)) if not hasattr(getattr(ac, k), "evaluate") else getattr(ac, k).evaluate() for k in ("start", "stop", "amplitude", "offset", "frequency", "phase")])
R("set_parameters", lambda: ac.set_parameters(amplitude=0.3))
R("get_parameters", lambda: sorted(ac.get_parameters().keys()) if hasattr(ac, "get_parameters") else "ABSENT")
R("describe", lambda: ac.describe()[:60])
R("record", lambda: sc.record())
R("sc bad", lambda: sim.StepCurrentSource(times=[20.0, 10.0], amplitudes=[0.5, 0.0]))
R("sc bad len", lambda: sim.StepCurrentSource(times=[10.0], amplitudes=[0.5, 0.0]))
R("dc bad param", lambda: sim.DCSource(foo=1))
R("inject into poisson", lambda: sim.DCSource().inject_into(sim.Population(1, sim.SpikeSourcePoisson())))
p.record("v")
sim.run(40.0)
R("sc get_data", lambda: (lambda s: (s.units.dimensionality.string, s.shape, float(s.t_start), float(s.sampling_period), float(np.asarray(s)[150]), float(np.asarray(s)[50])))(sc.get_data()))
R("v at 15", lambda: np.asarray(p.get_data().segments[0].analogsignals[0])[150].round(3).tolist())
nz = sim.NoisyCurrentSource(mean=0.1, stdev=0.05, start=1.0, stop=20.0, dt=1.0)
R("noisy attrs", lambda: [getattr(nz, k) if not hasattr(getattr(nz, k), "evaluate") else getattr(nz, k).evaluate() for k in ("mean", "stdev", "start", "stop", "dt")])
