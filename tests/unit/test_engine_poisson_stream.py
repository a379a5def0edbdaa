"""The engine's Poisson draw (`engine.poisson`) against a pure-Python reference of its
stream: a realisation is a pure function of (key, step, draw index), so the compiled draw
must give exactly the counts of the sequential CDF search with the documented uniforms."""
from __future__ import annotations

import math
import struct

import numpy as np
import pytest

from lamina.backends.engine import poisson
from lamina.backends.engine.counter_rng import GOLDEN, mix64_int
from lamina.backends.engine.models import P_PKEY, P_PLAM, P_PSTART_STEP, P_PSTOP_STEP

_C2 = 0xD1B54A32D192ED03
_MASK = (1 << 64) - 1


def _uniform(key: float, n: int, j: int) -> float:
    """u_j of the module docstring for the cell with key `key` (a float64) in step n."""
    b = struct.unpack("<Q", struct.pack("<d", key))[0]
    c = mix64_int((n * GOLDEN + j * _C2 + 1) & _MASK)
    return (mix64_int(b ^ c) >> 11) / 2.0 ** 53


def _reference_count(key: float, n: int, lam: float) -> int:
    """Poisson(lam) count by the sequential search of the module docstring (lam <= 10)."""
    if lam <= 0.0:
        return 0
    u = _uniform(key, n, 0)
    p = math.exp(-lam)
    f = p
    k = 0
    while u > f and k < 1000:
        k += 1
        p *= lam / k
        f += p
    return k


def _cells(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Param rows of len(lam) Poisson cells with random keys and activity windows."""
    m = lam.size
    param = np.zeros((max(P_PKEY, P_PLAM, P_PSTART_STEP, P_PSTOP_STEP) + 1, m))
    param[P_PKEY] = rng.integers(0, 2 ** 52, m).astype(float)
    param[P_PLAM] = lam
    param[P_PSTART_STEP] = rng.integers(0, 4, m)
    param[P_PSTOP_STEP] = rng.integers(2, 30, m)
    return param


def _draw(fn, param, steps, blocks=None):
    """{(step, row): count} of `fn` (a compiled Poisson draw) over `steps`."""
    m = param.shape[1]
    cdf, meta = poisson.new_table(blocks)
    work = np.zeros((1, m))
    ev_row = np.zeros(m, np.int64)
    ev_cnt = np.zeros(m, np.int64)
    out = {}
    for n in steps:
        nev = fn(n, 0, m, param, work, ev_row, ev_cnt, 0, cdf, meta)
        for r, c in zip(ev_row[:nev], ev_cnt[:nev]):
            assert c > 0
            out[n, int(r)] = int(c)
    return out


def _expected(param, steps, skip=range(0)):
    """The reference counts {(step, row): count > 0} of the rows not in `skip`."""
    out = {}
    for n in steps:
        for r in range(param.shape[1]):
            if r in skip or not param[P_PSTART_STEP, r] <= n < param[P_PSTOP_STEP, r]:
                continue
            c = _reference_count(param[P_PKEY, r], n, param[P_PLAM, r])
            if c:
                out[n, r] = c
    return out


@pytest.mark.parametrize("rates", ["one", "two", "mixed"])
def test_poisson_events_low_equals_the_reference_search(rates: str) -> None:
    """One mean for all cells (the SIMD threshold pass, counts of 8 and more finished from
    the table), two interleaved means, and a mean per cell: the counts are exactly the
    reference search's, step by step and cell by cell."""
    rng = np.random.default_rng(7)
    m = 300
    if rates == "one":
        lam = np.full(m, 6.5)   # about 35 % of the counts are 8 or more
    elif rates == "two":
        lam = np.where(np.arange(m) % 3 == 0, 0.02, 9.9)
    else:
        lam = rng.uniform(0.0, 10.0, m)
        lam[::11] = 0.0
    param = _cells(rng, lam)
    steps = range(0, 30)
    got = _draw(poisson.poisson_events_low, param, steps)
    assert got == _expected(param, steps)
    assert len(got) > 1000 and max(got.values()) >= 8


def test_poisson_events_skips_direct_blocks_and_uses_ptrs_above_inversion_max() -> None:
    """The rows of a direct block are left to `direct_deliver`; means above
    `INVERSION_MAX` draw `poisson_count`'s count (PTRS), the others the reference's."""
    rng = np.random.default_rng(11)
    m = 200
    lam = rng.choice([0.5, 4.0, 25.0, 300.0], m)
    param = _cells(rng, lam)
    blocks = np.zeros((1, poisson.BLOCK_FIELDS))
    blocks[0, :2] = (40, 90)   # source rows 40..89
    steps = range(0, 25)
    got = _draw(poisson.poisson_events, param, steps, blocks)
    low = _expected(param, steps, skip=range(40, 90))
    high = {(n, r): c for (n, r), c in got.items() if lam[r] > poisson.INVERSION_MAX}
    assert {k: c for k, c in got.items() if lam[k[1]] <= poisson.INVERSION_MAX} == \
        {k: c for k, c in low.items() if lam[k[1]] <= poisson.INVERSION_MAX}
    b = param[P_PKEY].view(np.uint64)
    for (n, r), c in high.items():
        assert 40 > r or r >= 90
        assert c == poisson.poisson_count(b[r], n, lam[r])
    active = sum(1 for n in steps for r in range(m) if lam[r] > poisson.INVERSION_MAX
                 and not 40 <= r < 90 and param[P_PSTART_STEP, r] <= n < param[P_PSTOP_STEP, r])
    assert len(high) == active > 100   # a mean of 25 or 300 always spikes
