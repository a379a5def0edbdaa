"""A small network run under ``mpiexec -n N`` by the MPI tests: Poisson input, a spike
source array and a current source into excitatory/inhibitory IF_curr_exp and IF_cond_exp
populations connected with static synapses (several delays). Rank 0 writes the gathered
spikes and membrane potentials to ``argv[1]`` (.npz); ``argv[2]`` is the thread count.

Every rank also writes ``<argv[1]>.rank<r>.json``: rank, process count, local sizes and
the part of the data it holds (``gather=False``).
"""
from __future__ import annotations

import json
import sys

import numpy as np

import lamina as sim

out, threads = sys.argv[1], int(sys.argv[2])
sim.setup(timestep=0.1, min_delay=0.5, max_delay=5.0, threads=threads, rng_seed=7)
rng = sim.NumpyRNG(seed=1234)
noise = sim.Population(40, sim.SpikeSourcePoisson(rate=80.0), label="noise")
stim = sim.Population(3, sim.SpikeSourceArray(spike_times=[5.0, 12.0, 12.0, 30.0]),
                      label="stim")
exc = sim.Population(50, sim.IF_curr_exp(tau_m=15.0, v_thresh=-52.0), label="exc")
inh = sim.Population(17, sim.IF_cond_exp(), label="inh")
exc.initialize(v=sim.RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
sim.Projection(noise, exc, sim.FixedProbabilityConnector(0.3, rng=rng),
               sim.StaticSynapse(weight=0.6, delay=0.5), receptor_type="excitatory")
sim.Projection(noise, inh, sim.FixedNumberPreConnector(6, rng=rng),
               sim.StaticSynapse(weight=0.01, delay=1.0), receptor_type="excitatory")
sim.Projection(stim, exc, sim.AllToAllConnector(),
               sim.StaticSynapse(weight=1.5, delay=0.7))
sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.1, rng=rng),
               sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.1, 0.4), rng=rng),
                                 delay=sim.RandomDistribution("uniform", (0.5, 3.0), rng=rng)))
sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.2, rng=rng),
               sim.StaticSynapse(weight=0.005, delay=0.8), receptor_type="excitatory")
sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.3, rng=rng),
               sim.StaticSynapse(weight=-0.7, delay=0.6), receptor_type="inhibitory")
sim.DCSource(amplitude=0.3, start=20.0, stop=60.0).inject_into(exc[10:30])
exc.record(["spikes", "v"])
inh.record("spikes")
noise[:5].record("spikes")
sim.run(60.0)
sim.run(40.0)

data = {}
for pop in (exc, inh, noise):
    block = pop.get_data()
    if sim.rank() == 0:
        seg = block.segments[0]
        data[pop.label + "_ids"] = np.array([st.annotations["source_id"]
                                             for st in seg.spiketrains])
        data[pop.label + "_spikes"] = np.concatenate(
            [[len(st)] + list(np.asarray(st.magnitude)) for st in seg.spiketrains])
        if seg.analogsignals:
            data[pop.label + "_v"] = np.asarray(seg.analogsignals[0].magnitude)
local = exc.get_data(gather=False).segments[0]
info = {"rank": sim.rank(), "num_processes": sim.num_processes(),
        "local_size": {p.label: p.local_size for p in (noise, stim, exc, inh)},
        "local_ids": [int(i) for i in exc.local_cells],
        "local_trains": len(local.spiketrains),
        "local_v_columns": int(local.analogsignals[0].shape[1]) if local.analogsignals else 0,
        "is_local": [bool(exc.is_local(i)) for i in exc.all_cells],
        "id_local": [bool(i.local) for i in exc.all_cells],
        "counts": sum(exc.get_spike_counts().values())}
with open(f"{out}.rank{sim.rank()}.json", "w") as fh:
    json.dump(info, fh)
if sim.rank() == 0:
    np.savez(out, **data)
sim.end()
