"""Compiling the step loop's callees in a helper process (`engine.background`) and calling
them through function pointers (`engine.callees`)."""
from __future__ import annotations

import os
import sys
import types

import pytest
from numba import njit

from lamina.backends.engine import background, callees, poisson


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty numba cache folder for this test (also for the helper process), and a
    poisson module whose dispatchers read it (numba fixes a dispatcher's cache folder
    when it is created)."""
    import importlib
    import sys
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    import numba.core.config as config
    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path / "numba"))
    mod = importlib.reload(sys.modules["lamina.backends.engine.poisson"])
    yield mod
    background.shutdown()
    monkeypatch.undo()
    importlib.reload(sys.modules["lamina.backends.engine.poisson"])


@pytest.mark.slow
def test_helper_compiles_into_the_cache_the_main_process_loads(fresh_cache, monkeypatch):
    """A job sent to the helper is compiled there; after `wait` this process loads the
    function from numba's cache (a cache hit, no compilation here), the helper process
    has exited and been reaped, and the loaded function draws the same counts as a fresh
    compilation would (checked against a direct call of the jitted draw)."""
    monkeypatch.setenv("LAMINA_ENGINE_BACKGROUND_COMPILE", "1")
    draw = fresh_cache.poisson_events_low
    assert background.submit(draw, "POISSON_SIG")
    helper = background._helper
    assert helper is not None
    assert background.submit(draw, "POISSON_SIG")   # pending: not sent twice
    assert len(helper.pending) == 1
    ptr = callees.FunctionPointer(draw, "POISSON_SIG")
    assert ptr.__wrapper_address__() > 0
    assert sum(draw.stats.cache_hits.values()) == 1
    assert sum(draw.stats.cache_misses.values()) == 0
    assert background._helper is None and helper.proc.poll() is not None   # reaped


def test_no_helper_where_it_cannot_help(monkeypatch):
    """Off when asked, under MPI, on one core, on a busy machine; on when forced."""
    monkeypatch.delenv("LAMINA_ENGINE_BACKGROUND_COMPILE", raising=False)
    monkeypatch.setattr(background, "_cores", lambda: 1)
    assert not background.enabled()
    monkeypatch.setattr(background, "_cores", lambda: 4)
    monkeypatch.setattr(background, "_busy", lambda: True)
    assert not background.enabled()
    monkeypatch.setattr(background, "_busy", lambda: False)
    assert background.enabled() == (os.name == "posix")
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    assert not background.enabled()
    monkeypatch.delenv("OMPI_COMM_WORLD_SIZE")
    # mpi4py imported (e.g. by an earlier test) in a single process does not turn it off
    for size, expected in ((1, os.name == "posix"), (2, False)):
        world = types.SimpleNamespace(Get_size=lambda size=size: size)
        monkeypatch.setitem(sys.modules, "mpi4py.MPI", types.SimpleNamespace(COMM_WORLD=world))
        assert background.enabled() == expected
    monkeypatch.delitem(sys.modules, "mpi4py.MPI")
    monkeypatch.setenv("LAMINA_ENGINE_BACKGROUND_COMPILE", "0")
    assert not background.enabled()
    monkeypatch.setenv("LAMINA_ENGINE_BACKGROUND_COMPILE", "1")
    monkeypatch.setattr(background, "_busy", lambda: True)
    assert background.enabled() == (os.name == "posix")


@njit
def _not_cached(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta):
    return nev


def test_no_job_without_numba_cache_or_when_compiled(monkeypatch, tmp_path):
    """A function numba cannot cache (``cache=False``), one already compiled in this
    process and one whose cache folder is read-only get no job: the helper's work would
    be lost."""
    monkeypatch.setenv("LAMINA_ENGINE_BACKGROUND_COMPILE", "1")
    assert background._cached(_not_cached, callees.POISSON_SIG) is None
    assert not background.submit(_not_cached, "POISSON_SIG")
    draw = poisson.poisson_events_low
    draw.get_compile_result(callees.POISSON_SIG)
    assert background._cached(draw, callees.POISSON_SIG) is True
    assert not background.submit(draw, "POISSON_SIG")
    if os.geteuid() != 0:   # root may write anywhere
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)

        class _Cache:
            _cache_path = str(folder)

            class _cache_file:
                _index_path = str(folder / "f.nbi")

        class _Disp:
            overloads: dict = {}
            _cache = _Cache()

        assert background._cached(_Disp(), callees.POISSON_SIG) is None


def test_a_dead_helper_is_waited_for_no_longer(monkeypatch):
    """If the helper dies, `wait` returns at once (the caller then compiles) and leaves
    no process behind."""
    helper = background._Helper()
    helper.send("no.such.module f POISSON_SIG")
    answer = helper.wait_for("no.such.module f POISSON_SIG", timeout=60.0)
    assert answer.startswith("error")
    helper.proc.kill()
    helper.proc.wait()
    helper.pending.add("x y POISSON_SIG")
    assert helper.wait_for("x y POISSON_SIG", timeout=60.0) == "lost"
    helper.close()
    assert helper.proc.returncode is not None



def test_busy_means_other_processes_take_the_helpers_core(monkeypatch):
    """The helper's check asks the driver choice whether other processes leave 1.5 of the
    cores free, measured from their CPU use rather than the lagging load average."""
    from lamina.backends.engine import driver_choice as dc
    monkeypatch.setattr(dc, "_others_cores", lambda: 0.2)
    monkeypatch.setattr(dc.os, "cpu_count", lambda: 2)
    assert not background._busy()
    monkeypatch.setattr(dc, "_others_cores", lambda: 0.8)
    assert background._busy()


def test_a_running_helper_is_not_counted_as_load(monkeypatch):
    """Once the helper runs, later callees go to it too: its own compiling shows as other
    processes' CPU use and must not turn the helper off (the Poisson draw of the
    Vogels-Abbott network was then compiled in the main process, +5 s of cold start)."""
    monkeypatch.delenv("LAMINA_ENGINE_BACKGROUND_COMPILE", raising=False)
    monkeypatch.setattr(background, "_cores", lambda: 2)
    monkeypatch.setattr(background, "_busy", lambda: True)
    assert not background.enabled()
    running = types.SimpleNamespace(proc=types.SimpleNamespace(poll=lambda: None))
    monkeypatch.setattr(background, "_helper", running)
    assert background.enabled() == (os.name == "posix")
    ended = types.SimpleNamespace(proc=types.SimpleNamespace(poll=lambda: 0))
    monkeypatch.setattr(background, "_helper", ended)
    assert not background.enabled()
