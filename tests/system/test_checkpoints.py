"""Checkpoints: save_state / restore_state in a new process continue with exactly the
spikes of an uninterrupted run (engine); other networks are refused; NEST cannot."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lamina.errors import CheckpointMismatchError, NoModelAvailableError

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _script(tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SCRIPTS), str(SCRIPTS.parents[1]), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, str(SCRIPTS / "checkpointed_network.py"), *map(str, args)],
                   check=True, env=env, timeout=600, cwd=tmp_path)
    return dict(np.load(args[-1]))


def test_restore_in_new_process_is_bitwise_identical(tmp_path):
    ckpt = tmp_path / "state.npz"
    saved = _script(tmp_path, "save", 300.0, 700.0, ckpt, tmp_path / "a.npz")
    restored = _script(tmp_path, "restore", 300.0, 700.0, ckpt, tmp_path / "b.npz")
    assert len(saved["spike_time"]) > 1000
    for key in ("spike_index", "spike_time"):   # spikes before the checkpoint included
        np.testing.assert_array_equal(restored[key], saved[key], err_msg=key)
    n = saved["v"].shape[0] - restored["v"].shape[0]   # signals: from the restored time on
    assert n == 3000
    np.testing.assert_array_equal(restored["v"], saved["v"][n:])
    with np.load(ckpt) as data:
        meta = json.loads(str(data["meta"]))
    assert meta["format"] == "lamina-checkpoint" and meta["version"] == 1
    assert meta["t"] == pytest.approx(300.0)


def test_checkpoint_of_another_network_refused(sim, tmp_path):
    sys.path.insert(0, str(SCRIPTS))
    from interruptible_network import build
    cells, _ = build(sim)
    sim.run(5.0)
    sim.save_state(tmp_path / "c.npz")
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    build(sim, n=300)
    with pytest.raises(CheckpointMismatchError, match=r"population 0 .* size 300 here, 400 "
                                                      r"in the checkpoint"):
        sim.restore_state(tmp_path / "c.npz")
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    build(sim, seed=8)   # same sizes, other connections
    with pytest.raises(CheckpointMismatchError, match="connections' checksum|connections"):
        sim.restore_state(tmp_path / "c.npz")
    sim.setup(timestep=0.05, min_delay=0.1, max_delay=10.0)
    with pytest.raises(CheckpointMismatchError, match="dt=0.1"):
        sim.restore_state(tmp_path / "c.npz")


@pytest.mark.backend_nest
@pytest.mark.skipif(__import__("importlib").util.find_spec("nest") is None,
                    reason="NEST is not installed")
def test_nest_cannot_checkpoint(tmp_path):
    import lamina.nest as sim
    sim.setup()
    sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(NoModelAvailableError, match="nest backend cannot save"):
        sim.save_state(tmp_path / "x.npz")
    from lamina.core import simulation
    with pytest.raises(NoModelAvailableError, match="cannot restore"):
        simulation.current().backend.load_dynamic_state({})
    sim.end()
