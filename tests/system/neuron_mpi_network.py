"""A small recurrent network on NEURON, run by tests/system/test_neuron_mpi.py under
``mpiexec -n N``; each process writes what it saw to ``<argv[1]>.<rank>.npz``: the
gathered data (``get_data()``: all cells on rank 0, its own cells elsewhere; ``get`` of
connections and spike counts: all on every rank) and its own part (``gather=False``)."""
import sys

import numpy as np

import lamina.neuron as sim

sim.setup(timestep=0.1, min_delay=0.5, rng_seed=7)
rng = sim.NumpyRNG(seed=11)
noise = sim.Population(20, sim.SpikeSourcePoisson(rate=80.0), label="noise")
cue = sim.Population(3, sim.SpikeSourceArray(spike_times=[[5.0, 12.0], [7.5], [30.0]]))
exc = sim.Population(30, sim.IF_cond_exp(tau_m=15.0), label="exc")
inh = sim.Population(9, sim.IF_curr_alpha(), label="inh")
exc.initialize(v=sim.RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
sim.Projection(noise, exc, sim.FixedProbabilityConnector(0.3, rng=rng),
               sim.StaticSynapse(weight=0.01, delay=1.0), receptor_type="excitatory")
sim.Projection(cue, inh, sim.AllToAllConnector(), sim.StaticSynapse(weight=6.0, delay=0.5))
e2e = sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.2, rng=rng),
                     sim.StaticSynapse(weight=0.004, delay=1.5), receptor_type="excitatory")
e2i = sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.3, rng=rng),
                     sim.TsodyksMarkramSynapse(weight=4.0, delay=0.7, U=0.4, tau_rec=50.0))
i2e = sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.5, rng=rng),
                     sim.StaticSynapse(weight=0.02, delay=0.8), receptor_type="inhibitory")
gap_error = ""
if sim.num_processes() > 1:         # refused: its two cells may be on different processes
    try:
        sim.Projection(exc, exc, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.01))
    except sim.errors.NoModelAvailableError as err:
        gap_error = str(err)
# drawn once for the connections of all processes, in (pre, post) order: the same values
# for any process count
e2e.set(weight=sim.RandomDistribution("uniform", (0.002, 0.006), rng=rng))
exc.record(["spikes", "v"])
inh.record("spikes")
noise.record("spikes")
sim.run(60.0)
exc.set(tau_m=12.0)
inh.record("v")                 # started after the first run
sim.run(120.0)
data = exc.get_data().segments[0]
inh_data = inh.get_data().segments[0]
inh_v = inh_data.analogsignals[0]
noise_spikes = noise.get_data().segments[0].spiketrains
weights = e2e.get("weight", format="list")
tm_u = e2i.get("U", format="array")
local_weights = e2e.get("weight", format="list", gather=False)
local_v = exc.get_data("v", gather=False).segments[0].analogsignals[0]
out = {"rank": sim.rank(), "np": sim.num_processes(), "local_size": exc.local_size,
       "local_ids": np.array([int(c) for c in exc.local_cells]),
       "v": np.asarray(data.analogsignals[0].magnitude),
       "v_ids": np.asarray(data.analogsignals[0].array_annotations["channel_index"]),
       "local_v": np.asarray(local_v.magnitude),
       "local_v_ids": np.asarray(local_v.array_annotations["channel_index"]),
       "local_weights": np.array(local_weights), "local_n": len(e2e), "size": e2e.size(),
       "spike_counts": np.array(list(exc.get_spike_counts().values())),
       "inh_v": np.asarray(inh_v.magnitude), "inh_v_start": float(inh_v.t_start),
       "weights": np.array(weights), "U": np.nan_to_num(tm_u), "gap_error": gap_error}
for name, trains in (("exc", data.spiketrains), ("inh", inh_data.spiketrains),
                     ("noise", noise_spikes)):
    out[f"{name}_ids"] = np.array([st.annotations["source_id"] for st in trains])
    out[f"{name}_times"] = np.concatenate([np.asarray(st.magnitude) for st in trains])
    out[f"{name}_counts"] = np.array([len(st) for st in trains])
np.savez(f"{sys.argv[1]}.{sim.rank()}.npz", **out)
sim.end()
