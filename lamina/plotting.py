"""Quick figures of recorded data (``pyNN.utility.plotting``): a `Figure` of `Panel`s.

Needs matplotlib (``pip install lamina[plot]``). A Panel draws each data item it holds:
Neo AnalogSignals (one line per channel), spike trains (a list of SpikeTrain or a Neo
SpikeTrainList: a raster, one row per cell at its ``source_index``), a 2-D array (an
image), a `DataTable` (a scatter plot) or a `Histogram` (bars). As in PyNN, tick labels
are hidden unless ``xticks=True`` / ``yticks=True`` is given.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from itertools import repeat
from typing import Any

import numpy as np

__all__ = ["DEFAULT_FIG_SETTINGS", "DataTable", "Figure", "Histogram", "Panel",
           "comparison_plot", "connection_plot", "handle_options", "isi_histogram",
           "plot_array_as_image", "plot_hist", "plot_signal", "plot_signals",
           "plot_spiketrainlist", "plot_spiketrains", "scatterplot", "variable_names"]

#: matplotlib settings a Figure uses unless given ``settings=``
DEFAULT_FIG_SETTINGS = {"lines.linewidth": 0.5, "axes.linewidth": 0.5,
                        "axes.labelsize": "small", "legend.fontsize": "small",
                        "font.size": 8, "savefig.dpi": 150}


def _pyplot() -> Any:
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        from lamina.errors import BackendNotAvailableError
        raise BackendNotAvailableError("plotting needs matplotlib: pip install lamina[plot]") from err
    return plt


def handle_options(ax: Any, options: dict[str, Any]) -> None:
    """Apply the axis options (xticks, yticks, xlabel, ylabel, xlim, ylim) to `ax`,
    removing them from `options` (the rest are matplotlib line properties)."""
    if not options.pop("xticks", False):
        for lab in ax.get_xticklabels():
            lab.set_visible(False)
    if not options.pop("yticks", False):
        for lab in ax.get_yticklabels():
            lab.set_visible(False)
    for key in ("xlabel", "ylabel", "xlim", "ylim"):
        if key in options:
            getattr(ax, f"set_{key}")(options.pop(key))


def _label_box(ax: Any, label: str) -> None:
    if label:
        ax.text(0.95, 0.95, label, transform=ax.transAxes, ha="right", va="top",
                bbox={"facecolor": "white", "alpha": 1.0})


def _auto_ylabel(signal: Any, options: dict[str, Any]) -> None:
    if options.get("ylabel") == "auto":
        options["ylabel"] = f"{signal.name} ({signal.units.dimensionality.string})"


def _channels(signal: Any) -> np.ndarray:
    ann = getattr(signal, "array_annotations", {}) or {}
    return np.asarray(ann.get("channel_index", np.arange(signal.shape[1])))


def plot_signal(ax: Any, signal: Any, index: int | None = None, label: str = "",
                **options: Any) -> None:
    """Plot one channel (`index`, or the only one) of an AnalogSignal [ms on x]."""
    _auto_ylabel(signal, options)
    handle_options(ax, options)
    channels = _channels(signal)
    column = 0 if index is None else index
    t = np.asarray(signal.times.rescale("ms"))
    ax.plot(t, np.asarray(signal.magnitude)[:, column],
            label=f"{label} (Neuron {int(channels[column])})", **options)
    ax.legend()


def plot_signals(ax: Any, signal_array: Any, label_prefix: str = "", **options: Any) -> None:
    """Plot every channel of an AnalogSignal, in channel order (``y_offset`` shifts
    channel k by k * y_offset; ``legend=False`` hides the legend)."""
    _auto_ylabel(signal_array, options)
    handle_options(ax, options)
    offset = options.pop("y_offset", None) or 0.0
    if hasattr(offset, "rescale"):                 # a quantity, e.g. 10 * mV
        offset = float(offset.rescale(signal_array.units).magnitude)
    show_legend = options.pop("legend", True)
    channels = _channels(signal_array)
    t = np.asarray(signal_array.times.rescale("ms"))
    values = np.asarray(signal_array.magnitude)
    for k, column in enumerate(np.argsort(channels, kind="stable")):
        name = f"Neuron {int(channels[column])}"
        label = f"{label_prefix} ({name})" if label_prefix else name
        ax.plot(t, values[:, column] + k * offset, label=label, **options)
    if show_legend:
        ax.legend()


def _raster(ax: Any, times: np.ndarray, rows: np.ndarray, t_range: tuple[float, float],
            label: str, options: dict[str, Any]) -> None:
    ax.set_xlim(*t_range)
    handle_options(ax, options)
    ax.plot(times, rows, "k.", **options)
    ax.set_ylabel("Neuron index")
    if rows.size:
        ax.set_ylim(rows.min() - 0.5, rows.max() + 0.5)
    _label_box(ax, label)


def _row_of(train: Any, k: int) -> float:
    return float(getattr(train, "annotations", {}).get("source_index", k))


def plot_spiketrains(ax: Any, spiketrains: Any, label: str = "", **options: Any) -> None:
    """Raster plot of a list of SpikeTrains: one row per cell, at its ``source_index``."""
    trains = list(spiketrains)
    times = [np.asarray(st.rescale("ms")) for st in trains]
    rows = [np.full(len(t), _row_of(st, k)) for k, (st, t) in enumerate(zip(trains, times))]
    t_range = (float(trains[0].t_start.rescale("ms")), float(trains[0].t_stop.rescale("ms")))
    all_rows = np.array([_row_of(st, k) for k, st in enumerate(trains)])
    _raster(ax, np.concatenate(times), np.concatenate(rows), t_range, label, options)
    if all_rows.size:
        ax.set_ylim(all_rows.min() - 0.5, all_rows.max() + 0.5)


def plot_spiketrainlist(ax: Any, spiketrains: Any, label: str = "", **options: Any) -> None:
    """Raster plot of a Neo SpikeTrainList (what ``segment.spiketrains`` is)."""
    plot_spiketrains(ax, list(spiketrains), label, **options)


def plot_array_as_image(ax: Any, arr: np.ndarray, label: str = "", **options: Any) -> None:
    """Show a 2-D array as an image (with a colour bar unless ``legend=False``)."""
    handle_options(ax, options)
    show_legend = options.pop("legend", True)
    mesh = ax.pcolormesh(arr, **options)
    ax.set_aspect("equal")
    _label_box(ax, label)
    if show_legend:
        ax.figure.colorbar(mesh, ax=ax)


class DataTable:
    """x, y data for a scatter plot, with an optional fitted curve (`fit_curve`)."""

    def __init__(self, x: Any, y: Any) -> None:
        self.x = np.asarray(x)
        self.y = np.asarray(y)

    def fit_curve(self, f: Any, p0: Any, **fitting_parameters: Any) -> tuple:
        """Fit ``f(x, *p)`` to the data (scipy's curve_fit); returns (popt, pcov)."""
        from scipy.optimize import curve_fit
        self._f = f
        self._popt, self._pcov = curve_fit(f, self.x, self.y, p0, **fitting_parameters)
        return self._popt, self._pcov

    @property
    def y_fit(self) -> np.ndarray:
        """The fitted curve at `x` (after `fit_curve`)."""
        return self._f(self.x, *self._popt)


def scatterplot(ax: Any, data_table: DataTable, label: str = "", **options: Any) -> None:
    """Scatter plot of a DataTable (``show_fit=True`` also draws the fitted curve)."""
    handle_options(ax, options)
    if options.pop("show_fit", False):
        ax.plot(data_table.x, data_table.y_fit, "k-")
    ax.scatter(data_table.x, data_table.y, **options)
    _label_box(ax, label)


class Histogram:
    """Values to show as a histogram with about sqrt(n) bins."""

    def __init__(self, data: Any) -> None:
        self.data = np.asarray(data)
        self.evaluated = False

    def evaluate(self) -> None:
        """Count the values per bin (once)."""
        if not self.evaluated:
            n_bins = max(int(np.sqrt(len(self.data))), 1)
            self.values, self.bins = np.histogram(self.data, bins=n_bins)
            self.bin_width = self.bins[1] - self.bins[0]
            self.evaluated = True

    def __iter__(self) -> Iterable[tuple[float, int]]:
        self.evaluate()
        return iter(zip(self.bins[:-1], self.values))


def plot_hist(ax: Any, histogram: Histogram, label: str = "", **options: Any) -> None:
    """Bar plot of a Histogram."""
    handle_options(ax, options)
    histogram.evaluate()
    ax.bar(histogram.bins[:-1], histogram.values, width=histogram.bin_width, align="edge")
    _label_box(ax, label)


def isi_histogram(segment: Any) -> Histogram:
    """Histogram of the inter-spike intervals [ms] of every spike train of `segment`."""
    isis = [np.diff(np.asarray(st.rescale("ms"))) for st in segment.spiketrains]
    return Histogram(np.concatenate(isis) if isis else np.zeros(0))


def variable_names(segment: Any) -> set[str]:
    """Names of the signals recorded in `segment`."""
    return {sig.name for sig in segment.analogsignals}


def _is_spike_trains(item: Any) -> bool:
    from neo.core.spiketrainlist import SpikeTrainList
    if isinstance(item, SpikeTrainList):
        return True
    return isinstance(item, (list, tuple)) and bool(item) and hasattr(item[0], "t_stop") \
        and getattr(item[0], "ndim", 1) == 1 and not hasattr(item[0], "sampling_period")


class Panel:
    """One set of axes of a `Figure`.

    Parameters
    ----------
    *data : AnalogSignal, list of SpikeTrain / SpikeTrainList, 2-D array, DataTable or
        Histogram
    xlabel, ylabel : str (``ylabel='auto'``: the signal's name and unit)
    xticks, yticks : bool — show tick labels (default False, as PyNN)
    xlim, ylim : (min, max)
    data_labels : list of str — one label per data item
    line_properties : list of dict — matplotlib keyword arguments per data item
    other options : matplotlib line properties applied to every item
    """

    def __init__(self, *data: Any, **options: Any) -> None:
        self.data = list(data)
        self.data_labels = options.pop("data_labels", None)
        self.line_properties = options.pop("line_properties", None)
        self.options = options

    def plot(self, axes: Any) -> None:
        """Draw this panel into matplotlib `axes`."""
        labels = self.data_labels if self.data_labels is not None else repeat(None)
        props = self.line_properties if self.line_properties is not None else repeat({})
        for item, label, prop in zip(self.data, labels, props):
            self._draw(axes, item, label or "", {**prop, **self.options})

    @staticmethod
    def _draw(axes: Any, item: Any, label: str, options: dict[str, Any]) -> None:
        from lamina.errors import InvalidParameterValueError
        if isinstance(item, DataTable):
            scatterplot(axes, item, label, **options)
        elif isinstance(item, Histogram):
            plot_hist(axes, item, label, **options)
        elif _is_spike_trains(item):
            plot_spiketrains(axes, list(item), label, **options)
        elif hasattr(item, "times") and getattr(item, "ndim", 1) == 2:
            plot_signals(axes, item, label, **options)
        elif isinstance(item, np.ndarray) and item.ndim == 2:
            plot_array_as_image(axes, item, label, **options)
        elif isinstance(item, (list, tuple)) and not item:
            handle_options(axes, options)          # no spike trains: an empty raster
        else:
            raise InvalidParameterValueError(
                f"Panel cannot draw {type(item).__name__}: expected an AnalogSignal, spike "
                "trains, a 2-D array, a DataTable or a Histogram")


class Figure:
    """Panels stacked vertically; `save(filename)` writes the image.

    Parameters
    ----------
    *panels : Panel
    title : str — printed at the top
    annotations : str — small text at the bottom
    size : (width, height) in inches
    settings : dict — matplotlib rc settings (default `DEFAULT_FIG_SETTINGS`)
    """

    def __init__(self, *panels: Panel, **options: Any) -> None:
        plt = _pyplot()
        plt.rcParams.update(options.get("settings") or DEFAULT_FIG_SETTINGS)
        width, height = options.get("size", (6, 2 * len(panels) + 1.2))
        self.fig, axes = plt.subplots(len(panels), 1, figsize=(width, height), squeeze=False)
        bottom = 1.2 / height if "annotations" in options else 0.1
        self.fig.subplots_adjust(top=1 - 0.8 / height, bottom=bottom, hspace=0.25)
        for panel, ax in zip(panels, axes[:, 0]):
            panel.plot(ax)
        if "title" in options:
            self.fig.text(0.5, 1 - 0.5 / height, options["title"], ha="center", va="top",
                          fontsize="large")
        if "annotations" in options:
            self.fig.text(0.01, 0.01, options["annotations"], fontsize=6, va="bottom")

    def save(self, filename: str) -> None:
        """Write the figure to `filename` (format from the suffix; folders are made)."""
        folder = os.path.dirname(filename)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self.fig.savefig(filename)
        _pyplot().close(self.fig)

    def show(self) -> None:
        """Show the figure on screen."""
        _pyplot().show()


def comparison_plot(segments: list, labels: list[str], title: str = "",
                    annotations: str | None = None, fig_settings: dict | None = None,
                    with_spikes: bool = True) -> Figure:
    """A Figure comparing several segments: one panel per recorded variable and channel
    with a line per segment, then (with `with_spikes`) one raster per segment."""
    from collections import defaultdict
    by_signal: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    units: dict[str, Any] = {}
    styles = [{"linewidth": 2 * (len(segments) - k) - 1, "color": "bcgmkr"[k % 6]}
              for k in range(len(segments))]
    for segment in segments:
        for sig in segment.analogsignals:
            sig = sig.rescale(units.setdefault(sig.name, sig.units))
            channels = _channels(sig)
            for column in np.argsort(channels, kind="stable"):
                by_signal[sig.name][int(channels[column])].append(sig[:, column])
    panels = [Panel(*signals, line_properties=styles, yticks=True, data_labels=labels,
                    ylabel=f"{name} ({signals[0].dimensionality})")
              for name, per_channel in by_signal.items() for signals in per_channel.values()]
    if with_spikes and segments and len(segments[0].spiketrains):
        panels += [Panel(seg.spiketrains, data_labels=[label])
                   for seg, label in zip(segments, labels)]
    panels[-1].options.update(xticks=True, xlabel="Time (ms)")
    extra = {"annotations": annotations} if annotations else {}
    return Figure(*panels, title=title, settings=fig_settings, **extra)


def connection_plot(projection: Any, positive: str = "O", zero: str = ".", empty: str = " ",
                    spacer: str = "") -> str:
    """The projection's weight matrix as text: `positive` where the weight is > 0, `zero`
    where it is 0, `empty` where there is no connection, nothing for a negative weight
    (one line per presynaptic cell)."""
    weights = projection.get("weight", format="array")
    image = np.full(weights.shape, "", dtype=object)      # negative weights: blank, as PyNN
    with np.errstate(invalid="ignore"):
        image[weights > 0] = positive
        image[weights == 0] = zero
    image[np.isnan(weights)] = empty
    return "\n".join(spacer.join(row) for row in image)
