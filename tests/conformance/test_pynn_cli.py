"""``lamina run`` runs a PyNN script as ``python SCRIPT`` would."""
import subprocess
import sys
import textwrap


def _run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "lamina", "run", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_script_folder_is_on_the_path(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "params.py").write_text("N = 3\n")
    (model / "main.py").write_text(textwrap.dedent("""
        import params
        import pyNN.nest as sim
        sim.setup()
        print("cells", sim.Population(params.N, sim.IF_cond_exp()).size)
        sim.end()
    """))
    out = _run(str(model / "main.py"), "--backend", "engine", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "cells 3" in out.stdout


def test_missing_script_is_one_clear_line(tmp_path):
    out = _run("nothere.py", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip() == "lamina run: error: no script 'nothere.py' (file not found)"


def test_unknown_backend_is_one_clear_line(tmp_path):
    (tmp_path / "s.py").write_text("print('ran')\n")
    out = _run("s.py", "--backend", "spinnaker", cwd=tmp_path)
    assert out.returncode == 1 and "ran" not in out.stdout
    assert out.stderr.count("\n") == 1 and "no such backend" in out.stderr


def test_simulator_lamina_lacks_is_one_clear_line(tmp_path):
    (tmp_path / "s.py").write_text("import pyNN.spiNNaker as sim\n")
    out = _run("s.py", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "spiNNaker" in out.stderr
