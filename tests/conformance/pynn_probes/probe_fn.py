"""Probe for compare_with_pynn.py: run with 'pynn' (real PyNN) or 'compat' (lamina)."""
import sys, numpy as np
from _probe import R, sim
sim.setup()
p = sim.Population(6, sim.IF_cond_exp())
R("view set fn", lambda: (p[2:5].set(tau_m=lambda i: 10.0 + i), p.get("tau_m").tolist())[1])
R("view set arr", lambda: (p[[4, 1]].set(cm=np.array([2.0, 3.0])), p.get("cm").tolist())[1])
R("vv set fn", lambda: (p[1:6][::2].set(v_thresh=lambda i: -50.0 + i), p.get("v_thresh").tolist())[1])
R("view init fn", lambda: (p[3:5].initialize(v=lambda i: -60.0 - i), p.initial_values["v"].evaluate().tolist())[1] if True else None)
R("pop set fn", lambda: (p.set(tau_refrac=lambda i: 1.0 + i), p.get("tau_refrac").tolist())[1])
R("view get", lambda: p[::-2].get("tau_refrac").tolist())
R("set seq on view", lambda: p[1:3].set(tau_m=[1.0, 2.0]))
