"""``pyNN.utility.plotting`` draws what PyNN's does."""
import pytest

pytest.importorskip("matplotlib")

from lamina.plotting import DataTable, Figure, Histogram, Panel, connection_plot  # noqa: E402


def test_panel_draws_a_spike_train_list_as_a_raster(sim, tmp_path):
    cells = sim.Population(5, sim.SpikeSourceArray(
        spike_times=[[float(i + 1)] * 1 for i in range(5)]))
    cells[1:4].record("spikes")
    sim.run(10.0)
    trains = cells.get_data().segments[0].spiketrains       # a neo SpikeTrainList
    panel = Panel(trains, xticks=True, xlabel="Time (ms)")
    fig = Figure(panel, Panel(DataTable([1, 2], [3, 4])), Panel(Histogram([1.0, 2.0, 2.5])))
    ax = fig.fig.axes[0]
    (line,) = ax.get_lines()                                 # one raster, not one line per cell
    assert list(line.get_ydata()) == [1.0, 2.0, 3.0]         # rows at each source_index
    assert list(line.get_xdata()) == [2.0, 3.0, 4.0]
    fig.save(str(tmp_path / "sub" / "raster.png"))           # folders are made
    assert (tmp_path / "sub" / "raster.png").stat().st_size > 0


def test_connection_plot(sim):
    a, b = sim.Population(2, sim.IF_curr_exp()), sim.Population(3, sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.FromListConnector([(0, 0, 0.1, 1.0), (1, 2, 0.0, 1.0)]))
    assert connection_plot(prj) == "O  \n  ."
