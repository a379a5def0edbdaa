"""Connectors that build only the local targets over MPI (issue 15): all-to-all, array,
list, distance/index/displacement-dependent, fixed out-degree and clone projections,
with random weights and delays, views as pre and post, without self-connections, with
replacement, clones onto the reference's or other post cells, give bitwise the
connections, weights and delays of one process for 2 and 3 processes, each process
being given only the connections onto its own cells; the generators end in the state
one process leaves them in."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_engine_mpi import launch
from test_engine_mpi import pytestmark as engine_marks

# the engine MPI tests' skips and marks; 4 launches, about 20 s
pytestmark = [*engine_marks, pytest.mark.slow]

#: cases whose post cells are not ordered by rank: placing random values by position
#: needs every process to draw all connections (the full build, as before)
FULL_BUILD = {"fixed_number_post_swapped", "all_to_all_swapped"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mpi_connectors")
    out = {}
    for n in (None, 2, 3):
        prefix = folder / f"n{n or 1}"
        launch(n, "connectors.py", str(prefix))
        out[n or 1] = [json.loads(Path(f"{prefix}.rank{r}.json").read_text())
                       for r in range(n or 1)]
    return out


@pytest.mark.parametrize("n", [2, 3])
def test_connections_weights_delays_bitwise_those_of_one_process(runs, n):
    ref = runs[1][0]
    assert len(ref["cases"]) >= 15
    for name, case in ref["cases"].items():
        assert len(case["connections"]) > 20, name
        assert case["given"] == case["local"] == len(case["connections"]), name
        per_rank = [rep["cases"][name] for rep in runs[n]]
        for rank, got in enumerate(per_rank):
            assert got["connections"] == case["connections"], (name, rank)   # exact floats
        assert sum(g["local"] for g in per_rank) == case["local"], name
        for got in per_rank:
            if name in FULL_BUILD:
                assert got["given"] == case["local"], name   # drawn in full, then kept
            else:
                assert got["given"] == got["local"], name    # its own targets only
    for rep in runs[n]:
        assert rep["next_draw"] == ref["next_draw"]
