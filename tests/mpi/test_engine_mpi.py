"""The engine over MPI processes (issue 15): `mpiexec -n 2` and `-n 3` with the venv's own
mpiexec, in subprocesses. Spikes and recorded signals are bitwise those of one process
for 1, 2, 3 ranks x 1, 2 threads; ranks without cells work; bad input raises clearly on
every rank and nothing hangs (each launch has a timeout)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MPIEXEC = Path(sys.executable).with_name("mpiexec")

pytestmark = [
    pytest.mark.mpi,
    # the first launch may compile the engine's kernels (1-3 min on a cold, busy machine)
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        not MPIEXEC.exists() or (shutil.which("hydra_pmi_proxy") is None
                                 and not MPIEXEC.with_name("hydra_pmi_proxy").exists()),
        reason="the venv's mpiexec (pip install lamina[mpi]) is not installed"),
]


def launch(n: int | None, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a script of this folder in `n` MPI processes (None: plain python)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, *args] if n is None else [str(MPIEXEC), "-n", str(n),
                                                      sys.executable, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=str(HERE))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The test network in one process (1 and 2 threads), both sizes."""
    folder = tmp_path_factory.mktemp("mpi_reference")
    for scale in (1, 0):
        launch(None, "network.py", str(folder / f"scale{scale}"), str(scale))
    return folder


def load(prefix: Path, threads: int) -> dict[str, np.ndarray]:
    with np.load(f"{prefix}_t{threads}.npz") as f:
        return {k: f[k] for k in f.files}


def infos(prefix: Path, threads: int, n: int) -> list[dict]:
    return [json.loads(Path(f"{prefix}_t{threads}.rank{r}.json").read_text())
            for r in range(n)]


def assert_bitwise_equal(ref: dict, got: dict) -> None:
    assert sorted(ref) == sorted(got)
    for key in ref:
        assert ref[key].shape == got[key].shape, key
        assert np.array_equal(ref[key], got[key]), key   # exact, not approximate


@pytest.mark.parametrize("n", [2, 3])
def test_spikes_and_signals_bitwise_equal_to_one_process(reference, tmp_path, n):
    ref = load(reference / "scale1", 1)
    assert_bitwise_equal(ref, load(reference / "scale1", 2))    # one process, 2 threads
    assert len(ref["exc_spikes"]) > len(ref["exc_ids"]) + 100   # the network is active
    assert ref["exc_v"].shape == (1001, 25)
    launch(n, "network.py", str(tmp_path / "run"), "1")
    for threads in (1, 2):
        assert_bitwise_equal(ref, load(tmp_path / "run", threads))
        per_rank = infos(tmp_path / "run", threads, n)
        # rank, process count and locality, the same from every entry point
        assert [i["rank"] for i in per_rank] == list(range(n))
        assert all(i["num_processes"] == n for i in per_rank)
        sizes = [i["local_size"]["exc"] for i in per_rank]
        assert sum(sizes) == 25 and max(sizes) - min(sizes) <= 1
        all_ids = sorted(x for i in per_rank for x in i["local_ids"])
        assert all_ids == list(range(23, 48))   # exc: IDs 23..47, each on one rank
        for i in per_rank:
            assert i["is_local"] == i["id_local"]
            assert sum(i["is_local"]) == i["local_size"]["exc"]
            # gather=False: this rank's cells only
            assert i["local_trains"] == i["local_ids"] == i["local_v_ids"]
            # gathered counts and connections are the same on every rank
            assert i["spike_count"] == per_rank[0]["spike_count"]
            assert i["connections"] == per_rank[0]["connections"]
            assert i["weights"] == per_rank[0]["weights"]
        assert sum(i["local_connections"] for i in per_rank) == per_rank[0]["connections"]
        ref_info = infos(reference / "scale1", 1, 1)[0]
        assert per_rank[0]["weights"] == ref_info["weights"]
        assert per_rank[0]["total_number"] == ref_info["total_number"]
        assert all(i["total_number"] == ref_info["total_number"] for i in per_rank)
        assert per_rank[0]["spike_count"] == ref_info["spike_count"]


def test_rank_without_cells(reference, tmp_path):
    """Populations of 2 cells over 3 processes: rank 0 simulates none and still takes
    part in every exchange and gather."""
    launch(3, "network.py", str(tmp_path / "run"), "0")
    ref = load(reference / "scale0", 1)
    assert len(ref["exc_spikes"]) > 2
    for threads in (1, 2):
        assert_bitwise_equal(ref, load(tmp_path / "run", threads))
        per_rank = infos(tmp_path / "run", threads, 3)
        assert per_rank[0]["local_size"] == {"noise": 0, "stim": 0, "exc": 0, "inh": 0}
        assert per_rank[0]["local_trains"] == [] and per_rank[0]["local_v_ids"] == []


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mpi_cases")
    launch(2, "cases.py", str(folder))
    out: dict[str, dict[int, dict]] = {}
    for rank in (0, 1):
        for line in (folder / f"cases.rank{rank}.jsonl").read_text().splitlines():
            rec = json.loads(line)
            out.setdefault(rec["case"], {})[rec["rank"]] = rec
    return out


def test_non_local_cell_data_raises_not_local_error(cases):
    for rank, rec in cases["not_local"].items():
        assert rec["error"] == "NotLocalError"
        assert (f"cell ID {rec['other']} lives on MPI rank {1 - rank}, not on this process "
                f"(rank {rank} of 2)") in rec["message"]


def test_write_data_writes_once_with_every_rank_cells(cases):
    assert cases["write_data"][0]["exists"] and cases["write_data"][0]["cells"] == [0, 1, 2, 3]
    assert not cases["write_data"][1]["exists"]


def test_checkpoint_refused_on_every_process(cases):
    assert set(cases["checkpoint"]) == {0, 1}
    for rec in cases["checkpoint"].values():
        assert rec["error"] == "NoModelAvailableError"
        assert "cannot checkpoint a run distributed over 2 MPI processes" in rec["message"]


def test_describe_and_sizes(cases):
    for rank, rec in cases["describe"].items():
        assert rec["mpi_processes"] == rec["num_processes"] == 2
        assert rec["rank_described"] == rank and rec["local_size"] == 2


def test_connector_not_parallel_safe_warns(cases):
    for rank, rec in cases["unsafe_rng"].items():
        assert len(rec["warnings"]) == 1
        assert rec["categories"] == ["ParallelSafetyWarning"]
        assert "not parallel-safe" in rec["warnings"][0]
        assert "depends on the number of processes" in rec["warnings"][0]
        assert f"seed={3 + rank}" in rec["warnings"][0]   # each rank its own stream
    assert cases["unsafe_rng"][0]["safe_size"] == cases["unsafe_rng"][1]["safe_size"]


def test_connection_files_one_per_process_read_back(cases):
    for rec in cases["distributed_file"].values():
        assert rec["files"] == ["conns.txt.0", "conns.txt.1"]
        assert rec["size"] == rec["original"] > 0
        assert rec["local"] == rec["local_original"] and rec["same"]


def test_set_random_distribution_is_one_draw_over_all_processes(cases):
    """Projection.set(weight=RandomDistribution) over 2 processes gives the values one
    draw of the RNG gives all connections in (pre, post) order, not a draw per process."""
    n = cases["set_random"][0]["n"]
    assert n > 20
    assert sum(rec["n_local"] for rec in cases["set_random"].values()) == n
    for rec in cases["set_random"].values():
        assert rec["n"] == n and rec["max_difference"] < 1e-12


@pytest.mark.parametrize("label", ["constant", "random"])
def test_each_process_draws_only_its_own_targets(cases, label):
    """A parallel-safe FixedProbabilityConnector over 2 processes: each draws only the
    connections onto its 5 cells, and the gathered network is the same on both."""
    recs = cases[f"local_draw_{label}"]
    assert recs[0]["local_post"] == [0, 1, 2, 3, 4]
    assert recs[1]["local_post"] == [5, 6, 7, 8, 9]
    for rec in recs.values():
        assert rec["drawn"] == rec["local"] > 0
        assert rec["connections"] == recs[0]["connections"]
    assert recs[0]["drawn"] + recs[1]["drawn"] == recs[0]["size"]


def test_dynamic_synapses_refused(cases):
    for rec in cases["plastic"].values():
        assert rec["error"] == "NoModelAvailableError"
        assert "distributes static synapses only over MPI processes" in rec["message"]


def test_different_networks_on_the_ranks_raise_on_every_rank(cases):
    assert set(cases["mismatch"]) == {0, 1}
    for rec in cases["mismatch"].values():
        assert rec["error"] == "InvalidModelError"
        assert "rank 0: (5, 1," in rec["message"] and "rank 1: (8, 2," in rec["message"]


def test_uncaught_error_on_one_rank_ends_all(tmp_path):
    """Rank 1 dies before a run that rank 0 waits in: every process ends (MPI_Abort)."""
    script = ("import lamina as sim\nsim.setup()\nsim.Population(4, sim.IF_curr_exp())\n"
              "if sim.rank() == 1:\n    raise ValueError('rank 1 fails')\nsim.run(10.0)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode != 0
    assert "ValueError: rank 1 fails" in proc.stderr
    assert "uncaught ValueError on MPI rank 1; aborting all processes" in proc.stderr
