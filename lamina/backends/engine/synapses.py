"""Dynamic synapses of the engine: storage, translation and event-driven updates.

Static synapses stay in the backend's CSR (``_deliver`` in `kernels`). Every other synapse
type lives in a second CSR by source row (`PlasticStore`), one entry per connection with

* ``kind`` (int8): the algorithm (``SK_*`` below), dispatched on inside the compiled step
  loop when the presynaptic cell spikes;
* ``tgt`` (receptor*N + row), ``post`` (row), ``d`` (delay [steps]), ``w`` (current weight,
  signed, PyNN units), ``w0`` (the weight `reset` restores);
* ``par[NPAR, S]`` (parameters, per kind below), ``st[NST, S]`` (state, per kind below);
* ``key`` (uint64): the connection's random stream (stochastic kinds).

Updates reproduce NEST's synapse models (``send()`` of tsodyks_synapse,
tsodyks2_synapse, quantal_stp_synapse, bernoulli_synapse, stdp_synapse,
vogels_sprekeler_synapse). Times are grid stamps: a spike emitted in step n has stamp
n + 1 (time (n+1) dt), as NEST's spike stamps.

Postsynaptic spike history (STDP kinds): every cell that is the target of a trace-based
plastic synapse keeps a ring of the stamps of its recent spikes, as NEST's archiving node.
Each connection keeps its own postsynaptic trace K- (state row 1: K- just before its last
presynaptic stamp minus the delay), advanced at each presynaptic spike over the history
entries since, so tau_minus may differ per connection (NEST: one per cell; same values
up to rounding where NEST can express it). The ring grows on demand: the kernel stops
before a step when a ring is full; Python then drops entries no synapse will read again
(stamps before every incoming synapse's last presynaptic stamp minus its delay) and
doubles the ring if needed. Exact, and O(1) Python work per chunk in the common case.

Random numbers (stochastic kinds) come from a counter-based generator: draw j of event k
(k = the connection's k-th presynaptic spike since the last reset) of a connection is
``splitmix64(key ^ f(k, j))`` with ``key = splitmix64(seed, segment, projection,
connection index)``. A realisation thus never depends on run splitting, chunking, threads
or the order of delivery; `reset` starts new streams (segment + 1), as the Poisson
sources do.
"""
from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
from numba import njit

from lamina.backends.engine.counter_rng import mix64 as _mix
from lamina.backends.engine.counter_rng import GOLDEN, mix64_int

logger = logging.getLogger(__name__)

# -- kind codes -----------------------------------------------------------------------
SK_TSODYKS = 1      # NEST tsodyks_synapse (TsodyksMarkramSynapse)
SK_TSODYKS2 = 2     # NEST tsodyks2_synapse (Tsodyks2Synapse)
SK_QUANTAL = 3      # NEST quantal_stp_synapse (MultiQuantal/StochasticTsodyksMarkram)
SK_BERNOULLI = 4    # NEST bernoulli_synapse (SimpleStochasticSynapse)
SK_STDP = 5         # NEST stdp_synapse (SpikePairRule x power-law weight dependence)
SK_VOGELS = 6       # NEST vogels_sprekeler_synapse (Vogels2011Rule)
TRACE_KINDS = (SK_STDP, SK_VOGELS)

# -- parameter rows (meaning per kind) ------------------------------------------------
# TSODYKS/TSODYKS2/QUANTAL: 0 U, 1 tau_rec, 2 tau_facil, 3 tau_psc (tsodyks) / n (quantal)
# BERNOULLI: 0 p
# STDP:   0 tau_plus, 1 A_plus, 2 A_minus, 3 w_min, 4 w_max, 5 mu_plus, 6 mu_minus, 7 sign,
#         8 tau_minus
# VOGELS: 0 tau,      1 eta,    2 alpha,   3 w_min, 4 w_max,                     7 sign,
#         8 tau
NPAR = 9
# -- state rows -----------------------------------------------------------------------
# TSODYKS: 0 u, 1 x, 2 y;  TSODYKS2: 0 u, 1 x;  QUANTAL: 0 u, 1 a (available sites);
# STDP/VOGELS: 0 K+, 1 K- (see above);  all: 3 stamp of the last presynaptic spike (-1: none),
# 4 number of presynaptic spikes since reset (random stream counter)
S_LAST = 3
S_COUNT = 4
NST = 5

#: which state row a recordable variable reads, per kind
STATE_ROWS = {SK_TSODYKS: {"u": 0, "x": 1, "y": 2}, SK_TSODYKS2: {"u": 0, "x": 1},
              SK_QUANTAL: {"u": 0, "a": 1}}


def stream_seed(rng_seed: int, segment: int) -> int:
    """The uint64 seed of all synaptic random streams of one segment."""
    return mix64_int(mix64_int(int(rng_seed)) ^ (int(segment) * GOLDEN))


@njit(cache=True)
def connection_keys(projection_id, n):
    """Per-connection stream keys of connections 0..n-1 of a projection."""
    out = np.empty(n, np.uint64)
    base = _mix(np.uint64(projection_id) * np.uint64(0xD1B54A32D192ED03) + np.uint64(1))
    for i in range(n):
        out[i] = _mix(base ^ (np.uint64(i) * np.uint64(GOLDEN)))
    return out


@njit(cache=True)
def _uniform(seed, key, event, j):
    z = _mix(seed ^ key ^ _mix(np.uint64(event) * np.uint64(GOLDEN)
                               + np.uint64(j) * np.uint64(0xC2B2AE3D27D4EB4F)))
    return np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


# -- translation (numpy) ----------------------------------------------------------------
def kind_of(synapse_type: Any) -> int:
    """Kind code of a (non-static) synapse type instance; 0 if the engine has none."""
    name = type(synapse_type).__name__
    if name == "STDPMechanism":
        return SK_VOGELS if synapse_type.rule == "vogels" else SK_STDP
    return {"TsodyksMarkramSynapse": SK_TSODYKS, "Tsodyks2Synapse": SK_TSODYKS2,
            "MultiQuantalSynapse": SK_QUANTAL, "StochasticTsodyksMarkramSynapse": SK_QUANTAL,
            "SimpleStochasticSynapse": SK_BERNOULLI}.get(name, 0)


def parameter_block(kind: int, synapse_type: Any, values: dict[str, np.ndarray],
                    tau_psc: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """``par[NPAR, n]`` of n connections from their PyNN values."""
    n = len(sign)
    par = np.zeros((NPAR, n))

    def v(name: str, default: float = 0.0) -> np.ndarray:
        return np.broadcast_to(np.asarray(values.get(name, default), float), (n,))

    if kind in (SK_TSODYKS, SK_TSODYKS2, SK_QUANTAL):
        par[0], par[1], par[2] = v("U"), v("tau_rec"), v("tau_facil")
        par[3] = tau_psc if kind == SK_TSODYKS else v("n", 1.0)
    elif kind == SK_BERNOULLI:
        par[0] = v("p")
    elif kind == SK_STDP:
        wd = synapse_type.weight_dependence
        mu = wd.fixed_mu
        par[0], par[1], par[2] = v("tau_plus"), v("A_plus"), v("A_minus")
        par[3], par[4] = v("w_min"), v("w_max")
        par[5] = v("mu_plus") if mu is None else mu[0]
        par[6] = v("mu_minus") if mu is None else mu[1]
        par[7] = sign
        par[8] = v("tau_minus")
    elif kind == SK_VOGELS:
        par[0], par[1] = v("tau"), v("eta")
        par[2] = 2.0 * v("rho") * v("tau") / 1000.0
        par[3], par[4] = v("w_min"), v("w_max")
        par[7] = sign
        par[8] = v("tau")
    return par


def initial_state(kind: int, par: np.ndarray) -> np.ndarray:
    """``st[NST, n]`` at t = 0 (NEST's defaults)."""
    n = par.shape[1]
    st = np.zeros((NST, n))
    st[S_LAST] = -1.0
    if kind == SK_TSODYKS:
        st[1] = 1.0                      # u = 0, x = 1, y = 0, t_last = 0
        st[S_LAST] = 0.0
    elif kind == SK_TSODYKS2:
        st[0], st[1] = par[0], 1.0       # u = U, x = 1
    elif kind == SK_QUANTAL:
        st[0], st[1] = par[0], par[3]    # u = U, a = n
    elif kind in TRACE_KINDS:
        st[S_LAST] = 0.0                 # K+ = 0, t_last = 0
    return st


# -- compiled updates ---------------------------------------------------------------------
@njit(cache=True)
def deliver_plastic(row, emit_step, dt, L, ring, p_indptr, p_tgt, p_post, p_d, p_kind, p_w,
                    p_par, p_st, p_key, seed, h_idx, h_t, h_head, h_cnt):
    """Process a spike of `row` emitted in step `emit_step` (stamp emit_step + 1) through
    every dynamic synapse of the row and add the resulting input to the ring buffer."""
    stamp = emit_step + 1
    H = h_t.shape[1]
    for q in range(p_indptr[row], p_indptr[row + 1]):
        kind = p_kind[q]
        w = p_w[q]
        last = p_st[S_LAST, q]
        send = True
        weff = 0.0
        if kind == SK_TSODYKS:
            h = (stamp - last) * dt
            tau_fac = p_par[2, q]
            tau_rec = p_par[1, q]
            tau_psc = p_par[3, q]
            puu = 0.0 if tau_fac == 0.0 else math.exp(-h / tau_fac)
            pzz = math.expm1(-h / tau_rec)
            if tau_psc <= 0.0:
                pyy = 0.0
                pxy = -pzz
            elif tau_psc == tau_rec:
                pyy = math.exp(-h / tau_psc)
                pxy = 1.0 - pyy * (1.0 + h / tau_psc)
            else:
                pyy = math.exp(-h / tau_psc)
                pxy = (pzz * tau_rec - (pyy - 1.0) * tau_psc) / (tau_psc - tau_rec)
            u = p_st[0, q]
            x = p_st[1, q]
            y = p_st[2, q]
            z = 1.0 - x - y
            u *= puu
            x += pxy * y - pzz * z
            y *= pyy
            u += p_par[0, q] * (1.0 - u)
            dy = u * x
            x -= dy
            y += dy
            p_st[0, q] = u
            p_st[1, q] = x
            p_st[2, q] = y
            weff = dy * w
        elif kind == SK_TSODYKS2:
            u = p_st[0, q]
            x = p_st[1, q]
            if last >= 0.0:
                h = (stamp - last) * dt
                tau_fac = p_par[2, q]
                x_decay = math.exp(-h / p_par[1, q])
                u_decay = 0.0 if tau_fac == 0.0 else math.exp(-h / tau_fac)
                x = 1.0 + (x - x * u - 1.0) * x_decay
                u = p_par[0, q] + u * (1.0 - p_par[0, q]) * u_decay
                p_st[0, q] = u
                p_st[1, q] = x
            weff = x * u * w
        elif kind == SK_QUANTAL:
            ev = np.int64(p_st[S_COUNT, q])
            j = 0
            u = p_st[0, q]
            a = np.int64(p_st[1, q])
            n_sites = np.int64(p_par[3, q])
            if last >= 0.0:
                h = (stamp - last) * dt
                tau_fac = p_par[2, q]
                p_decay = math.exp(-h / p_par[1, q])
                u_decay = 0.0 if tau_fac < 1.0e-10 else math.exp(-h / tau_fac)
                u = p_par[0, q] + u * (1.0 - p_par[0, q]) * u_decay
                for _ in range(n_sites - a):
                    if _uniform(seed, p_key[q], ev, j) < 1.0 - p_decay:
                        a += 1
                    j += 1
            n_rel = 0
            for _ in range(a):
                if _uniform(seed, p_key[q], ev, j) < u:
                    n_rel += 1
                j += 1
            send = n_rel > 0
            if send:
                weff = n_rel * w
                a -= n_rel
            p_st[0, q] = u
            p_st[1, q] = a
        elif kind == SK_BERNOULLI:
            ev = np.int64(p_st[S_COUNT, q])
            send = _uniform(seed, p_key[q], ev, 0) < p_par[0, q]
            weff = w
        else:  # SK_STDP, SK_VOGELS
            sign = p_par[7, q]
            m = w * sign
            D = p_d[q]
            hi = h_idx[p_post[q]]
            w_min = p_par[3, q]
            w_max = p_par[4, q]
            tau = p_par[0, q]
            tau_m = p_par[8, q]
            kplus = p_st[0, q]
            t_lo = last - D
            t_hi = stamp - D
            ksum = 0.0
            stdp = kind == SK_STDP
            if stdp:
                a_plus = p_par[1, q]
                mu_p = p_par[5, q]
                xn = m / w_max
                x_min = w_min / w_max
            else:
                eta = p_par[1, q]
            # postsynaptic spikes seen through the dendrite since the last presynaptic
            # spike: facilitation for t_lo < ts <= t_hi, K- sum for t_lo <= ts < t_hi
            for i in range(h_cnt[hi]):
                ts = h_t[hi, (h_head[hi] + i) % H]
                if ts < t_lo:
                    continue
                if ts > t_hi:
                    break
                if ts > t_lo:
                    kp = kplus * math.exp((last - (ts + D)) * dt / tau)
                    if stdp:
                        xn = xn + a_plus * (1.0 - xn) ** mu_p * kp
                        if xn > 1.0:
                            xn = 1.0
                    else:
                        m = m + eta * kp
                        if m > w_max:
                            m = w_max
                if ts < t_hi:
                    ksum += math.exp((ts - t_hi) * dt / tau_m)
            km = p_st[1, q] * math.exp((t_lo - t_hi) * dt / tau_m) + ksum
            p_st[1, q] = km
            if stdp:
                d = xn - x_min
                xn = xn - p_par[2, q] * (d if d > 0.0 else 0.0) ** p_par[6, q] * km
                if xn < x_min:
                    xn = x_min
                m = xn * w_max
            else:
                m = m + eta * km
                if m > w_max:
                    m = w_max
                m = m - p_par[2, q] * eta
                if m < w_min:
                    m = w_min
            weff = m * sign
            p_w[q] = weff
            p_st[0, q] = kplus * math.exp((last - stamp) * dt / tau) + 1.0
        p_st[S_LAST, q] = stamp
        p_st[S_COUNT, q] += 1.0
        if send:
            ring[(emit_step + p_d[q]) % L, p_tgt[q]] += weff


@njit(cache=True)
def record_post_spike(row, stamp, h_idx, h_t, h_head, h_cnt, h_full):
    """Append a postsynaptic spike stamp to the history of `row` (if it has one)."""
    hi = h_idx[row]
    if hi < 0:
        return
    H = h_t.shape[1]
    h_t[hi, (h_head[hi] + h_cnt[hi]) % H] = stamp
    h_cnt[hi] += 1
    if h_cnt[hi] == H:
        h_full[0] += 1


@njit(cache=True)
def gap_currents(g_a, g_b, g_w, state_v, iinj):
    """Add the gap-junction currents (explicit: voltages at the start of the step)."""
    for j in range(g_a.shape[0]):
        a = g_a[j]
        b = g_b[j]
        i = g_w[j] * (state_v[b] - state_v[a])
        iinj[a] += i
        iinj[b] -= i


# -- storage (numpy) ------------------------------------------------------------------------
class PostHistory:
    """Spike stamps (ring per cell) of the targets of trace-based plastic synapses."""

    def __init__(self, N: int, rows: np.ndarray, H: int = 16) -> None:
        self.idx = np.full(N, -1, np.int64)
        self.idx[rows] = np.arange(len(rows))
        self.rows = np.asarray(rows, np.int64)
        nh = len(rows)
        self.t = np.zeros((nh, H), np.int64)
        self.head = np.zeros(nh, np.int64)
        self.cnt = np.zeros(nh, np.int64)
        self.full = np.zeros(1, np.int64)

    @staticmethod
    def empty(N: int) -> "PostHistory":
        return PostHistory(N, np.zeros(0, np.int64), H=1)

    def clear(self) -> None:
        self.cnt[:] = 0
        self.head[:] = 0
        self.full[0] = 0

    def ordered(self) -> np.ndarray:
        """The rings unrolled, oldest entry first."""
        H = self.t.shape[1]
        pos = (self.head[:, None] + np.arange(H)[None, :]) % H
        return np.take_along_axis(self.t, pos, axis=1)

    def make_room(self, threshold: np.ndarray) -> None:
        """Drop entries at stamps < threshold[hi]; double the ring where a cell's history
        is still full."""
        H = self.t.shape[1]
        nh = len(self.cnt)
        valid = np.arange(H)[None, :] < self.cnt[:, None]
        drop = (valid & (self.ordered() < threshold[:, None])).sum(axis=1)
        self.head = (self.head + drop) % H
        self.cnt = self.cnt - drop
        if np.any(self.cnt >= H):
            t_new = np.zeros((nh, 2 * H), np.int64)
            t_new[:, :H] = self.ordered()
            self.t, self.head = t_new, np.zeros(nh, np.int64)
            logger.debug("postsynaptic spike history grown to %d entries per cell", 2 * H)
        self.full[0] = int(np.count_nonzero(self.cnt >= self.t.shape[1]))
