"""Current sources on NEST: parameters of the generators and the waveform lamina expects.

Timing
------
lamina (like its engine) lets a source's current flow during the step that *begins* at
`start` (step ``n = start/dt``) up to the step before `stop`. A NEST generator connected with
a one-step delay acts on the neuron one step after the step in which it is active, and a
generator is never active in step 0. Measured on NEST 3.10: a generator with ``start = s``
acts in the steps from ``s/dt + 1`` (and from step 2 for ``s = 0``). So every time sent to
NEST (``start``, ``stop``, step times) is shifted by ``-dt`` and the AC phase advanced by
``360 f dt / 1000`` degrees; the current of the first two steps (which no generator can
deliver) is added to the targets' ``I_e`` for those steps by the backend
(`first_step_currents`). The noise of a NoisyCurrentSource is NEST's own (different
realisation, and — as in NEST — independent for each target cell).

Recording
---------
The deterministic sources (DC, AC, step) are recorded by evaluating their waveform on the
time grid exactly as it is applied (`waveform`); NoisyCurrentSource is recorded with a
multimeter on the ``noise_generator`` (its ``I``), shifted onto the step it acts in.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.backends.nest.translations import CURRENT_SOURCES, scale_to_nest
from lamina.models import current_sources


to_step = current_sources.to_step


@dataclass
class SourceRecord:
    """One injected source: model, PyNN parameters, targets, NEST node and recording."""

    source_id: int
    model: str
    params: dict[str, Any]
    targets: np.ndarray                    # lamina ids
    node: Any = None                       # NodeCollection of the generator
    recording: bool = False
    rec_start: int = 0                     # step recording started
    meter: Any = None                      # multimeter (noise only)
    # noise samples collected: (steps, amplitudes [pA]) per run
    data: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    history: list[np.ndarray] = field(default_factory=list)  # waveform before changes
    history_end: int = 0                   # first step not in `history`


def waveform(model: str, p: dict[str, Any], n0: int, n1: int, dt: float) -> np.ndarray:
    """Amplitude [nA] flowing in steps ``n0 .. n1-1`` (lamina semantics, see
    `lamina.models.current_sources.waveform`); noise: mean only (its realisation comes from
    NEST)."""
    return current_sources.waveform(model, p, np.arange(n0, n1, dtype=np.int64), dt)


def nest_parameters(model: str, p: dict[str, Any], dt: float) -> dict[str, Any]:
    """NEST generator status for PyNN parameters `p` (units converted, times shifted)."""
    entry = CURRENT_SOURCES[model]
    out = scale_to_nest(entry["parameters"], {k: v for k, v in p.items() if v is not None})
    if model == "StepCurrentSource":
        steps = to_step(np.asarray(p["times"], dtype=float).ravel(), dt)
        amps = np.asarray(p["amplitudes"], dtype=float).ravel() * 1000.0
        shifted = np.maximum(steps - 1, 1)          # NEST needs times > 0
        keep = np.r_[shifted[1:] != shifted[:-1], True] if len(shifted) else shifted
        out["amplitude_times"] = (shifted[keep] * dt).tolist()
        out["amplitude_values"] = amps[keep].tolist()
        return out
    start = int(to_step(p.get("start") or 0.0, dt))
    out["start"] = max(start - 1, 0) * dt
    stop = p.get("stop")
    out["stop"] = (max(int(to_step(stop, dt)) - 1, 0) * dt) if stop is not None else math.inf
    if out["stop"] < out["start"]:
        out["stop"] = out["start"]
    if model == "ACSource":   # NEST's phase counts from t = 0, PyNN's from start
        out["phase"] = (float(p["phase"]) + 360.0 * float(p["frequency"])
                        * (dt - float(p.get("start") or 0.0)) / 1000.0) % 360.0
    if model == "NoisyCurrentSource":
        out["dt"] = dt if p.get("dt") is None else float(to_step(p["dt"], dt)) * dt
    return out


def first_step_currents(sources: list[SourceRecord], step: int, dt: float) -> dict[int, float]:
    """Summed amplitude [nA] per target id that must flow in `step` (0 or 1) but that no
    NEST generator can deliver."""
    out: dict[int, float] = {}
    for src in sources:
        if src.model == "NoisyCurrentSource":
            continue  # NEST's noise starts at step 2 (documented difference)
        amp = waveform(src.model, src.params, step, step + 1, dt)[0]
        if amp != 0.0:
            for i in src.targets.tolist():
                out[i] = out.get(i, 0.0) + float(amp)
    return out
