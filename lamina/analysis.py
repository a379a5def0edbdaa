"""Statistics of recorded spikes with Elephant (``pip install lamina[analysis]``).

lamina's `get_data()` returns Neo objects, which Elephant reads directly; `spike_statistics`
bundles the usual first look at a population: firing rates, the coefficient of variation of
the inter-spike intervals, pairwise correlation coefficients of binned trains and a
spike-train distance (Victor–Purpura). Any other Elephant function takes the same
``segment.spiketrains``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.errors import BackendNotAvailableError, NothingToWriteError


def _elephant() -> Any:
    try:
        import elephant.conversion
        import elephant.spike_train_correlation
        import elephant.spike_train_dissimilarity
        import elephant.statistics
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise BackendNotAvailableError("spike statistics need Elephant: "
                                       "pip install lamina[analysis]") from err
    return elephant


def spike_statistics(spiketrains: list[Any], bin_size_ms: float = 5.0,
                     vp_cost_per_ms: float = 0.1, distances: bool = True) -> dict[str, Any]:
    """First-look statistics of a list of neo SpikeTrains (e.g. ``segment.spiketrains``).

    Parameters
    ----------
    spiketrains : list of neo.SpikeTrain — sharing t_start and t_stop
    bin_size_ms : float — bin width for the correlation coefficients [ms]
    vp_cost_per_ms : float — Victor–Purpura cost of shifting a spike [1/ms]
    distances : bool — compute the distances (quadratic in the number of spikes per pair)

    Returns
    -------
    dict with ``rates`` [Hz] (one per train), ``cv`` (ISI coefficient of variation per
    train, NaN with fewer than 3 spikes), ``correlation`` (n x n correlation coefficients
    of the binned trains) and ``victor_purpura`` (n x n distances; None unless `distances`).
    """
    import quantities as pq
    if not spiketrains:
        raise NothingToWriteError("spike_statistics: no spike trains (record 'spikes' first)")
    el = _elephant()
    rates = np.array([float(el.statistics.mean_firing_rate(st).rescale(pq.Hz))
                      for st in spiketrains])
    cvs = np.array([float(el.statistics.cv(el.statistics.isi(st).magnitude))
                    if len(st) > 2 else np.nan for st in spiketrains])
    binned = el.conversion.BinnedSpikeTrain(spiketrains, bin_size=bin_size_ms * pq.ms)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = el.spike_train_correlation.correlation_coefficient(binned)
    vp = el.spike_train_dissimilarity.victor_purpura_distance(
        spiketrains, cost_factor=vp_cost_per_ms / pq.ms) if distances else None
    return {"rates": rates, "cv": cvs, "correlation": np.asarray(corr),
            "victor_purpura": None if vp is None else np.asarray(vp)}
