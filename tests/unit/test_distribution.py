"""`lamina.distribution.Distribution`: which rank simulates which cell (issue 15), and the
pass-through of NEST's locality (`lamina.backends.nest.mpi`)."""
from __future__ import annotations

import numpy as np
import pytest

from lamina.distribution import Distribution
from lamina.errors import NotLocalError


class FakeComm:
    """Rank `rank` of `size`; collectives as if every rank passed the same value."""

    def __init__(self, rank: int, size: int) -> None:
        self.rank, self.size = rank, size

    def Get_rank(self) -> int:
        return self.rank

    def Get_size(self) -> int:
        return self.size

    def allgather(self, value):
        return [value] * self.size

    def allreduce(self, value):
        return value * self.size


def layout(size: int, populations: list[int]) -> list[Distribution]:
    dists = [Distribution(FakeComm(r, size)) for r in range(size)]
    first = 0
    for n in populations:
        for d in dists:
            d.add_cells(np.arange(first, first + n))
        first += n
    return dists


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_every_cell_on_exactly_one_rank_in_contiguous_balanced_blocks(size):
    pops = [5, 1, 0, 12, 2]
    dists = layout(size, pops) if size > 1 else [Distribution()]
    if size == 1:
        dists[0].add_cells(np.arange(sum(pops)))
    ids = np.arange(sum(pops))
    masks = np.array([d.is_local(ids) for d in dists])
    assert np.array_equal(masks.sum(axis=0), np.ones(len(ids)))   # one owner per cell
    first = 0
    for n in pops:
        own = dists[0].owner(np.arange(first, first + n))
        assert np.all(np.diff(own) >= 0)                            # contiguous blocks
        counts = np.bincount(own, minlength=size)
        assert counts.max() - counts.min() <= 1                     # balanced
        first += n


def test_owner_formula_matches_the_documented_blocks():
    d = layout(3, [10])[0]
    # rank r owns indices 10*r//3 .. 10*(r+1)//3 - 1: 0-2, 3-5, 6-9
    assert d.owner(np.arange(10)).tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]


def test_require_local_names_cell_and_rank():
    d = layout(2, [4])[0]
    d.require_local([0, 1], "reading")
    with pytest.raises(NotLocalError, match=r"reading: cell ID 3 lives on MPI rank 1, not on "
                       r"this process \(rank 0 of 2\)"):
        d.require_local([1, 3], "reading")


def test_unregistered_cell_is_refused():
    d = layout(2, [4])[0]
    with pytest.raises(NotLocalError, match=r"\[7\] are not registered"):
        d.owner([7])


def test_single_process_everything_local():
    d = Distribution()
    assert (d.rank, d.size, d.distributed) == (0, 1, False)
    assert d.is_local(np.arange(5)).all()
    d.check_same("anything", 3)
    assert d.sum(4) == 4 and d.gather_objects("x") == ["x"]


def test_nest_locality_follows_virtual_processes():
    from lamina.backends.nest.mpi import owner_of_nodes
    # 4 virtual processes over 2 ranks: vp = node % 4, rank = vp % 2
    assert owner_of_nodes(np.arange(1, 9), 4, 2).tolist() == [1, 0, 1, 0, 1, 0, 1, 0]
    assert owner_of_nodes(np.arange(1, 7), 6, 3).tolist() == [1, 2, 0, 1, 2, 0]


def test_pip_nest_has_no_mpi_and_is_refused_under_mpiexec(monkeypatch):
    nest = pytest.importorskip("nest")
    from lamina import distribution
    from lamina.backends.nest.backend import NestBackend
    from lamina.backends.nest.mpi import nest_has_mpi
    from lamina.errors import MPIUnavailableError
    assert nest_has_mpi(nest) is bool(nest.GetKernelStatus("build_info")["have_mpi"])
    if NestBackend.can_distribute:
        pytest.skip("this NEST was built with MPI")
    monkeypatch.setattr(distribution, "launched_processes", lambda: 2)
    with pytest.raises(MPIUnavailableError, match=r"'nest' backend cannot distribute .* "
                       r"conda-forge"):
        distribution.check_can_run("nest", NestBackend.can_distribute,
                                   NestBackend.distribution_hint)


def test_connection_files_from_another_process_count_are_refused(tmp_path, monkeypatch):
    """Files written by 2 MPI processes, read back by 1: refused, naming both counts."""
    from lamina import distribution
    from lamina.connectors import FromFileConnector
    from lamina.errors import InvalidParameterValueError
    for name in distribution.LAUNCHER_SIZE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    base = tmp_path / "conns.txt"
    for r in (0, 1):
        (tmp_path / f"conns.txt.{r}").write_text('# columns = ["i", "j", "weight"]\n0 1 0.5\n')
    with pytest.raises(InvalidParameterValueError, match=r"written by 2 MPI processes, but "
                       r"this run has 1; run with mpiexec -n 2"):
        FromFileConnector(str(base), distributed=True)
    (tmp_path / "conns.txt.1").unlink()
    assert len(FromFileConnector(str(base), distributed=True).conn_list) == 1


@pytest.mark.parametrize("size", [2, 3, 7])
def test_is_local_of_one_population_agrees_with_owner(size):
    """`is_local` of IDs within one population (two comparisons with the local block)
    gives what `owner` gives, for every rank, slices and shuffled IDs."""
    dists = layout(size, [5, 1, 13, 2])
    rng = np.random.default_rng(1)
    for ids in (np.arange(6, 19), np.arange(8, 15), rng.permutation(np.arange(6, 19)),
                np.array([5]), np.arange(0, 21)):
        for d in dists:
            assert np.array_equal(d.is_local(ids), d.owner(ids) == d.rank)
