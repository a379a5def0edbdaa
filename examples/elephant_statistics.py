"""Spike statistics of a small balanced network with Elephant, on lamina's Neo output.

    pip install lamina[analysis]
    python examples/elephant_statistics.py
"""
import numpy as np

import lamina as sim
from lamina.analysis import spike_statistics

sim.setup(timestep=0.1)
rng = sim.NumpyRNG(seed=1)
noise = sim.Population(100, sim.SpikeSourcePoisson(rate=10.0), label="noise")
cells = sim.Population(200, sim.IF_curr_exp(tau_refrac=2.0), label="cells")
sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.2, rng=rng),
               sim.StaticSynapse(weight=0.8, delay=1.0))
sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.05, rng=rng),
               sim.StaticSynapse(weight=-0.5, delay=1.5), receptor_type="inhibitory")
cells.record("spikes")
sim.run(2000.0)
trains = cells.get_data().segments[0].spiketrains
sim.end()

stats = spike_statistics(trains, bin_size_ms=5.0)
pairs = stats["correlation"][np.triu_indices(len(trains), 1)]
print(f"mean rate        {stats['rates'].mean():.2f} Hz")
print(f"mean ISI CV      {np.nanmean(stats['cv']):.2f}")
print(f"mean correlation {np.nanmean(pairs):.3f} (5 ms bins)")
print(f"mean Victor-Purpura distance {stats['victor_purpura'].mean():.1f}")
# any other Elephant function reads the same list, e.g.
# elephant.statistics.time_histogram(trains, bin_size=10 * pq.ms)
