"""The NEURON backend under ``mpiexec -n N`` (issue 12, item 6): cells spread over the
processes (NEURON's gid % N, reported to the core by the shared Distribution), rank() and
num_processes() true, data gathered once by the core (rank 0 gets every cell's recordings,
every rank every connection), the same spikes for any N.

The network (`neuron_mpi_network.py`: Poisson and array sources, conductance and current
cells, static and Tsodyks-Markram synapses, recurrent connections, two runs with a
parameter change between) runs as 1, 2 and 3 processes; every process writes what
``get_data()`` and ``Projection.get`` returned to it.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("neuron_mpi_network.py")
MPIEXEC = Path(sys.executable).with_name("mpiexec")

pytestmark = [
    pytest.mark.mpi, pytest.mark.backend_neuron,
    pytest.mark.skipif(importlib.util.find_spec("neuron") is None,
                       reason="NEURON is not installed (pip install lamina[neuron])"),
    pytest.mark.skipif(importlib.util.find_spec("mpi4py") is None or not MPIEXEC.exists(),
                       reason="MPI is not installed (pip install lamina[mpi])"),
]

#: the same events arrive at a cell in another order under MPI: v agrees to rounding
V_TOLERANCE_MV = 1e-8


def _run(tmp_path: Path, n: int) -> list[dict[str, np.ndarray]]:
    stem = tmp_path / f"n{n}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(SCRIPT), str(stem)]
    if n > 1:
        cmd = [str(MPIEXEC), "-n", str(n), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [dict(np.load(f"{stem}.{rank}.npz")) for rank in range(n)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[dict[str, np.ndarray]]]:
    tmp = tmp_path_factory.mktemp("neuron_mpi")
    return {n: _run(tmp, n) for n in (1, 2, 3)}


def test_rank_and_process_count(runs):
    for n, outputs in runs.items():
        assert [int(o["rank"]) for o in outputs] == list(range(n))
        assert {int(o["np"]) for o in outputs} == {n}
        # round robin: 30 exc cells, an even share on each process
        assert sum(int(o["local_size"]) for o in outputs) == 30
        assert {int(o["local_size"]) for o in outputs} == {30 // n}
        for rank, out in enumerate(outputs):     # the core's locality is NEURON's gid % N
            assert len(out["local_ids"]) == 30 // n
            assert np.all(out["local_ids"] % n == rank)


def test_same_spikes_weights_for_any_process_count(runs):
    one = runs[1][0]
    assert one["exc_counts"].sum() > 100 and one["inh_counts"].sum() > 10   # it is active
    for n in (2, 3):
        root = runs[n][0]                            # get_data(): rank 0 has every cell
        for key in ("exc_ids", "exc_times", "exc_counts", "inh_ids", "inh_times",
                    "inh_counts", "noise_ids", "noise_times", "noise_counts", "v_ids"):
            np.testing.assert_array_equal(root[key], one[key], err_msg=f"{key}, N={n}")
        assert np.abs(root["v"] - one["v"]).max() < V_TOLERANCE_MV
        for out in runs[n]:       # connections and spike counts: all on every rank
            for key in ("weights", "U", "spike_counts", "size"):
                np.testing.assert_array_equal(out[key], one[key], err_msg=f"{key}, N={n}")


def test_each_process_holds_its_own_cells_and_connections(runs):
    one = runs[1][0]
    first_exc = 23                                   # 20 noise and 3 cue cells before
    for n in (2, 3):
        outputs = runs[n]
        for rank, out in enumerate(outputs):
            mine = out["local_ids"] - first_exc       # indices of this process's exc cells
            np.testing.assert_array_equal(out["local_v_ids"], mine)
            assert np.abs(out["local_v"] - one["v"][:, mine]).max() < V_TOLERANCE_MV
            if rank:                                  # get_data() elsewhere: its own part
                np.testing.assert_array_equal(out["v_ids"], mine)
                np.testing.assert_array_equal(out["exc_ids"], out["local_ids"])
            # gather=False: the connections onto this process's cells
            assert np.all(np.isin(out["local_weights"][:, 1].astype(int), mine))
        # the parts add up to the whole, each connection once
        assert sum(int(o["local_n"]) for o in outputs) == int(one["size"])
        parts = np.concatenate([o["local_weights"] for o in outputs])
        parts = parts[np.lexsort((parts[:, 1], parts[:, 0]))]
        np.testing.assert_array_equal(parts, one["weights"])


def test_recording_started_after_the_first_run(runs):
    """inh records v from t = 60 ms (after a run): every process re-prepares NEURON's
    solver for it; rank 0 gathers all 9 cells from then on, the same for any N."""
    one = runs[1][0]
    assert one["inh_v"].shape == (1201, 9) and float(one["inh_v_start"]) == 60.0
    assert not np.isnan(one["inh_v"]).any() and np.ptp(one["inh_v"]) > 1.0
    for n in (2, 3):
        root = runs[n][0]
        assert root["inh_v"].shape == (1201, 9) and float(root["inh_v_start"]) == 60.0
        assert np.abs(root["inh_v"] - one["inh_v"]).max() < V_TOLERANCE_MV


def test_gap_junctions_refused_over_processes(runs):
    assert str(runs[1][0]["gap_error"]) == ""
    msg = str(runs[2][0]["gap_error"])
    assert "ElectricalSynapse" in msg and "one process only" in msg and "started as 2" in msg
