"""Standard current sources. Amplitudes in nA, times in ms. Each takes effect at its
`start` exactly: the current flows during the time step that begins at `start` and stops
flowing at the step that begins at `stop`."""
from __future__ import annotations

from lamina.models.base import Parameter, StandardCurrentSourceType

_NONNEG = {"low": 0.0}
_STOP_DOC = "time the current stops [ms]; None means never"


class DCSource(StandardCurrentSourceType):
    """Constant current `amplitude` between `start` and `stop`."""

    parameters = (Parameter("amplitude", 1.0, "nA", "current amplitude"),
                  Parameter("start", 0.0, "ms", "time the current starts", **_NONNEG),
                  Parameter("stop", None, "ms", _STOP_DOC, **_NONNEG))


class StepCurrentSource(StandardCurrentSourceType):
    """Piecewise-constant current: ``amplitudes[k]`` from ``times[k]`` on. Times must be
    strictly increasing."""

    parameters = (Parameter("amplitudes", (), "nA", "amplitude of each step", kind="sequence"),
                  Parameter("times", (), "ms", "start time of each step", kind="sequence"))


class ACSource(StandardCurrentSourceType):
    """Sinusoidal current ``offset + amplitude sin(2 pi frequency t/1000 + phase)`` between
    `start` and `stop`; t is the simulation time [ms], phase in degrees."""

    parameters = (Parameter("amplitude", 1.0, "nA", "amplitude of the sine"),
                  Parameter("start", 0.0, "ms", "time the current starts", **_NONNEG),
                  Parameter("stop", None, "ms", _STOP_DOC, **_NONNEG),
                  Parameter("frequency", 10.0, "Hz", "frequency", **_NONNEG),
                  Parameter("phase", 0.0, "deg", "phase at t = 0"),
                  Parameter("offset", 0.0, "nA", "constant offset"))


class NoisyCurrentSource(StandardCurrentSourceType):
    """Gaussian white-noise current: a new value drawn from N(mean, stdev) every `dt` ms
    between `start` and `stop`. All target cells receive the same realisation (the one
    `record()` returns)."""

    parameters = (Parameter("mean", 0.0, "nA", "mean current"),
                  Parameter("stdev", 1.0, "nA", "standard deviation", **_NONNEG),
                  Parameter("start", 0.0, "ms", "time the current starts", **_NONNEG),
                  Parameter("stop", None, "ms", _STOP_DOC, **_NONNEG),
                  Parameter("dt", None, "ms", "interval between new values; None means the "
                            "simulation time step", low=0.0, low_open=True))


ALL = (DCSource, StepCurrentSource, ACSource, NoisyCurrentSource)
