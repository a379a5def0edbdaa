"""A PyNN 0.7-style NEST script in Python 3, unmodified: ``lamina run pynn_classic.py
OUT_PREFIX --backend engine``. One cell driven by excitatory then inhibitory trains."""
import sys

import numpy
import pyNN.nest as sim

prefix = sys.argv[1]
sim.setup(timestep=0.1, min_delay=0.1, max_delay=5.0)
cell = sim.create(sim.IF_curr_alpha, {"i_offset": 0.2, "tau_refrac": 2.0, "v_thresh": -52.0,
                                      "tau_syn_E": 1.5, "tau_syn_I": 4.0, "v_reset": -68.0})
exc = sim.create(sim.SpikeSourceArray, {"spike_times": [float(t) for t in range(10, 90, 8)]})
inh = sim.create(sim.SpikeSourceArray, {"spike_times": [float(t) for t in range(100, 180, 8)]})
sim.connect(exc, cell, weight=2.0, synapse_type="excitatory", delay=1.5)
sim.connect(inh, cell, weight=-2.0, synapse_type="inhibitory", delay=3.0)
sim.record(cell, prefix + "_spikes.dat")
sim.record_v(cell, prefix + "_v.dat")
sim.initialize(cell, "v", -60.0)
layer = sim.Population((3, 3), sim.IF_curr_exp, {"i_offset": 1.0, "v_init": -55.0})
layer.record()
sim.run(200.0)
numpy.savetxt(prefix + "_layer.txt", layer.getSpikes())
sim.end()
