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
R("setup ret", lambda: sim.setup(timestep=0.1, min_delay=0.2, max_delay=5.0))
R("getters", lambda: (sim.get_time_step(), sim.get_min_delay(), sim.get_max_delay(), sim.get_current_time()))
R("state", lambda: (sim.state.dt, sim.state.min_delay, sim.state.t, sim.state.mpi_rank, sim.state.num_processes) if hasattr(sim, "state") else "ABSENT")
c = sim.create(sim.IF_cond_exp, {"tau_m": 15.0}, n=3)
R("create", lambda: (type(c).__name__, c.size, c.get("tau_m")))
c2 = sim.create(sim.IF_cond_exp(tau_m=12.0), n=2)
R("connect", lambda: type(sim.connect(c, c2, weight=0.01, delay=0.5, p=1.0)).__name__)
R("connect rng", lambda: sim.connect(c, c2, weight=0.01, delay=0.5, receptor_type="inhibitory", p=0.5, rng=sim.NumpyRNG(1)).size())
R("set fn", lambda: (sim.set(c, tau_m=18.0), c.get("tau_m"))[1])
R("initialize fn", lambda: (sim.initialize(c, v=-60.0), c.initial_values["v"].evaluate(simplify=True))[1])
R("record fn", lambda: sim.record(["v", "spikes"], c, os.path.join(__import__("tempfile").gettempdir(), "lamina_probe_rec_%s.pkl" % sys.argv[1])))
R("run ret", lambda: sim.run(10.0))
R("run_for", lambda: sim.run_for(5.0))
R("run_until", lambda: sim.run_until(20.0))
R("run_until past", lambda: sim.run_until(10.0))
R("t", lambda: sim.get_current_time())
R("run callbacks", lambda: sim.run(5.0, callbacks=[lambda t: t + 2.5]))
R("t2", lambda: sim.get_current_time())
R("reset ret", lambda: sim.reset(annotations={"trial": 2}) if False else None)
R("num procs", lambda: (sim.num_processes(), sim.rank()))
R("run 0", lambda: sim.run(0))
R("run neg", lambda: sim.run(-1.0))
R("end", lambda: sim.end())
R("file written", lambda: os.path.exists(os.path.join(__import__("tempfile").gettempdir(), "lamina_probe_rec_%s.pkl" % sys.argv[1])))
R("setup again", lambda: sim.setup(timestep=0.05))
R("getters2", lambda: (sim.get_time_step(), sim.get_min_delay(), sim.get_current_time()))
R("setup bad dt", lambda: sim.setup(timestep=-1))
R("setup min>max", lambda: sim.setup(min_delay=5.0, max_delay=1.0))
R("setup extra kw", lambda: sim.setup(timestep=0.1, foo=1))
R("setup min_delay auto", lambda: (sim.setup(timestep=0.1, min_delay="auto"), sim.get_min_delay())[1])
R("list_standard_models", lambda: sorted(sim.list_standard_models())[:5])
R("list len", lambda: len(sim.list_standard_models()))
