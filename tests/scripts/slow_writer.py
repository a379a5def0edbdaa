"""Writes a lamina output file slowly, so that a test can SIGKILL it mid-write.

``python slow_writer.py KIND PATH``: builds a small network, runs it, and writes PATH with
the writer of KIND ('pkl' / 'nix': ``write_data``; 'text': ``printSpikes``; 'save':
``Projection.save``; 'to_file': ``record(..., to_file=)`` at ``end()``). The low-level
writers (pickle, numpy.savetxt, NixIO) are slowed down: they write part of the data, print
``writing`` and sleep, so the file is known to be half written when the parent kills.
"""
from __future__ import annotations

import pickle
import sys
import time
import warnings

import numpy as np


def stall(fh_or_path) -> None:
    print("writing", flush=True)
    time.sleep(120)


def main() -> None:
    kind, path = sys.argv[1], sys.argv[2]
    import lamina as sim
    from lamina.io import files
    sim.setup(timestep=0.1)
    cells = sim.Population(5, sim.SpikeSourcePoisson(rate=200.0))
    post = sim.Population(5, sim.IF_curr_exp())
    prj = sim.Projection(cells, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    cells.record("spikes", to_file=path if kind == "to_file" else None)
    sim.run(100.0)

    real_dump, real_savetxt = pickle.dump, np.savetxt

    def slow_dump(obj, fh, *args, **kwargs):
        data = pickle.dumps(obj)
        fh.write(data[: len(data) // 2])
        fh.flush()
        stall(fh)

    def slow_savetxt(target, rows, *args, **kwargs):
        real_savetxt(target, rows[: len(rows) // 2], *args, **kwargs)
        stall(target)

    files.pickle.dump = slow_dump          # the module lamina.io.files uses
    np.savetxt = slow_savetxt
    if kind in ("pkl", "to_file"):
        if kind == "pkl":
            cells.write_data(path)
        else:
            sim.end()
    elif kind == "text":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            cells.printSpikes(path)
    elif kind == "save":
        prj.save("weight", path, format="list")
    pickle.dump = real_dump


if __name__ == "__main__":
    main()
