"""Probe for compare_with_pynn.py: run with 'pynn' (real PyNN) or 'compat' (lamina)."""
import sys, os, numpy as np
from _probe import R, sim
sim.setup(timestep=0.1)
p = sim.Population(4, sim.IF_cond_exp(i_offset=1.0), label="P")
off = int(p.first_id)
R("rec view si", lambda: p[0:2].record("v", sampling_interval=0.5))
R("rec view2 other si", lambda: p[2:4].record("v", sampling_interval=1.0))
R("rec v again same", lambda: p[0:1].record("v", sampling_interval=0.5))
R("rec spikes view", lambda: p[1:3].record("spikes"))
#R("rec all", lambda: p[3:4].record("all"))
#R("rec none view", lambda: p[0:1].record(None))
sim.run(10.0)
seg = p.get_data().segments[0]
R("sigs", lambda: [(s.name, s.shape, float(s.sampling_period), [int(c) for c in s.array_annotations["channel_index"]]) for s in seg.analogsignals])
R("sts", lambda: [(st.annotations["source_index"], len(st)) for st in seg.spiketrains])
R("get_data v only on spikes-view", lambda: [s.name for s in p[1:2].get_data("v").segments[0].analogsignals])
R("get_data unrecorded var", lambda: [s.name for s in p.get_data("gsyn_inh").segments[0].analogsignals])
R("get_data bad var", lambda: p.get_data("foo"))
R("get_data list", lambda: [s.name for s in p.get_data(["spikes", "v"]).segments[0].analogsignals])
R("view get_data sts", lambda: [st.annotations["source_index"] for st in p[2:4].get_data().segments[0].spiketrains])
R("seg annotations", lambda: sorted(seg.annotations))
R("block ann", lambda: {k: v for k, v in p.get_data().annotations.items() if k in ("size", "first_index", "last_index", "label")})
R("view block ann", lambda: {k: (v - off if k.endswith("_id") else v) for k, v in p[1:3].get_data().annotations.items() if k in ("size", "first_index", "last_index", "label", "first_id", "last_id")})
