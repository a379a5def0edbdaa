"""Started as several MPI processes, lamina refuses at setup() instead of running N
identical copies (issue 15, item 2)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lamina import distribution
from lamina.errors import MPIUnavailableError

ROOT = Path(__file__).resolve().parents[2]
MPIEXEC = Path(sys.executable).with_name("mpiexec")


@pytest.fixture
def no_launcher(monkeypatch):
    for name in distribution.LAUNCHER_SIZE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_single_process_runs(no_launcher):
    assert distribution.launched_processes() == 1
    distribution.check_can_run("engine", False)


@pytest.mark.parametrize("variable", distribution.LAUNCHER_SIZE_VARIABLES)
def test_launcher_variables_detected_without_mpi4py(no_launcher, variable):
    no_launcher.setenv(variable, "3")
    no_launcher.setitem(sys.modules, "mpi4py", None)   # not importable
    no_launcher.setattr(distribution.importlib.util, "find_spec",
                        lambda name: None if name == "mpi4py" else object())
    with pytest.raises(MPIUnavailableError, match=r"started as 3 MPI processes .* mpi4py is "
                       r"not installed.* `pip install lamina\[mpi\]`"):
        distribution.check_can_run("engine", False, "not built yet")
    with pytest.raises(MPIUnavailableError, match="mpi4py is not installed"):
        distribution.check_can_run("engine", True)


def test_setup_refuses_under_a_launcher(no_launcher):
    """A backend that cannot distribute (Brian 2) is refused; the engine can."""
    pytest.importorskip("brian2")
    from lamina.core.simulation import Simulation
    no_launcher.setenv("OMPI_COMM_WORLD_SIZE", "2")
    no_launcher.setattr(distribution, "launched_processes", lambda: 2)
    with pytest.raises(MPIUnavailableError, match=r"'brian2' backend cannot distribute .* "
                       r"identical copy"):
        Simulation("brian2")
    from lamina.backends.engine import EngineBackend
    distribution.check_can_run("engine", EngineBackend.can_distribute)   # no error


@pytest.mark.mpi
@pytest.mark.skipif(not MPIEXEC.exists() or shutil.which("hydra_pmi_proxy") is None
                    and not MPIEXEC.with_name("hydra_pmi_proxy").exists(),
                    reason="the venv's mpiexec (pip install lamina[mpi]) is not installed")
def test_mpiexec_two_processes_refused():
    """Brian 2 cannot share a network between processes: refused on both."""
    pytest.importorskip("brian2")
    script = "import lamina.brian2 as sim\nsim.setup()\nprint('ran a copy')\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode != 0
    assert "ran a copy" not in proc.stdout
    assert proc.stderr.count("MPIUnavailableError: this script was started as 2 MPI "
                             "processes") == 2, proc.stderr
