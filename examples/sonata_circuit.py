"""Run a SONATA circuit on lamina's engine (or NEST), then write it back out.

    pip install lamina[sonata]
    python examples/sonata_circuit.py tests/data/sonata [--backend nest] [--export out_dir]

The simulation writes ``output/spikes.h5`` (and the reports) next to the configs, as the
simulation config says.
"""
import argparse
import importlib
import os

from lamina.io.sonata import (export_to_sonata, import_from_sonata,
                              load_sonata_simulation_plan, read_spikes)

parser = argparse.ArgumentParser()
parser.add_argument("directory", help="folder with circuit_config.json and simulation_config.json")
parser.add_argument("--backend", default="engine", choices=["engine", "nest"])
parser.add_argument("--export", help="also write the network in SONATA format here")
args = parser.parse_args()
sim = importlib.import_module("lamina" if args.backend == "engine" else "lamina.nest")

plan = load_sonata_simulation_plan(os.path.join(args.directory, "simulation_config.json"))
plan.setup(sim)
net = import_from_sonata(os.path.join(args.directory, "circuit_config.json"), sim)
print(net, "-", net.count_neurons(), "cells,", net.count_connections(), "connections")
if args.export:
    export_to_sonata(net, args.export, overwrite=True, tstop=plan.run_config["tstop"])
plan.execute(net)
for population, (ids, times) in read_spikes(plan.output_files[0]).items():
    print(f"{population}: {ids.size} spikes from {len(set(ids.tolist()))} cells")
sim.end()
