"""Projections of every connector that builds only the local targets over MPI, run by
the MPI tests as one process and under ``mpiexec -n 2`` and ``-n 3``.

``python connectors.py OUT``: every rank writes ``OUT.rank<r>.json``: per case, the
gathered connections with weights and delays (``get(["weight", "delay"],
format="list")``), this rank's connection count and the number of connections the
connector gave it (only its own targets' where it builds local targets), and per
generator the next draw after all projections (the generators end in the state one
process leaves them in).
"""
from __future__ import annotations

import json
import sys

import numpy as np

import lamina as sim


def counting(conn):
    """Count the connections `conn` gives this process."""
    conn.given = 0
    inner = conn.connect_chunks

    def chunks(ctx):
        for chunk in inner(ctx):
            conn.given += len(chunk[0])
            yield chunk
    conn.connect_chunks = chunks
    return conn


def main(out: str) -> None:
    sim.setup(timestep=0.1, min_delay=0.5, max_delay=5.0, rng_seed=7)
    grid = sim.space.Grid2D(dx=10.0, dy=10.0)
    a = sim.Population(36, sim.IF_curr_exp(), structure=grid, label="a")
    b = sim.Population(25, sim.IF_cond_exp(), structure=sim.space.Grid2D(dx=12.0, dy=12.0),
                       label="b")
    conn_rng = sim.NumpyRNG(seed=11)
    value_rng = sim.NumpyRNG(seed=12)
    rngs = {"conn": conn_rng, "value": value_rng}

    def uniform(lo, hi, rng=value_rng):
        return sim.RandomDistribution("uniform", (lo, hi), rng=rng)

    random_syn = sim.StaticSynapse(weight=uniform(0.1, 0.2), delay=uniform(0.5, 3.0))
    pairs = np.random.default_rng(3).integers(0, 25, (200, 2))
    listed = np.column_stack((pairs, np.random.default_rng(4).uniform(0.5, 1.0, (200, 2))))
    array = np.random.default_rng(5).random((36, 25)) < 0.3
    # post cells in an order not by rank (a view's indices are sorted, as in PyNN: an
    # Assembly whose second half of `a` comes first)
    swapped = sim.Assembly(a[18:], a[:18])
    cases = {
        "all_to_all_view_pre": (a[3:20], b, sim.AllToAllConnector(), random_syn),
        "all_to_all_no_self": (a, a, sim.AllToAllConnector(allow_self_connections=False),
                               random_syn),
        "all_to_all_constant": (b, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.3)),
        "array": (a, b, sim.ArrayConnector(array), random_syn),
        "from_list_columns": (b, b, sim.FromListConnector(listed), sim.StaticSynapse()),
        "from_list_random": (b, b, sim.FromListConnector(pairs), random_syn),
        # the list's weights and delays win: the random ones are not drawn
        "from_list_columns_random": (b, a, sim.FromListConnector(listed), random_syn),
        "distance": (a, a, sim.DistanceDependentProbabilityConnector(
            "exp(-d/20)", allow_self_connections=False, rng=conn_rng), random_syn),
        # weights drawn from the connector's own generator (after its draws)
        "distance_shared_rng": (a, b, sim.DistanceDependentProbabilityConnector(
            "0.5*(d<30)", rng=conn_rng), sim.StaticSynapse(weight=uniform(0.1, 0.2, conn_rng))),
        "distance_deterministic": (a, a, sim.DistanceDependentProbabilityConnector(
            "d<25", allow_self_connections=False), random_syn),
        "index": (a, b, sim.IndexBasedProbabilityConnector(
            lambda i, j: 0.6 * (j > i % 25), rng=conn_rng), random_syn),
        "displacement": (b, a[::2], sim.DisplacementDependentProbabilityConnector(
            lambda d: np.exp(-np.abs(d[0]) / 15.0), rng=conn_rng), random_syn),
        "fixed_number_post": (a, a, sim.FixedNumberPostConnector(
            7, allow_self_connections=False, rng=conn_rng), random_syn),
        "fixed_number_post_replacement": (b, a[5:30], sim.FixedNumberPostConnector(
            12, with_replacement=True, rng=conn_rng), random_syn),
        "fixed_number_post_random_n": (a, b, sim.FixedNumberPostConnector(
            uniform(2, 9, conn_rng), rng=conn_rng), sim.StaticSynapse(weight=0.2)),
        # post cells in an order not by rank: values by position need the full build
        "fixed_number_post_swapped": (b, swapped, sim.FixedNumberPostConnector(
            5, rng=conn_rng), random_syn),
        "all_to_all_swapped": (b[::3], swapped, sim.AllToAllConnector(), random_syn),
    }
    reference = sim.Projection(a, b, sim.FixedProbabilityConnector(0.2, rng=conn_rng),
                               sim.StaticSynapse(weight=0.1), label="reference")
    # the clones' post cells: the reference's (on the same ranks), or others
    cases["clone_random"] = (a, b, sim.CloneConnector(reference), random_syn)
    cases["clone_other_post"] = (a, a[5:30], sim.CloneConnector(reference), random_syn)
    report: dict = {"rank": sim.rank(), "num_processes": sim.num_processes(), "cases": {}}
    for name, (pre, post, conn, syn) in cases.items():
        prj = sim.Projection(pre, post, counting(conn), syn, label=name)
        report["cases"][name] = {
            "connections": [list(c) for c in prj.get(["weight", "delay"], format="list")],
            "local": len(prj), "given": conn.given,
            "local_post": len(post.local_cells)}
    report["next_draw"] = {k: float(r.rng.random()) for k, r in rngs.items()}
    with open(f"{out}.rank{sim.rank()}.json", "w") as fh:
        json.dump(report, fh)
    sim.end()


if __name__ == "__main__":
    main(sys.argv[1])
