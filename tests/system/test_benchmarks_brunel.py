"""System test of the combined benchmark runner (`benchmarks/run_all.py`) on the Brunel
(2000) network: it runs the real program in a subprocess in ``--quick`` mode and checks
that the table it prints holds plausible figures (no timing assertions)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCHMARKS = os.path.join(REPO, "benchmarks")


def _run(args: list[str], timeout: float) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([REPO] + [p for p in [env.get("PYTHONPATH")] if p])
    proc = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(args)} exited with {proc.returncode}\n--- stdout\n{proc.stdout}"
        f"\n--- stderr\n{proc.stderr}")
    return proc.stdout


def _table_rows(out: str, network: str) -> dict[str, list[str]]:
    table = out[out.index("network"):]
    rows = {}
    for line in table.splitlines():
        if line.startswith(network + " "):
            fields = line[len(network):].split()
            rows[fields[0]] = fields[1:]
    return rows


@pytest.mark.slow
def test_brunel_quick_table_is_plausible():
    have_nest = importlib.util.find_spec("nest") is not None
    args = ["benchmarks/run_all.py", "--quick", "--networks", "brunel", "--repeats", "1"]
    if not have_nest:
        args += ["--simulators", "lamina"]
    out = _run(args, timeout=900)
    assert "Brunel 2500" in out
    rows = _table_rows(out, "Brunel 2500")
    assert "lamina" in rows
    simulators = ["lamina"] + (["NEST"] if have_nest else [])
    for name in simulators:
        assert name in rows, out
        thr, build_s, run_s, rss, b_syn, b_syn_run, b_syn_peak, rate, n_syn = rows[name][:9]
        assert int(thr) == 1
        assert float(build_s) > 0 and float(run_s) > 0 and float(rss) > 0
        # 2,500 cells, in-degree 1000 + 250
        assert int(n_syn) == 2500 * 1250
        assert 0 < float(b_syn) < 10_000
        assert float(b_syn_run) <= float(b_syn_peak) < 10_000   # the peak is at least that
        # the driven network fires at a few tens of Hz (about 40 Hz at this size and
        # duration, 38-39 Hz at full size); a broken drive or weight gives 0 or > 200 Hz
        assert 5 < float(rate) < 200
    assert "engine kernels compiled in" in out
    if not have_nest:
        pytest.skip("NEST part skipped: the nest module is not installed")
    assert "NEST/lamina" in rows
    ratios = rows["NEST/lamina"]
    assert float(ratios[2]) > 0        # run-time ratio


def test_psc_amplitude_of_brunel_alpha():
    """The PSP-to-PSC factor: a 1 pA alpha current on the brunel_alpha membrane peaks at
    about 4.84 uV; checked against a fine forward-Euler integration of the same ODEs."""
    sys.path.insert(0, BENCHMARKS)
    try:
        import brunel
    finally:
        sys.path.remove(BENCHMARKS)
    factor = brunel.psp_peak_per_pa()
    tau_m, c_m, tau_s, h = brunel.TAU_M, brunel.C_M, brunel.TAU_SYN, 1e-4
    v, peak, t = 0.0, 0.0, 0.0
    import math
    while t < 10.0:
        current = math.e * t / tau_s * math.exp(-t / tau_s)
        v += h * (-v / tau_m + current / c_m)
        t += h
        peak = max(peak, v)
    assert factor == pytest.approx(peak, rel=1e-3)
    par = brunel.parameters()
    assert par["j_ex"] == pytest.approx(0.1 / factor)
    assert par["j_ex"] == pytest.approx(20.68, abs=0.01)
    assert par["p_rate"] == pytest.approx(20_000.0)
    assert par["n_synapses"] == 12_500 * 1250
