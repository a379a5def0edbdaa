"""Standard current sources. Amplitudes in nA, times in ms. Each takes effect at its
`start` exactly: the current flows during the time step that begins at `start` and stops
flowing at the step that begins at `stop`."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from lamina.errors import InvalidParameterValueError
from lamina.models.base import Parameter, StandardCurrentSourceType

_NONNEG: dict[str, Any] = {"low": 0.0}
_STOP_DOC = "time the current stops [ms]; None or inf means never"


class DCSource(StandardCurrentSourceType):
    """Constant current `amplitude` between `start` and `stop`."""

    parameters = (Parameter("amplitude", 1.0, "nA", "current amplitude"),
                  Parameter("start", 0.0, "ms", "time the current starts", **_NONNEG),
                  Parameter("stop", None, "ms", _STOP_DOC, infinite=True, **_NONNEG))


class StepCurrentSource(StandardCurrentSourceType):
    """Piecewise-constant current: ``amplitudes[k]`` from ``times[k]`` on. Times must be
    strictly increasing."""

    parameters = (Parameter("amplitudes", (), "nA", "amplitude of each step", kind="sequence"),
                  Parameter("times", (), "ms", "start time of each step", kind="sequence"))

    def set_parameters(self, **parameters: Any) -> None:
        """Change parameters; `times` must be >= 0 and strictly increasing
        (`InvalidParameterValueError` naming them otherwise, as PyNN refuses them)."""
        if "times" in parameters:
            value = parameters["times"]
            times = np.asarray(getattr(value, "value", value), dtype=float).ravel()
            if times.size and times.min() < 0:
                raise InvalidParameterValueError(
                    f"StepCurrentSource: times={times.tolist()}: times must be >= 0 ms "
                    f"(got {float(times.min())})")
            if np.any(np.diff(times) <= 0):
                raise InvalidParameterValueError(
                    f"StepCurrentSource: times={times.tolist()}: times must be strictly "
                    "increasing")
        super().set_parameters(**parameters)


class ACSource(StandardCurrentSourceType):
    """Sinusoidal current ``offset + amplitude sin(2 pi frequency (t - start)/1000 + phase)``
    between `start` and `stop`; t is the simulation time [ms], phase in degrees: as in
    PyNN, the phase is the one at `start` (NEST's own generator counts from t = 0)."""

    parameters = (Parameter("amplitude", 1.0, "nA", "amplitude of the sine"),
                  Parameter("start", 0.0, "ms", "time the current starts", **_NONNEG),
                  Parameter("stop", None, "ms", _STOP_DOC, infinite=True, **_NONNEG),
                  Parameter("frequency", 10.0, "Hz", "frequency", **_NONNEG),
                  Parameter("phase", 0.0, "deg", "phase at t = start"),
                  Parameter("offset", 0.0, "nA", "constant offset"))


class NoisyCurrentSource(StandardCurrentSourceType):
    """Gaussian white-noise current: a new value drawn from N(mean, stdev) every `dt` ms
    between `start` and `stop`. All target cells receive the same realisation (the one
    `record()` returns)."""

    parameters = (Parameter("mean", 0.0, "nA", "mean current"),
                  Parameter("stdev", 1.0, "nA", "standard deviation", **_NONNEG),
                  Parameter("start", 0.0, "ms", "time the current starts", **_NONNEG),
                  Parameter("stop", None, "ms", _STOP_DOC, infinite=True, **_NONNEG),
                  Parameter("dt", None, "ms", "interval between new values; None means the "
                            "simulation time step", low=0.0, low_open=True))


ALL = (DCSource, StepCurrentSource, ACSource, NoisyCurrentSource)


def to_step(t: Any, dt: float) -> Any:
    """Round times [ms] to the nearest grid step (half steps round up); every backend uses
    this, so currents switch at the same step everywhere."""
    return np.floor(np.asarray(t, dtype=float) / dt + 0.5).astype(np.int64)


def active_steps(p: dict[str, Any], steps: np.ndarray, dt: float) -> np.ndarray:
    """Which of `steps` lie in [start, stop): the current flows during the step that begins
    at `start` and no longer in the step that begins at `stop`."""
    active = steps >= int(to_step(p.get("start") or 0.0, dt))
    if p.get("stop") is not None:
        active &= steps < int(to_step(p["stop"], dt))
    return active


def waveform(model: str, p: dict[str, Any], steps: np.ndarray, dt: float) -> np.ndarray:
    """The current [nA] source `model` with evaluated parameters `p` injects during each of
    `steps` (the step n runs from n*dt to (n+1)*dt). NoisyCurrentSource: its mean (the
    random part is drawn by each backend)."""
    if model == "StepCurrentSource":
        times = to_step(np.asarray(p["times"], dtype=float).ravel(), dt)
        amps = np.asarray(p["amplitudes"], dtype=float).ravel()
        if len(times) == 0:
            return np.zeros(len(steps))
        k = np.searchsorted(times, steps, side="right") - 1
        return np.where(k >= 0, amps[np.maximum(k, 0)], 0.0)
    active = active_steps(p, steps, dt)
    if model == "DCSource":
        return np.where(active, float(p["amplitude"]), 0.0)
    if model == "ACSource":
        # PyNN's convention: the phase holds at `start` (NEST's generator counts from t = 0)
        elapsed = steps * dt - float(p.get("start") or 0.0)
        value = float(p["offset"]) + float(p["amplitude"]) * np.sin(
            2.0 * math.pi * float(p["frequency"]) * elapsed / 1000.0
            + float(p["phase"]) * math.pi / 180.0)
        return np.where(active, value, 0.0)
    if model == "NoisyCurrentSource":
        return np.where(active, float(p["mean"]), 0.0)
    raise KeyError(model)
