"""Quick figures of recorded data (``pyNN.utility.plotting``): `Figure` of `Panel`s.

Needs matplotlib (``pip install lamina[plot]``). A Panel shows Neo AnalogSignals (one
line per channel), lists of SpikeTrains (a raster) or plain arrays (a line).
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Figure", "Panel"]


def _pyplot() -> Any:
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        from lamina.errors import BackendNotAvailableError
        raise BackendNotAvailableError("plotting needs matplotlib: pip install lamina[plot]") from err
    return plt


class Panel:
    """One set of axes.

    Parameters
    ----------
    *data : AnalogSignal, list of SpikeTrain, or array
    xlabel, ylabel : str
    xticks, yticks : bool — show tick labels
    xlim, ylim : (min, max)
    data_labels : list of str — legend entries, one per data item
    line_properties : list of dict — matplotlib keyword arguments per data item
    """

    def __init__(self, *data: Any, **options: Any) -> None:
        self.data = data
        self.options = options

    def plot(self, axes: Any) -> None:
        """Draw this panel into matplotlib `axes`."""
        labels = self.options.get("data_labels") or [None] * len(self.data)
        props = self.options.get("line_properties") or [{}] * len(self.data)
        for item, label, prop in zip(self.data, labels, props):
            self._draw(axes, item, label, dict(prop))
        for key in ("xlabel", "ylabel", "xlim", "ylim", "title"):
            if key in self.options:
                getattr(axes, f"set_{key}")(self.options[key])
        if not self.options.get("xticks", True):
            axes.set_xticklabels([])
        if not self.options.get("yticks", True):
            axes.set_yticklabels([])
        if any(labels):
            axes.legend()

    @staticmethod
    def _draw(axes: Any, item: Any, label: str | None, prop: dict) -> None:
        if isinstance(item, (list, tuple)) and item and hasattr(item[0], "times"):
            for k, train in enumerate(item):
                t = np.asarray(train.times.rescale("ms"))
                axes.plot(t, np.full(t.size, k), "|", markersize=prop.pop("markersize", 4),
                          label=label if k == 0 else None, **prop)
            axes.set_ylabel(axes.get_ylabel() or "cell")
        elif hasattr(item, "times") and getattr(item, "ndim", 1) == 2:
            t = np.asarray(item.times.rescale("ms"))
            axes.plot(t, np.asarray(item.magnitude), label=label, **prop)
            axes.set_ylabel(axes.get_ylabel() or f"{item.name} ({item.units.dimensionality})")
        else:
            axes.plot(np.asarray(item), label=label, **prop)
        axes.set_xlabel(axes.get_xlabel() or "time (ms)")


class Figure:
    """Panels stacked vertically; `save(filename)` writes the image.

    Parameters
    ----------
    *panels : Panel
    title : str
    size : (width, height) in inches
    annotations : str — small text at the bottom
    """

    def __init__(self, *panels: Panel, **options: Any) -> None:
        plt = _pyplot()
        width, height = options.get("size", (6, 2 + 2 * len(panels)))
        self.fig, axes = plt.subplots(len(panels), 1, figsize=(width, height), squeeze=False)
        for panel, ax in zip(panels, axes[:, 0]):
            panel.plot(ax)
        if "title" in options:
            self.fig.suptitle(options["title"])
        if "annotations" in options:
            self.fig.text(0.01, 0.01, options["annotations"], fontsize=6)
        self.fig.tight_layout()

    def save(self, filename: str) -> None:
        """Write the figure to `filename` (format from the suffix)."""
        self.fig.savefig(filename)
        _pyplot().close(self.fig)
