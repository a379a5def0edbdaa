"""System tests of the ``lamina demo`` command and the benchmark runner: they run the real
programs in subprocesses and check what they print (no timing assertions)."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([REPO] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, *args], cwd=REPO, env=_env(), capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(args)} exited with {proc.returncode}\n--- stdout\n{proc.stdout}"
        f"\n--- stderr\n{proc.stderr}")
    return proc


def _number(pattern: str, text: str) -> float:
    m = re.search(pattern, text, re.MULTILINE)
    assert m, f"no match for {pattern!r} in:\n{text}"
    return float(m.group(1))


@pytest.mark.slow
def test_demo_prints_plausible_figures(tmp_path):
    proc = _run(["-m", "lamina", "demo", "--duration", "200", "--no-plot",
                 "--output", str(tmp_path)], timeout=600)
    out = proc.stdout
    n_cells = _number(r"network size:\s+(\d+) cells", out)
    assert n_cells == 4000
    assert re.search(r"\(3200 excitatory, 800 inhibitory\)", out)
    n_syn = _number(r"synapses:\s+(\d+) recurrent", out)
    # 4000 * 3999 possible pairs at p = 0.02: 319920 on average, sd ~ 560
    assert 310_000 < n_syn < 330_000
    assert _number(r"build time:\s+([0-9.]+) s", out) >= 0
    assert _number(r"run time:\s+([0-9.]+) s", out) >= 0
    rate_exc = _number(r"excitatory rate:\s+([0-9.]+) Hz", out)
    rate_inh = _number(r"inhibitory rate:\s+([0-9.]+) Hz", out)
    # self-sustained activity (Vogels & Abbott 2005: 10-25 Hz here); a kick-start that
    # failed to ignite the network leaves ~1 Hz
    assert 5 < rate_exc < 40
    assert 5 < rate_inh < 40
    cv = _number(r"mean CV of ISIs:\s+([0-9.]+)", out)
    assert 0 < cv < 5
    assert "not drawn" in out
    assert not list(tmp_path.iterdir()), "--no-plot must not write files"
    # the progress bar goes to stderr, the figures to stdout
    assert "100%" in proc.stderr
    assert "%" not in out


@pytest.mark.slow
def test_demo_plot_written_or_skipped(tmp_path):
    proc = _run(["-m", "lamina", "demo", "--duration", "100", "--cells", "400",
                 "--no-progress", "--output", str(tmp_path)], timeout=600)
    if importlib.util.find_spec("matplotlib") is None:
        assert "skipped" in proc.stdout
    else:
        m = re.search(r"raster plot:\s+(\S+\.png)", proc.stdout)
        assert m, proc.stdout
        assert os.path.isfile(m.group(1))
        assert os.path.dirname(m.group(1)) == str(tmp_path)


@pytest.mark.slow
def test_benchmark_quick_runs_both_simulators():
    have_nest = importlib.util.find_spec("nest") is not None
    args = ["benchmarks/run_all.py", "--quick", "--networks", "coba", "cuba", "--repeats", "1"]
    if not have_nest:
        args += ["--simulators", "lamina"]
    proc = _run(args, timeout=900)
    out = proc.stdout
    table = out[out.index("network"):]
    rows = [line.split() for line in table.splitlines() if re.match(r"(COBA|CUBA) 400 ", line)]
    simulators = {row[2] for row in rows}
    assert "lamina" in simulators
    for row in rows:
        if row[2] in ("lamina", "NEST"):
            threads = int(row[3])
            build_s, run_s, rss = map(float, row[4:7])
            rate, synapses = float(row[10]), int(row[11])
            assert threads == 1 and build_s > 0 and run_s > 0 and rss > 0
            # small --quick networks may fall silent after the initial kick (see
            # benchmarks/README.md), so only plausibility is checked here
            assert 0 <= rate < 200
            # p = 80 / 400 = 0.2 without autapses: 0.2 * 400 * 399 = 31,920 expected
            assert abs(synapses - 31_920) < 5 * (31_920 * 0.8) ** 0.5
    assert "engine kernels compiled in" in out
    if not have_nest:
        pytest.skip("NEST part skipped: the nest module is not installed")
    assert "NEST" in simulators
    assert "NEST/lamina" in simulators
    assert len(rows) == 6        # 2 networks x (lamina, NEST, ratio)


# --- fast checks of the pieces (no simulation) ----------------------------------------
class _Stream:
    """A text stream that claims (or not) to be a terminal."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.parts: list[str] = []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty", [False, True])
def test_progress_bar_follows_run_callback_protocol(tty):
    import math

    from lamina.progress import SimulationProgressBar

    stream = _Stream(tty)
    bar = SimulationProgressBar(10.0, 100.0, file=stream, use_tqdm=False)
    t, calls = 0.0, []
    while math.isfinite(t):
        calls.append(t)
        t = bar(t)
    assert calls == pytest.approx([10.0 * i for i in range(11)])
    assert bar.finished
    text = "".join(stream.parts)
    assert "100%" in text and "100.0/100.0 ms" in text
    assert text.endswith("\n")
    assert bar(120.0) == math.inf          # finished bars ask for no more calls
    if not tty:
        assert text.count("\n") == 11       # one line per 10 %
        assert "\r" not in text


def test_progress_bar_next_time_never_beyond_t_stop():
    from lamina.progress import SimulationProgressBar

    bar = SimulationProgressBar(30.0, 50.0, file=_Stream(False), use_tqdm=False)
    assert bar(0.0) == 30.0
    assert bar(30.0) == 50.0
    with pytest.raises(ValueError):
        SimulationProgressBar(0.0, 50.0)


def test_cli_help_and_bad_arguments(capsys):
    from lamina.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["demo", "--help"])
    assert exc.value.code == 0
    assert "--duration" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--duration", "-5"])
    assert exc.value.code == 2
    assert main([]) == 2                     # no subcommand: help, status 2


def test_cv_and_rate_helpers():
    import numpy as np

    from lamina.cli import mean_cv_isi, mean_rate

    regular = np.arange(10.0, 1000.0, 10.0)
    cv, n = mean_cv_isi([regular, np.array([5.0])])
    assert n == 1 and cv == pytest.approx(0.0)
    assert mean_rate([regular, np.array([5.0])], 1000.0) == pytest.approx(50.0)
    assert np.isnan(mean_cv_isi([])[0])
