"""Probe for compare_with_pynn.py: run with 'pynn' (real PyNN) or 'compat' (lamina)."""
import sys, numpy as np
if sys.argv[1] == "pynn":
    import pyNN.nest as sim
else:
    import lamina.compat; lamina.compat.install()
    import pyNN.nest as sim
sim.setup()
p = sim.Population(4, sim.IF_cond_exp(), label="P")
q = sim.Population(2, sim.SpikeSourcePoisson(), label="Q")
off = int(p.first_id)
def R(tag, f):
    try: out = f()
    except Exception as e: out = f"ERR {type(e).__name__}: {e}"
    print(f"[{tag}] {out!r}")
R("all", lambda: [int(i) - off for i in p.all()])
R("all type", lambda: type(p.all()).__name__)
R("view all", lambda: [int(i) - off for i in p[1:3].all()])
R("asm all", lambda: [int(i) - off for i in (p + q).all()][:5])
for v in ("v", "gsyn_exc", "spikes", "tau_m", "cm", "i_offset", "foo"):
    R("find_units " + v, lambda v=v: p.find_units(v))
R("q find_units rate", lambda: q.find_units("rate"))
R("asm find_units", lambda: (p + q).find_units("v"))
R("id_to_local_index", lambda: p.id_to_local_index(p[2]))
R("id_to_local_index arr", lambda: p.id_to_local_index(p.all_cells[[3, 1]]))
R("view id_to_local_index", lambda: p[1:3].id_to_local_index(p[2]) if hasattr(p[1:3], "id_to_local_index") else "ABSENT")
R("injectable", lambda: (p.injectable, q.injectable, p[1:2].injectable, (p + q).injectable))
R("position_generator", lambda: list(p.position_generator(2)))
R("view position_generator", lambda: list(p[1:3].position_generator(0)))
R("receptor_types", lambda: p.receptor_types)
R("asm receptor_types", lambda: (p + q).receptor_types)
R("view receptor_types", lambda: p[1:2].receptor_types)
a = p + q
R("asm annotations", lambda: a.annotations)
R("asm annotate", lambda: (a.annotate(x=1), a.annotations)[1] if hasattr(a, "annotate") else "ABSENT")
R("asm get_annotations", lambda: a.get_annotations() if hasattr(a, "get_annotations") else "ABSENT")
R("pop get_annotations", lambda: p.get_annotations() if hasattr(p, "get_annotations") else "ABSENT")
prj = sim.Projection(q, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
R("prj annotations", lambda: prj.annotations)
R("prj annotate", lambda: (prj.annotate(y=2), prj.annotations)[1])
R("prj initial_values", lambda: prj.initial_values)
R("id is_standard_cell", lambda: p[0].is_standard_cell)
R("id local", lambda: p[0].local)
R("id as_view", lambda: repr(p[1].as_view()))
R("id celltype", lambda: type(p[1].celltype).__name__)
R("id get_parameters", lambda: sorted(p[1].get_parameters().items())[:2])
R("id set_parameters", lambda: (p[1].set_parameters(tau_m=11.0), p[1].tau_m)[1])
R("id set_initial", lambda: (p[1].set_initial_value("v", -61.0), p[1].get_initial_value("v"), p.initial_values["v"].evaluate().tolist())[1:])
R("id bad attr", lambda: p[1].foo)
R("id eq int", lambda: (p[1] == off + 1, hash(p[1]) == hash(off + 1)))
R("id repr", lambda: (repr(p[1]) == repr(off + 1), str(p[1]) == str(off + 1)))
R("id parent", lambda: p[1].parent.label)
R("id position", lambda: list(p[1].position))
R("pop index_to_id?", lambda: hasattr(p, "index_to_id"))
