"""SONATA (https://github.com/AllenInstitute/sonata) import and export, with PyNN 0.13's
functions (``pyNN.serialization``): `import_from_sonata`, `load_sonata_simulation_plan`,
`export_to_sonata`. Needs h5py (``pip install lamina[sonata]``).

Modules: `config` (JSON configs, manifest), `files` (HDF5 and types tables), `circuit`
(node and edge files -> tables), `reader` (tables -> Network), `writer` (Network -> files),
`node_sets`, `spikes` (spike and report files), `plan` (simulation config).
"""
from __future__ import annotations

from lamina.io.sonata.plan import SimulationPlan, load_sonata_simulation_plan
from lamina.io.sonata.reader import import_from_sonata
from lamina.io.sonata.spikes import read_report, read_spikes, write_spikes
from lamina.io.sonata.writer import asciify, export_to_sonata

__all__ = ["import_from_sonata", "export_to_sonata", "load_sonata_simulation_plan",
           "SimulationPlan", "asciify", "read_spikes", "write_spikes", "read_report"]
