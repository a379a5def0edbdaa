"""A small network run under ``mpiexec -n N`` (or as one process) by the MPI tests.

``python network.py OUT SCALE``: Poisson input, a spike source array and a current
source into excitatory/inhibitory IF_curr_exp and IF_cond_exp populations connected by
static synapses with several delays, each population of SCALE x its base size (SCALE 0:
two cells per population, so that under 3 processes rank 0 simulates no cell at all).
Connectors: fixed probability, fixed in-degree, fixed total number, all-to-all, with
random weights and delays drawn from the connectors' generator. The network is built
and run twice, with 1 and with 2 threads; rank 0 writes the gathered
spikes and membrane potentials to ``OUT_t<threads>.npz``, and every rank writes
``OUT_t<threads>.rank<r>.json`` (rank, process count, local sizes, its own part of the
data, ``gather=False``).
"""
from __future__ import annotations

import json
import sys

import numpy as np

import lamina as sim


def size(base: int, scale: int) -> int:
    return base * scale if scale else 2


def run(out: str, scale: int, threads: int) -> None:
    sim.setup(timestep=0.1, min_delay=0.5, max_delay=5.0, threads=threads, rng_seed=7)
    rng = sim.NumpyRNG(seed=1234)
    noise = sim.Population(size(20, scale), sim.SpikeSourcePoisson(rate=80.0), label="noise")
    stim = sim.Population(3 if scale else 2,
                          sim.SpikeSourceArray(spike_times=[5.0, 12.0, 12.0, 30.0]),
                          label="stim")
    exc = sim.Population(size(25, scale), sim.IF_curr_exp(tau_m=15.0, v_thresh=-52.0),
                         label="exc")
    inh = sim.Population(size(8, scale) + (1 if scale else 0), sim.IF_cond_exp(), label="inh")
    # many recorded high-rate sources: the spike record buffer fills within a chunk
    fast = sim.Population(size(200, scale), sim.SpikeSourcePoisson(
        rate=2000.0), label="fast")
    fast.record("spikes")
    # one-to-one Poisson drive: delivered directly in one process (`poisson.direct_deliver`),
    # through the exchanged spikes over MPI; bitwise the same
    drive = sim.Population(size(25, scale), sim.SpikeSourcePoisson(rate=500.0), label="drive")
    sim.Projection(fast, exc, sim.FixedProbabilityConnector(0.05 if scale else 1.0, rng=rng),
                   sim.StaticSynapse(weight=0.002, delay=0.5), receptor_type="excitatory")
    exc.initialize(v=sim.RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
    p_noise = 0.3 if scale else 1.0
    sim.Projection(noise, exc, sim.FixedProbabilityConnector(p_noise, rng=rng),
                   sim.StaticSynapse(weight=0.6, delay=0.5), receptor_type="excitatory")
    sim.Projection(noise, inh, sim.FixedNumberPreConnector(2, rng=rng),
                   sim.StaticSynapse(weight=0.01, delay=1.0), receptor_type="excitatory")
    total = sim.Projection(noise, inh, sim.FixedTotalNumberConnector(
        30 if scale else 3, with_replacement=False, rng=rng), sim.StaticSynapse(
        weight=sim.RandomDistribution("uniform", (0.004, 0.008), rng=rng), delay=1.2),
        receptor_type="excitatory")
    sim.Projection(stim, exc, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.5, delay=0.7))
    sim.Projection(drive, exc, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.3, delay=0.5))
    e2e = sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.1 if scale else 0.5, rng=rng),
                   sim.StaticSynapse(
                       weight=sim.RandomDistribution("uniform", (0.1, 0.4), rng=rng),
                       delay=sim.RandomDistribution("uniform", (0.5, 3.0), rng=rng)))
    sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.2 if scale else 1.0, rng=rng),
                   sim.StaticSynapse(weight=0.005, delay=0.8), receptor_type="excitatory")
    sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.3 if scale else 1.0, rng=rng),
                   sim.StaticSynapse(weight=-0.7, delay=0.6), receptor_type="inhibitory")
    sim.DCSource(amplitude=0.3, start=20.0, stop=60.0).inject_into(exc[1:exc.size // 2 + 1])
    exc.record(["spikes", "v"])
    inh.record("spikes")
    noise[:5].record("spikes")
    sim.run(60.0)
    sim.run(40.0)
    data = {}
    for pop in (exc, inh, noise, fast):
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
            "local_trains": sorted(int(st.annotations["source_id"])
                                   for st in local.spiketrains),
            "local_v_ids": [int(i) for i in local.analogsignals[0].array_annotations[
                "source_ids"]] if local.analogsignals else [],
            "is_local": [bool(exc.is_local(i)) for i in exc.all_cells],
            "id_local": [bool(i.local) for i in exc.all_cells],
            "spike_count": int(sum(exc.get_spike_counts().values())),
            "local_connections": len(e2e), "connections": e2e.size(),
            "weights": e2e.get("weight", format="list"),
            "total_number": total.get(["weight", "delay"], format="list")}
    with open(f"{out}_t{threads}.rank{sim.rank()}.json", "w") as fh:
        json.dump(info, fh)
    if sim.rank() == 0:
        np.savez(f"{out}_t{threads}.npz", **data)
    sim.end()


if __name__ == "__main__":
    for threads in (1, 2):
        run(sys.argv[1], int(sys.argv[2]), threads)
