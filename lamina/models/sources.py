"""Stochastic spike sources beyond SpikeSourcePoisson (PyNN 0.13 names, defaults, units).

Each source emits spikes on the time grid from ``start`` for ``duration`` [ms]; every cell
has an independent train. Parameters may be changed between runs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.errors import InvalidParameterValueError
from lamina.models.base import Parameter, StandardCellType

_NONNEG: dict[str, Any] = {"low": 0.0}
_POS: dict[str, Any] = {"low": 0.0, "low_open": True}
_START = Parameter("start", 0.0, "ms", "start time", **_NONNEG)
_DURATION = Parameter("duration", 1e10, "ms", "duration of the train (inf: forever)",
                      infinite=True, **_NONNEG)


class _Source(StandardCellType):
    recordable = ("spikes",)
    receptor_types = ()
    injectable = False
    is_spike_source = True


class SpikeSourcePoissonRefractory(_Source):
    """Poisson process with dead time (NEST: ppd_sup_generator): no spike within
    `tau_refrac` [ms] of the previous one; the mean rate stays `rate` [Hz], so the
    inter-spike interval is ``tau_refrac + Exp(1/rate - tau_refrac)``
    (requires ``rate * tau_refrac < 1000``)."""

    parameters = (Parameter("rate", 1.0, "Hz", "mean firing rate", **_NONNEG),
                  Parameter("tau_refrac", 0.0, "ms", "dead time after each spike", **_NONNEG),
                  _START, _DURATION)

    def check_values(self, values: dict[str, Any]) -> None:
        super().check_values(values)
        if "rate" in values and "tau_refrac" in values:
            prod = np.asarray(values["rate"], float) * np.asarray(values["tau_refrac"], float)
            if np.any(prod >= 1000.0):
                raise InvalidParameterValueError(
                    "SpikeSourcePoissonRefractory: rate * tau_refrac = "
                    f"{float(np.max(prod)):g} Hz ms; allowed: < 1000 (the dead time must be "
                    "shorter than the mean inter-spike interval)")


class SpikeSourceGamma(_Source):
    """Gamma renewal process (NEST: gamma_sup_generator with gamma_shape = alpha,
    rate = beta/alpha): inter-spike intervals follow Gamma(shape alpha, rate beta [Hz]),
    mean interval alpha/beta [s]. The train starts in equilibrium at `start`."""

    parameters = (Parameter("alpha", 2, "dimensionless", "shape (order) of the gamma "
                            "distribution", **_POS),
                  Parameter("beta", 1.0, "Hz", "rate parameter of the gamma distribution",
                            **_NONNEG),
                  _START, _DURATION)


class SpikeSourceInhGamma(_Source):
    """Inhomogeneous gamma process (Muller et al. 2007): from ``tbins[k]`` [ms] on, the
    shape is ``a[k]`` and the scale ``b[k]`` [s] (instantaneous rate 1/(a b) Hz). The engine
    generates it by time rescaling: a gamma renewal process of unit mean interval in
    operational time ``Lambda(t) = int r(t) dt``, with the shape in force at each
    interval's start."""

    parameters = (Parameter("a", (1.0,), "dimensionless", "shape of the gamma distribution "
                            "in each time bin", kind="array", **_POS),
                  Parameter("b", (1.0,), "s", "scale of the gamma distribution in each time bin",
                            kind="array", **_POS),
                  Parameter("tbins", (0.0,), "ms", "start times of the bins", kind="sequence"),
                  _START, _DURATION)

    def check_values(self, values: dict[str, Any]) -> None:
        super().check_values(values)
        if all(k in values for k in ("a", "b", "tbins")):
            for k, (a, b, t) in enumerate(zip(values["a"], values["b"], values["tbins"])):
                if not (np.size(a) == np.size(b) == np.size(t)) or np.size(t) == 0:
                    raise InvalidParameterValueError(
                        f"SpikeSourceInhGamma: a, b and tbins of cell {k} must have the same "
                        f"non-zero length; got {np.size(a)}, {np.size(b)}, {np.size(t)}")


ALL = (SpikeSourcePoissonRefractory, SpikeSourceGamma, SpikeSourceInhGamma)
