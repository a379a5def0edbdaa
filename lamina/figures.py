"""One-call figures of recorded data and connectivity (matplotlib; ``pip install
lamina[plot]``), complementing `lamina.plotting` (PyNN's `Figure`/`Panel`).

Each function takes what `get_data()` returns (a neo Block — its last segment is used —, a
Segment, or a list of SpikeTrains / AnalogSignal), draws into a new figure (or into the
matplotlib axes given as ``ax``/``axes``), writes it to ``filename`` if given and returns the
matplotlib Figure::

    from lamina.figures import raster_with_rate
    raster_with_rate(exc.get_data("spikes"), bin_ms=5.0, filename="raster.png")
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["raster_with_rate", "membrane_traces", "isi_histogram", "rate_histogram",
           "connectivity_matrix"]


def _pyplot() -> Any:
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        from lamina.errors import BackendNotAvailableError
        raise BackendNotAvailableError("figures need matplotlib: pip install lamina[plot]") from err
    return plt


def _segment(data: Any) -> Any:
    segments = getattr(data, "segments", None)
    if segments is not None:
        if not segments:
            from lamina.errors import NothingToWriteError
            raise NothingToWriteError("the Block holds no segment: run and record first")
        return segments[-1]
    return data


def spiketrains_of(data: Any) -> list[Any]:
    """The spike trains in a Block (last segment), Segment or list of SpikeTrains."""
    seg = _segment(data)
    trains = getattr(seg, "spiketrains", seg)
    return list(trains)


def _signal(data: Any, variable: str | None) -> Any:
    seg = _segment(data)
    signals = getattr(seg, "analogsignals", None)
    if signals is None:
        return seg
    chosen = [s for s in signals if variable is None or s.name == variable]
    if not chosen:
        from lamina.errors import RecordingError
        raise RecordingError(variable or "any signal", "the data",
                             [s.name for s in signals])
    return chosen[0]


def _figure(nrows: int, axes: Any, height: float) -> tuple[Any, list[Any]]:
    if axes is not None:
        axes = list(np.atleast_1d(axes))
        return axes[0].figure, axes
    fig, created = _pyplot().subplots(nrows, 1, figsize=(7, height), squeeze=False,
                                      sharex=nrows > 1)
    return fig, list(created[:, 0])


def _finish(fig: Any, filename: str | None, title: str | None) -> Any:
    if title:
        fig.suptitle(title)
    if filename:
        fig.savefig(filename)
    return fig


def _times_ms(train: Any) -> np.ndarray:
    return np.asarray(train.rescale("ms").magnitude, dtype=float)


def _row(train: Any, k: int) -> int:
    return int(train.annotations.get("source_index", k))


def raster_with_rate(data: Any, bin_ms: float = 10.0, title: str | None = None,
                     filename: str | None = None, axes: Any = None) -> Any:
    """Spike raster (one row per cell, its index in the population) above the population
    rate [Hz] in bins of `bin_ms` [ms]."""
    trains = spiketrains_of(data)
    fig, (top, bottom) = _figure(2, axes, 5.0)
    if trains:
        t0 = float(trains[0].t_start.rescale("ms"))
        t1 = float(max(st.t_stop.rescale("ms") for st in trains))
        top.eventplot([_times_ms(st) for st in trains],
                      lineoffsets=[_row(st, k) for k, st in enumerate(trains)],
                      linelengths=0.8, linewidths=0.8, colors="k")
        edges = np.arange(t0, t1 + bin_ms, bin_ms)
        counts, _ = np.histogram(np.concatenate([_times_ms(st) for st in trains]), edges)
        rate = counts / (len(trains) * bin_ms * 1e-3)
        bottom.bar(edges[:-1], rate, width=bin_ms, align="edge", color="0.4")
        bottom.set_xlim(t0, t1)
    top.set_ylabel("cell index")
    bottom.set_ylabel("rate (Hz)")
    bottom.set_xlabel("time (ms)")
    return _finish(fig, filename, title)


def membrane_traces(data: Any, variable: str | None = "v", cells: Any = None,
                    title: str | None = None, filename: str | None = None,
                    axes: Any = None) -> Any:
    """One line per recorded cell of `variable` (default the membrane potential), at most
    the cells (channel indices) listed in `cells`."""
    signal = _signal(data, variable)
    fig, (ax,) = _figure(1, axes, 3.5)
    values = np.asarray(signal.magnitude)
    channels = np.asarray(signal.array_annotations.get("channel_index", np.arange(values.shape[1])))
    keep = np.arange(values.shape[1]) if cells is None else np.flatnonzero(np.isin(channels, cells))
    t = np.asarray(signal.times.rescale("ms").magnitude)
    for k in keep:
        ax.plot(t, values[:, k], lw=0.8, label=f"cell {int(channels[k])}")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{signal.name} ({signal.units.dimensionality.string})")
    if 0 < len(keep) <= 10:
        ax.legend(fontsize="small")
    return _finish(fig, filename, title)


def isi_histogram(data: Any, bins: int = 50, title: str | None = None,
                  filename: str | None = None, axes: Any = None) -> Any:
    """Histogram of the inter-spike intervals [ms] of all cells together."""
    trains = spiketrains_of(data)
    isis = [np.diff(np.sort(_times_ms(st))) for st in trains]
    values = np.concatenate(isis) if isis else np.zeros(0)
    fig, (ax,) = _figure(1, axes, 3.0)
    ax.hist(values, bins=bins, color="0.4")
    ax.set_xlabel("inter-spike interval (ms)")
    ax.set_ylabel("count")
    return _finish(fig, filename, title)


def rate_histogram(data: Any, bins: int = 20, title: str | None = None,
                   filename: str | None = None, axes: Any = None) -> Any:
    """Histogram of the cells' mean firing rates [Hz] over the segment."""
    trains = spiketrains_of(data)
    rates = [len(st) / float((st.t_stop - st.t_start).rescale("s")) for st in trains
             if st.t_stop > st.t_start]
    fig, (ax,) = _figure(1, axes, 3.0)
    ax.hist(rates, bins=bins, color="0.4")
    ax.set_xlabel("firing rate (Hz)")
    ax.set_ylabel("cells")
    return _finish(fig, filename, title)


def connectivity_matrix(projection: Any, attribute: str = "weight", title: str | None = None,
                        filename: str | None = None, axes: Any = None) -> Any:
    """The (presynaptic x postsynaptic) matrix of `attribute` of a Projection as an image;
    white where there is no connection, several connections of one pair summed."""
    values = projection.get(attribute, format="array", multiple_synapses="sum")
    fig, (ax,) = _figure(1, axes, 5.0)
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", interpolation="nearest",
                      origin="upper", cmap="viridis")
    unit = {"weight": projection.post.celltype.weight_unit, "delay": "ms"}.get(attribute)
    fig.colorbar(image, ax=ax, label=f"{attribute} ({unit})" if unit else attribute)
    ax.set_xlabel(f"postsynaptic index ({projection.post.label})")
    ax.set_ylabel(f"presynaptic index ({projection.pre.label})")
    return _finish(fig, filename, title or projection.label)
