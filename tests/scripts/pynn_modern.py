"""A PyNN 0.13-style script, unmodified PyNN: ``lamina run pynn_modern.py lamina OUT.npz``
(or ``--backend engine|nest``). A grid of cells driven by spike sources."""
import numpy as np
from pyNN.errors import NonExistentParameterError
from pyNN.parameters import Sequence
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.space import Grid2D
from pyNN.utility import Timer, get_simulator

sim, options = get_simulator(("outfile", "results file (.npz)"))
timer = Timer()
sim.setup(timestep=0.1, min_delay=0.5, max_delay=5.0)
rng = NumpyRNG(seed=2024)
drive = sim.Population(8, sim.SpikeSourceArray(spike_times=Sequence([4.0, 12.0, 20.0, 28.0])),
                       label="drive")
grid = sim.Population(9, sim.IF_curr_exp(tau_m=RandomDistribution("uniform", (12.0, 24.0), rng=rng),
                                         tau_refrac=2.0),
                      structure=Grid2D(dx=5.0, dy=5.0), label="grid")
feed = sim.Projection(drive, grid, sim.FixedProbabilityConnector(0.6, rng=rng),
                      sim.StaticSynapse(weight=1.2, delay=1.0), receptor_type="excitatory")
lateral = sim.Projection(grid, grid, sim.DistanceDependentProbabilityConnector("d < 6", rng=rng),
                         sim.StaticSynapse(weight=-0.4, delay="0.5 + d/10"),
                         receptor_type="inhibitory")
grid.record(["spikes", "v"])
sim.run(40.0)
try:
    grid.set(tau_mm=3.0)
    typo_caught = False
except NonExistentParameterError:
    typo_caught = True
seg = grid.get_data().segments[0]
np.savez(options.outfile, v=np.asarray(seg.analogsignals[0].magnitude),
         counts=np.array([len(st) for st in seg.spiketrains]),
         feed=np.nan_to_num(feed.get("weight", "array")),
         lateral=np.nan_to_num(lateral.get("delay", "array")),
         typo_caught=typo_caught, elapsed=timer.elapsed_time(),
         rng_class=type(rng).__module__ + "." + type(rng).__name__)
sim.end()
