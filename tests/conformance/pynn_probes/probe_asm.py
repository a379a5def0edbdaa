"""Probe for compare_with_pynn.py: run with 'pynn' (real PyNN) or 'compat' (lamina)."""
import sys, numpy as np
if sys.argv[1] == "pynn":
    import pyNN.nest as sim
else:
    import lamina.compat; lamina.compat.install()
    import pyNN.nest as sim
sim.setup()
p = sim.Population(4, sim.IF_cond_exp(), label="P")
q = sim.Population(3, sim.IF_cond_exp(), label="Q")
off=int(p.first_id)
def R(tag, f):
    try: out = f()
    except Exception as e: out = f"ERR {type(e).__name__}: {e}"
    print(f"[{tag}] {out}")
a = p + p[1:2]
R("dup size", lambda: (a.size, len(a), len(a.all_cells), [int(c)-off for c in a.all_cells]))
R("dup pos", lambda: a.positions.shape)
b = q + p
R("order", lambda: [int(c)-off for c in b.all_cells])
R("first/last", lambda: (int(b.first_id)-off, int(b.last_id)-off))
R("getitem list", lambda: [int(c)-off for c in b[[5, 0, 1]].all_cells])
R("getitem list pops", lambda: [x.label for x in b[[5, 0, 1]].populations])
R("getitem slice label", lambda: b[1:5].label)
R("getitem bool", lambda: [int(c)-off for c in b[np.arange(7) % 2 == 0].all_cells])
R("sample", lambda: b.sample(2).size)
R("iadd", lambda: None)
c = p + q
c += sim.Population(2, sim.IF_cond_exp(), label="R")
R("iadd size", lambda: (c.size, [x.label for x in c.populations]))
R("add non-pop", lambda: p + 3)
R("assembly of view", lambda: sim.Assembly(p[0:2], q).size)
R("assembly bad", lambda: sim.Assembly(p, 3))
R("asm label kw", lambda: sim.Assembly(p, q, label="X").label)
R("asm id_to_index bad", lambda: sim.Assembly(p).id_to_index(q[0]))
R("asm getitem oor", lambda: b[100])
R("asm get list", lambda: b.get(["tau_m", "cm"]))
R("asm get gather", lambda: b.get("tau_m", gather=True))
R("asm set", lambda: (b.set(tau_m=15.0), p.get("tau_m"))[1])
R("asm ne", lambda: (p + q) != (p + q))
R("asm in", lambda: (q[0] in b))
R("asm describe", lambda: b.describe()[:60])
R("asm local_cells", lambda: len(b.local_cells))
R("asm count", lambda: (b.size, b.first_id is not None))
