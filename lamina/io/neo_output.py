"""Recorded data as Neo objects, structured as PyNN structures them.

One Block per `get_data` call, one Segment per run between resets; one SpikeTrain per
recorded cell (annotated with source_population, source_id, source_index, channel_id);
one AnalogSignal per variable with shape (samples, cells) from the segment start,
array-annotated with channel_index and source_ids.

The core hands over plain data (`lamina.io.recorded`); nothing here reads a Population or
imports `lamina.core`.
"""
from __future__ import annotations

from typing import Any

import neo
import numpy as np
import quantities as pq

from lamina.io.recorded import CellsSource, SegmentData


#: lamina unit names -> quantities units
UNITS = {"mV": pq.mV, "nA": pq.nA, "uS": pq.uS, "nF": pq.nF, "ms": pq.ms, "Hz": pq.Hz,
         "": pq.dimensionless}


def to_quantity_unit(unit: str) -> pq.Quantity:
    """The `quantities` unit for a lamina unit name."""
    return UNITS.get(unit, pq.dimensionless)


def build_block(population: CellsSource, segments: list[SegmentData], variables: list[str],
                indices: np.ndarray, sampling_interval: float,
                annotations: dict[str, Any]) -> neo.Block:
    """Build a Block for the cells at `indices` of `population` from raw segments."""
    block = neo.Block(name=population.label, description=population.description,
                      **_block_annotations(population))
    block.annotate(**population.annotations, **annotations)
    wanted = set(int(i) for i in indices)
    for seg_data in segments:
        block.segments.append(_segment(population, seg_data, variables, indices, wanted))
    return block


def _block_annotations(population: CellsSource) -> dict[str, Any]:
    n = population.size
    return {"size": n, "first_id": population.first_id if n else None,
            "last_id": population.first_id + n - 1 if n else None,
            "first_index": 0, "last_index": n, "label": population.label, "simulator": population.simulator,
            "mpi_processes": population.mpi_processes, "dt": population.dt}


def _segment(population: CellsSource, data: SegmentData, variables: list[str],
             indices: np.ndarray, wanted: set[int]) -> neo.Segment:
    seg = neo.Segment(name=f"segment{data.index:03d}", description=population.description,
                      rec_datetime=data.rec_datetime, **data.annotations)
    first = population.first_id
    if "spikes" in variables:
        for index in sorted(i for i in data.spikes if i in wanted):
            times = data.spikes[index]
            last = float(times.max()) if times.size else 0.0
            st = neo.SpikeTrain(times * pq.ms, t_start=data.t_start * pq.ms,
                                t_stop=max(data.t_stop, last) * pq.ms,
                                source_population=population.label, source_id=first + index,
                                source_index=index, channel_id=first + index)
            seg.spiketrains.append(st)
    for var, (rec_indices, sig) in data.signals.items():
        if var not in variables:
            continue
        keep = np.isin(rec_indices, indices)
        if not keep.any():
            continue
        unit = population.units.get(var, "")
        signal = neo.AnalogSignal(sig.values[:, keep], units=to_quantity_unit(unit),
                                  t_start=sig.t_start * pq.ms,
                                  sampling_period=sig.sampling_interval * pq.ms, name=var,
                                  source_population=population.label,
                                  channel_ids=first + rec_indices[keep])
        signal.array_annotate(channel_index=rec_indices[keep].copy(),
                              source_ids=first + rec_indices[keep])
        seg.analogsignals.append(signal)
    return seg
