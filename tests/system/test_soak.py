"""Soak test (slow, outside the default CI run): a small network simulated for 10^4 s in
1000 run() calls, recording cleared as it goes: memory must stay flat.

Run it with ``LAMINA_SOAK=1 python -m pytest tests/system/test_soak.py -q -s`` (it prints
the resident memory after the warm-up and at the end); without LAMINA_SOAK=1 it is skipped,
so the default test command (which runs `slow` tests too) stays short.
"""
from __future__ import annotations

import gc
import os

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600),
              pytest.mark.skipif(os.environ.get("LAMINA_SOAK") != "1",
                                 reason="soak test (minutes): run with LAMINA_SOAK=1")]

TOTAL_MS = 1e7        # 10^4 simulated seconds
CALLS = 1000
WARM_UP_CALLS = 20


def rss_mib() -> float:
    """Resident set size of this process [MiB] (/proc/self/status)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")  # pragma: no cover


def test_ten_thousand_seconds_memory_flat(sim):
    cells = sim.Population(100, sim.IF_curr_exp(tau_refrac=2.0))
    drive = sim.Population(20, sim.SpikeSourcePoisson(rate=20.0))
    sim.Projection(drive, cells, sim.FixedProbabilityConnector(0.3, rng=sim.NumpyRNG(seed=5)),
                   sim.StaticSynapse(weight=1.0, delay=1.0))
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.05, rng=sim.NumpyRNG(seed=6)),
                   sim.StaticSynapse(weight=0.2, delay=1.5))
    cells.record("spikes")
    cells[:2].record("v", sampling_interval=1.0)
    step = TOTAL_MS / CALLS
    spikes, rss = 0, []
    for k in range(CALLS):
        sim.run(step)
        block = cells.get_data(clear=True)
        seg = block.segments[-1]
        spikes += sum(len(st) for st in seg.spiketrains)
        assert seg.analogsignals[0].shape == (int(step) + (1 if k == 0 else 0), 2) or k > 0
        del block, seg
        if k == WARM_UP_CALLS or k == CALLS - 1:
            gc.collect()
            rss.append(rss_mib())
    assert sim.get_current_time() == pytest.approx(TOTAL_MS)
    rate = spikes / 100 / (TOTAL_MS / 1000.0)
    print(f"\nsoak: {TOTAL_MS / 1000:g} s simulated in {CALLS} runs, {spikes} spikes "
          f"({rate:.2f} Hz per cell); RSS {rss[0]:.1f} MiB after {WARM_UP_CALLS} runs, "
          f"{rss[1]:.1f} MiB at the end")
    assert rate > 1.0
    assert rss[1] - rss[0] < 20.0, f"memory grew by {rss[1] - rss[0]:.1f} MiB"
    assert np.isfinite(rss).all()
