"""Bad input and data access over MPI processes, run by the MPI tests under
``mpiexec -n 2``: each case writes one JSON line per rank, ``{"case", "rank", ...}``, to
``<folder>/cases.rank<r>.jsonl``,
with the class and message of the error it met (every case must end on every rank: a
hang fails the test by its timeout). ``argv[1]``: a folder for files.
"""
from __future__ import annotations

import json
import os
import pickle
import sys
import warnings

import numpy as np

import lamina as sim
from lamina import errors
from lamina.core import simulation

folder = sys.argv[1]


def report(case: str, **values: object) -> None:
    # one file per rank: the launcher may interleave the ranks' stdout within a line
    with open(os.path.join(folder, f"cases.rank{sim.rank()}.jsonl"), "a") as fh:
        fh.write(json.dumps({"case": case, "rank": sim.rank(), **values}) + "\n")


def error_of(call) -> dict:
    try:
        call()
    except errors.LaminaError as err:
        return {"error": type(err).__name__, "message": str(err)}
    return {"error": None}


# a view of one cell on the other rank, asked for its local data
sim.setup(timestep=0.1)
pop = sim.Population(4, sim.IF_curr_exp(i_offset=1.0), label="cells")
pop.record("spikes")
sim.run(20.0)
other = [i for i in range(pop.size) if not pop.is_local(pop[i])][0]
report("not_local", other=int(pop[other]), **error_of(lambda: pop[[other]].get_data(
    gather=False)))
described = simulation.current().backend.describe()
report("describe", mpi_processes=described["mpi_processes"], rank_described=described["rank"],
       local_size=pop.local_size, num_processes=sim.num_processes())
# write_data writes once, on rank 0, the data of every rank's cells
path = os.path.join(folder, f"spikes.rank{sim.rank()}.pkl")
pop.write_data(path)
written = None
if os.path.exists(path):
    with open(path, "rb") as fh:
        written = sorted(st.annotations["source_id"] for st in pickle.load(fh)
                         .segments[0].spiketrains)
report("write_data", exists=os.path.exists(path), cells=written)
# checkpoints of a distributed run are refused on every process (none waits for another)
report("checkpoint", **error_of(lambda: sim.save_state(os.path.join(folder, "state.npz"))))
sim.end()

# a connector whose generator is not parallel-safe: warned, the network then depends on
# the number of processes
sim.setup(timestep=0.1)
a = sim.Population(10, sim.IF_curr_exp(), label="a")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    prj = sim.Projection(a, a, sim.FixedProbabilityConnector(
        0.5, rng=sim.NumpyRNG(seed=3, parallel_safe=False)), sim.StaticSynapse(weight=0.1))
report("unsafe_rng", warnings=[str(w.message) for w in caught],
       categories=[w.category.__name__ for w in caught],
       safe_size=sim.Projection(a, a, sim.FixedProbabilityConnector(
           0.5, rng=sim.NumpyRNG(seed=3)), sim.StaticSynapse(weight=0.1)).size())
# each process saves its part; read back with as many processes
kept = sim.Projection(a, a, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=5)),
                      sim.StaticSynapse(weight=sim.RandomDistribution(
                          "uniform", (0.1, 0.2), rng=sim.NumpyRNG(seed=6))))
base = os.path.join(folder, "conns.txt")
kept.save("weight", base, gather=False)
again = sim.Projection(a, a, sim.FromFileConnector(base, distributed=True), sim.StaticSynapse())
report("distributed_file", files=sorted(f for f in os.listdir(folder) if f.startswith("conns")),
       size=again.size(), original=kept.size(), local=len(again), local_original=len(kept),
       same=again.get("weight", format="list") == kept.get("weight", format="list"))
# set() with a RandomDistribution: one draw for the connections of all processes, in
# (pre, post) order, whatever the number of processes
kept.set(weight=sim.RandomDistribution("uniform", (0.3, 0.5), rng=sim.NumpyRNG(seed=8)))
drawn = np.array([w for _, _, w in kept.get("weight", format="list")])
expected = sim.RandomDistribution("uniform", (0.3, 0.5), rng=sim.NumpyRNG(seed=8)).next(
    kept.size())
report("set_random", n=len(drawn), n_local=len(kept),
       max_difference=float(np.abs(drawn - expected).max()))
# each process draws only the connections onto its own cells
class Recording(sim.FixedProbabilityConnector):
    def connect_chunks(self, ctx):
        self.local_post = None if ctx.local_post is None else ctx.local_post.tolist()
        self.drawn = 0
        for chunk in super().connect_chunks(ctx):
            self.drawn += len(chunk[0])
            yield chunk


for label, weight in (("constant", 0.1), ("random", sim.RandomDistribution(
        "uniform", (0.1, 0.2), rng=sim.NumpyRNG(seed=9)))):
    rec = Recording(0.3, rng=sim.NumpyRNG(seed=4))
    prj = sim.Projection(a, a, rec, sim.StaticSynapse(weight=weight))
    report(f"local_draw_{label}", local_post=rec.local_post, drawn=rec.drawn, local=len(prj),
           size=prj.size(), connections=[list(c) for c in prj.get("weight", format="list")])
# dynamic synapses are refused over MPI (static ones only)
report("plastic", **error_of(lambda: sim.Projection(
    a, a, sim.OneToOneConnector(), sim.TsodyksMarkramSynapse(weight=0.1))))
sim.end()

# ranks that built different networks: every rank raises at run(), none hangs
sim.setup(timestep=0.1)
sim.Population(5, sim.IF_curr_exp())
if sim.rank() == 1:
    sim.Population(3, sim.IF_curr_exp())
report("mismatch", **error_of(lambda: sim.run(10.0)))
sim.end()
