"""Probe for compare_with_pynn.py: run with 'pynn' (real PyNN) or 'compat' (lamina)."""
import sys, numpy as np
from _probe import R, sim
from pyNN.random import RandomDistribution, NumpyRNG
sim.setup()
p = sim.Population(5, sim.IF_cond_exp(), label="P")
def show(name, obj):
    try:
        iv = obj.initial_values
    except Exception as e:
        print("==", name, "ERR", type(e).__name__, e); return
    print("==", name, type(iv).__name__)
    try: print("  keys", sorted(iv.keys()))
    except Exception as e: print("  keys ERR", type(e).__name__, e)
    for k in sorted(iv.keys()):
        v = iv[k]
        print("  ", k, type(v).__name__, repr(v)[:200])
        try:
            print("    eval", repr(v.evaluate())[:200] if hasattr(v, "evaluate") else None)
        except Exception as e: print("    evalERR", type(e).__name__, e)
    print("  repr", repr(iv)[:300])
show("fresh", p)
p.initialize(v=-70.0)
show("scalar", p)
p.initialize(v=np.array([-60., -61, -62, -63, -64]))
show("array", p)
p.initialize(v=RandomDistribution("uniform", low=-70, high=-60, rng=NumpyRNG(seed=1)))
show("rand", p)
try:
    p[1:3].initialize(gsyn_exc=0.5)
except Exception as e: print("[viewinit] ERR", type(e).__name__, e)
show("viewinit", p)
show("view", p[1:4])
a = p + sim.Population(2, sim.IF_cond_exp(), label="Q")
show("assembly", a)
p2 = sim.Population(3, sim.IF_curr_exp(), initial_values={"v": -55.0})
show("ctor", p2)
p3 = sim.Population(3, sim.SpikeSourcePoisson())
show("poisson", p3)
