"""One-call figures: rendered to PNG with the Agg backend; their contents checked."""
from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="figures need matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import lamina as sim  # noqa: E402
from lamina import figures  # noqa: E402


@pytest.fixture(scope="module")
def recorded():
    sim.setup(timestep=0.1)
    src = sim.Population(6, sim.SpikeSourceArray(
        spike_times=[sim.Sequence(np.arange(5.0 + k, 200.0, 10.0 + 5 * k)) for k in range(6)]),
        label="src")
    cells = sim.Population(4, sim.IF_curr_exp(i_offset=np.linspace(0.8, 1.4, 4)), label="cells")
    prj = sim.Projection(src, cells, sim.FromListConnector([(0, 0, 0.5, 1.0), (1, 2, 0.2, 1.0),
                                                            (5, 3, 0.9, 1.0)]),
                         sim.StaticSynapse(), label="src→cells")
    src.record("spikes")
    cells.record(["spikes", "v"])
    sim.run(200.0)
    data = {"src": src.get_data(), "cells": cells.get_data(),
            "weights": prj.get("weight", format="array"), "prj": prj}
    yield data
    sim.end()


def test_raster_with_rate(recorded, tmp_path):
    path = tmp_path / "raster.png"
    fig = figures.raster_with_rate(recorded["src"], bin_ms=20.0, filename=str(path))
    assert path.stat().st_size > 5000
    top, bottom = fig.axes
    trains = recorded["src"].segments[0].spiketrains
    assert len(top.collections) == len(trains)                 # one row of ticks per cell
    rows = sorted(c.get_lineoffset() for c in top.collections)
    assert rows == [0, 1, 2, 3, 4, 5]
    assert len(bottom.patches) == 10                          # 200 ms / 20 ms bins
    heights = np.array([p.get_height() for p in bottom.patches])
    n_spikes = sum(len(st) for st in trains)
    assert np.isclose(heights.sum() * 6 * 0.020, n_spikes)    # rates [Hz] back to counts
    plt.close(fig)


def test_membrane_traces(recorded, tmp_path):
    fig = figures.membrane_traces(recorded["cells"], filename=str(tmp_path / "v.png"))
    (ax,) = fig.axes
    assert len(ax.lines) == 4
    v = recorded["cells"].segments[0].filter(name="v")[0]
    assert np.allclose(ax.lines[2].get_ydata(), np.asarray(v.magnitude)[:, 2])
    assert ax.get_ylabel() == "v (mV)"
    plt.close(fig)
    fig = figures.membrane_traces(recorded["cells"], cells=[1, 3])
    assert len(fig.axes[0].lines) == 2
    plt.close(fig)


def test_isi_and_rate_histograms(recorded, tmp_path):
    trains = recorded["src"].segments[0].spiketrains
    fig = figures.isi_histogram(trains, bins=12, filename=str(tmp_path / "isi.png"))
    counts = [p.get_height() for p in fig.axes[0].patches]
    assert len(counts) == 12 and sum(counts) == sum(len(st) - 1 for st in trains)
    plt.close(fig)
    fig = figures.rate_histogram(recorded["src"], bins=5, filename=str(tmp_path / "rate.png"))
    assert sum(p.get_height() for p in fig.axes[0].patches) == 6
    plt.close(fig)


def test_connectivity_matrix(recorded, tmp_path):
    fig = figures.connectivity_matrix(recorded["prj"], filename=str(tmp_path / "w.png"))
    ax = fig.axes[0]
    (image,) = ax.images
    shown = image.get_array()
    assert shown.shape == (6, 4)
    assert np.ma.count(shown) == 3                            # three connections
    assert np.isclose(shown[5, 3], 0.9) and shown.mask[0, 1]
    assert len(fig.axes) == 2                                 # the image and its colour bar
    plt.close(fig)


def test_drawing_into_given_axes(recorded):
    fig, axes = plt.subplots(2, 1)
    out = figures.raster_with_rate(recorded["src"], axes=axes)
    assert out is fig and len(axes[0].collections) == 6
    plt.close(fig)
