"""The optional Brian 2 part of `benchmarks/run_all.py`, without Brian 2: the runner skips
it with a message when no interpreter is given, and the table renders Brian 2 rows and
ratios from result dicts (no timing assertions)."""
from __future__ import annotations

import importlib
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCHMARKS = os.path.join(REPO, "benchmarks")


@pytest.fixture()
def run_all(monkeypatch):
    monkeypatch.syspath_prepend(BENCHMARKS)
    return importlib.import_module("run_all")


def test_brian2_skipped_without_interpreter(run_all, monkeypatch):
    monkeypatch.delenv(run_all.BRIAN2_ENV, raising=False)
    python, reason = run_all.brian2_interpreter(None)
    assert python is None and "--brian2-python" in reason


def test_brian2_skipped_if_brian2_missing(run_all):
    if importlib.util.find_spec("brian2") is not None:
        pytest.skip("brian2 is installed in this environment")
    python, reason = run_all.brian2_interpreter(sys.executable)
    assert python is None and "cannot import brian2" in reason


def test_brian2_networks_imports_without_brian2(monkeypatch):
    monkeypatch.syspath_prepend(BENCHMARKS)
    module = importlib.import_module("brian2_networks")
    assert callable(module.build_and_run)


def test_table_has_brian2_rows(run_all):
    def result(build, run, rss, rate, **extra):
        r = {"build_s": build, "run_s": run, "peak_rss_mb": rss, "rate": rate,
             "n_synapses": 1000, "import_s": 1.0, "rss_before_connect_mb": 10.0,
             "rss_after_connect_mb": 11.0, "rss_after_run_mb": 12.0, **extra}
        return run_all._with_derived(r)

    sizes = dict(run_all.FULL)
    results = {("coba", "lamina", 1): [result(1.0, 2.0, 200.0, 15.0)],
               ("coba", "brian2", 1): [result(3.0, 1.0, 100.0, 14.5, compile_s=50.0,
                                              construct_s=0.2, codegen_s=1.0,
                                              connect_s=0.1, brian2_run_time_s=0.9,
                                              binary_peak_rss_mb=10.0,
                                              python_rss_mb=90.0)]}
    table = run_all.format_table(["coba"], ["lamina", "brian2"], [1], results, sizes)
    rows = {line.split()[2]: line.split()[3:] for line in table.splitlines()
            if line.startswith("COBA 4000 ")}
    # fields: threads, build s, run s, peak RSS, ...
    assert float(rows["Brian2"][2]) == pytest.approx(1.0)
    assert float(rows["Brian2/lamina"][1]) == pytest.approx(3.0)      # build time
    assert float(rows["Brian2/lamina"][2]) == pytest.approx(0.5)      # run time
    assert float(rows["Brian2/lamina"][3]) == pytest.approx(0.5)      # peak RSS
    text = run_all.format_brian2(["coba"], [1], results, sizes)
    assert "C++ compile 50.0 s" in text
