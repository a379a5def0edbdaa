"""``python checkpointed_network.py save|restore|full T_SPLIT T_STOP CKPT OUT.npz``: the
network of `interruptible_network`, run to T_SPLIT and checkpointed (save), or rebuilt in a
new process, restored from the checkpoint and run to T_STOP (restore), or run to T_STOP
in one go (full); results of the last segment saved to OUT."""
from __future__ import annotations

import sys

import numpy as np

from interruptible_network import build, results


def main() -> None:
    mode, t_split, t_stop, ckpt, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), \
        sys.argv[4], sys.argv[5]
    import lamina as sim
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    cells, _ = build(sim)
    if mode == "save":
        sim.run_until(t_split)
        sim.save_state(ckpt)
        sim.run_until(t_stop)   # the checkpoint does not disturb the run
    elif mode == "restore":
        sim.restore_state(ckpt)
        assert sim.get_current_time() == t_split
        sim.run_until(t_stop)
    else:
        sim.run_until(t_stop)
    np.savez(out, **results(cells))
    sim.end()


if __name__ == "__main__":
    main()
