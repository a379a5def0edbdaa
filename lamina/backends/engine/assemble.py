"""Assemble the step loop a network needs, and cache it per combination of model families.

The drivers of `step_loop` call ``update_group`` (one step of one group of cells) and
``poisson_events``. Compiling a dispatch over every model lamina has costs about a minute
on a fresh machine, most of it for models a network does not use. Here the dispatch is
generated for the model kinds present: the source of `step_loop` plus a few generated
lines (imports of the families' update functions, `update_group` branching over the kinds
present, the Poisson draw or its stand-in) is written to a per-user cache folder and
imported, so numba's ``cache=True`` keeps the compiled drivers of each combination.

The file name holds a hash of lamina's version, the combination, the rows of every model
(`layout.digest`: rows computed from the catalogue are frozen into the compiled code) and
the source of every engine module with compiled code (numba's cache checks only the file
of the function it caches: a change in an inlined helper then gives a new file, not a
stale kernel; the modules in `PURE_PYTHON` are left out, so editing the bookkeeping
recompiles nothing).
The folder is ``$LAMINA_CACHE_DIR/engine``, else ``$XDG_CACHE_HOME/lamina/engine``
(``~/.cache/...``), else a folder in the temporary directory: never the package folder,
which may be read-only.

The generated dispatch calls the family updates (those of spike sources, a few lines,
are inlined) and the Poisson draw through function pointers (`callees`): each is compiled
and cached on its own, once, and the step loop's module holds only the calls; the
`background` helper may compile them while the network is built.

Optional parts of the loops are compiled only for networks that have them: the lines of
`step_loop` between ``#: begin NAME`` and ``#: end NAME`` are left out of the generated
source unless NAME is among the network's `FEATURES` (current sources, analog recording,
dynamic synapses, gap junctions); likewise the direct delivery of Poisson sources
(`poisson.direct_deliver`) only for networks that have such sources (``direct``). Left
out, they would do nothing (their loops run over empty arrays), so the results are the
same; a network that gains one (a ``record()`` after a run) gets another step loop.

``LAMINA_ENGINE_ALL_MODELS=1`` makes every network use one step loop holding every model
family and every optional part (one compilation instead of one per combination: what a
test suite running many different small networks wants; the results are bitwise the same).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
from pathlib import Path
from typing import Any

from lamina.backends.engine import layout
from lamina.backends.engine import models as m
from lamina.backends.engine.callees import Drivers
from lamina.backends.engine.families import REGISTRY, VARIANTS, family_of
from lamina.cache_dir import user_cache_dir

logger = logging.getLogger(__name__)

__all__ = ["FEATURES", "step_loop", "cache_folder", "is_compiled", "announce_compile"]

#: the optional parts of `step_loop` (``#: begin NAME`` .. ``#: end NAME``): current
#: sources, analog recording, dynamic synapses (with the postsynaptic spike history of
#: STDP), gap junctions
FEATURES = frozenset({"sources", "channels", "plastic", "gap"})

_ENGINE_DIR = Path(__file__).resolve().parent
_loaded: dict[str, Drivers] = {}
_by_combination: dict[tuple[tuple[int, ...], bool, str, frozenset[str], bool], Drivers] = {}
_announced: set[str] = set()


def cache_folder() -> Path:
    """The folder generated step loops are written to (created if missing)."""
    return user_cache_dir("engine")


#: engine modules without compiled code (their edits need no recompilation)
PURE_PYTHON = frozenset({"__init__.py", "assemble.py", "backend.py", "derived.py",
                         "driver_choice.py", "inputs.py", "layout.py", "propagators.py",
                         "recording.py",
                         "static_store.py", "synapse_store.py"})


def _engine_source_hash() -> str:
    """Hash of the source of every engine module with compiled code."""
    h = hashlib.sha256()
    for path in sorted(_ENGINE_DIR.rglob("*.py")):
        if path.parent == _ENGINE_DIR and path.name in PURE_PYTHON:
            continue
        h.update(path.relative_to(_ENGINE_DIR).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


# read when the engine is imported, with the modules it compiles from (a few ms)
_SOURCE_HASH = _engine_source_hash()
_TEMPLATE = (_ENGINE_DIR / "step_loop.py").read_text()


#: family modules whose updates are inlined into the step loop (small), not called
#: through a pointer (`callees`)
_INLINED = ".sources"


def _function_source(template: str, head: str) -> str:
    """The source of the top-level function of `template` that starts with `head`."""
    start = template.index(head)
    return template[start:template.index("\n\n\n", start)]


def _select(template: str, features: frozenset[str]) -> str:
    """`template` without the lines of the optional parts not in `features` (the marker
    lines themselves are comments and stay)."""
    out: list[str] = []
    skip: str | None = None
    for line in template.split("\n"):
        mark = line.strip()
        if skip is None and mark.startswith("#: begin "):
            name = mark[len("#: begin "):]
            if name not in FEATURES:
                raise ValueError(f"step_loop: unknown optional part {name!r}")
            if name not in features:
                skip = name
                continue
        elif skip is not None:
            if mark == f"#: end {skip}":
                skip = None
            continue
        out.append(line)
    if skip is not None:
        raise ValueError(f"step_loop: optional part {skip!r} is not closed")
    return "\n".join(out)


def _parallel_variants(template: str) -> str:
    """Copies of `step_loop` functions for the parallel drivers: ``run_windows_par``
    (`run_windows` compiled with ``parallel=True``) and ``_advance_window_shared``
    (`_advance_window` compiled on its own rather than inlined). One source, two functions
    each: numba caches one compiled variant per function."""
    par = _function_source(template, "@njit(cache=True)\ndef run_windows(")
    par = par.replace("@njit(cache=True)\ndef run_windows(",
                      "@njit(cache=True, parallel=True)\ndef run_windows_par(")
    par = par.replace("_advance_window(", "_advance_window_shared(")
    adv = _function_source(template, '@njit(cache=True, inline="always")\ndef _advance_window(')
    adv = adv.replace('@njit(cache=True, inline="always")\ndef _advance_window(',
                      "@njit(cache=True)\ndef _advance_window_shared(")
    return "\n\n" + adv + "\n\n\n" + par + "\n"


def _generated_tail(kinds: tuple[int, ...], ptrs: bool, integrator: str = "rkf45",
                    direct: bool = False) -> str:
    """The lines appended to `step_loop`'s source for the model kinds `kinds` (`ptrs`:
    whether Poisson means above `poisson.INVERSION_MAX` need Hörmann's PTRS;
    `integrator`: the scheme of the conductance-based cells, `families.VARIANTS`).

    ``update_group`` and ``poisson_events`` call the family updates and the Poisson draw
    through the pointers ``fns`` (`callees`), in the order of the tuple ``CALLEES``; the
    updates of spike sources, a few lines, are inlined."""
    funcs: dict[tuple[str, str], str] = {}
    for kind in kinds:
        if kind == m.K_POISSON:
            continue
        funcs.setdefault(family_of(kind, integrator), f"_update_{len(funcs)}")
    lines = ["", "", "# ---- generated by lamina.backends.engine.assemble for: "
             + ", ".join(m.KIND_NAMES.get(k, str(k)) for k in kinds), ""]
    for (module, func), alias in funcs.items():
        lines.append(f"from {module} import {func} as {alias}  # noqa: E402")
    poisson = ("no_poisson_events" if m.K_POISSON not in kinds
               else "poisson_events" if ptrs else "poisson_events_low")
    lines.append(f"from lamina.backends.engine.poisson import {poisson} as _poisson_events"
                 "  # noqa: E402")
    # the direct Poisson delivery (~3 s to compile) only for networks that have direct blocks
    direct_fn = "direct_deliver" if direct and m.K_POISSON in kinds else "no_direct_deliver"
    lines.append(f"from lamina.backends.engine.poisson import {direct_fn} as direct_deliver"
                 "  # noqa: E402,F811")
    callees = [(alias, "UPDATE_SIG") for (module, _), alias in funcs.items()
               if not module.endswith(_INLINED)]
    if m.K_POISSON in kinds or not callees:   # never an empty tuple: numba cannot type it
        callees.append(("_poisson_events", "POISSON_SIG"))
    index = {alias: i for i, (alias, _) in enumerate(callees)}
    lines += ["",
              "#: the functions called through the pointers `fns`, in order, with the names",
              "#: of their signatures in `callees`",
              "CALLEES = (" + "".join(f"({a}, {sig!r}), " for a, sig in callees) + ")", "", "",
              "@njit(cache=True, inline=\"always\")",
              "def update_group(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, "
              "spiked, nspk,",
              "                 work, fns):  # noqa: F811",
              '    """One step of cells i0..i1-1 of model `kind`; returns the spike count."""']
    by_func: dict[str, list[int]] = {}
    for kind in kinds:
        if kind == m.K_POISSON:   # the drivers draw Poisson cells and clear their ring
            continue
        by_func.setdefault(funcs[family_of(kind, integrator)], []).append(kind)
    for alias, ks in by_func.items():
        cond = " or ".join(f"kind == {k}" for k in ks)
        call = alias if alias not in index else f"fns[{index[alias]}]"
        lines += [f"    if {cond}:",
                  f"        return {call}(kind, i0, i1, n, N, L, dt, state, param, refr, "
                  "ring, iinj, spiked, nspk, work)"]
    lines += ["    return nspk", "", "",
              "@njit(cache=True, inline=\"always\")",
              "def poisson_events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta, "
              "fns):  # noqa: F811",
              '    """The Poisson draw of cells i0..i1-1 (see `poisson`); returns the event '
              'count."""']
    if "_poisson_events" in index and m.K_POISSON in kinds:
        lines.append(f"    return fns[{index['_poisson_events']}](n, i0, i1, param, work, "
                     "ev_row, ev_cnt, nev, cdf, meta)")
    else:
        lines.append("    return _poisson_events(n, i0, i1, param, work, ev_row, ev_cnt, nev, "
                     "cdf, meta)")
    return "\n".join(lines) + "\n"


def callee_of(kind: int, integrator: str = "rkf45",
              ptrs: bool = True) -> tuple[Any, str] | None:
    """The function the step loop calls through a pointer for cells of model `kind` (its
    family update, or for SpikeSourcePoisson the Poisson draw: with PTRS when `ptrs`) and
    the name of its signature in `callees`; None for a kind whose update is inlined."""
    import importlib
    if kind == m.K_POISSON:
        from lamina.backends.engine import poisson
        return (poisson.poisson_events if ptrs else poisson.poisson_events_low), "POISSON_SIG"
    module, func = family_of(kind, integrator)
    if module.endswith(_INLINED):
        return None
    return getattr(importlib.import_module(module), func), "UPDATE_SIG"


def step_loop(kinds: Any, ptrs: bool = True, features: Any = None,
              integrator: str = "rkf45", direct: bool = False) -> Drivers:
    """The step-loop module for networks made of the model kinds `kinds` (codes of
    `models`), generated and imported on first use, then reused (one per process and
    combination). `ptrs`: whether a SpikeSourcePoisson mean per step exceeds
    `poisson.INVERSION_MAX` (`poisson.needs_ptrs`; without, PTRS is not compiled).
    `features`: the optional parts the network needs (names of `FEATURES`; None: all).
    `integrator`: the scheme of the conductance-based LIF cells (`fixed_step`); it picks
    their update functions (`families.VARIANTS`), so only the scheme in use is compiled.
    `direct`: whether Poisson sources are delivered straight into their targets
    (`inputs.direct_poisson_plan`; without, `poisson.direct_deliver` is not compiled).

    Returns
    -------
    Drivers
        ``run_windows``, ``run_windows_par``, ``run_windows_persistent`` and
        ``run_steps`` (see `step_loop`), with the generated ``module``.
    """
    combo = tuple(sorted({int(k) for k in kinds}))
    ptrs = bool(ptrs) and m.K_POISSON in combo
    direct = bool(direct) and m.K_POISSON in combo
    feats = FEATURES if features is None else frozenset(features)
    if not feats <= FEATURES:
        raise ValueError(f"step_loop: unknown optional parts {sorted(feats - FEATURES)}")
    if os.environ.get("LAMINA_ENGINE_ALL_MODELS", "") not in ("", "0"):
        combo = tuple(sorted(REGISTRY))   # one step loop for every network (test suites)
        ptrs = True
        feats = FEATURES
        direct = m.K_POISSON in combo
    if not any((k, integrator) in VARIANTS for k in combo):
        integrator = "rkf45"   # no cell it applies to: the same loop as the default
    if (combo, ptrs, integrator, feats, direct) in _by_combination:
        return _by_combination[combo, ptrs, integrator, feats, direct]
    template = _select(_TEMPLATE, feats)
    tail = _generated_tail(combo, ptrs, integrator, direct) + \
        _parallel_variants(template)
    from lamina import __version__
    key = hashlib.sha256("\n".join([__version__, repr(combo), repr(sorted(feats)),
                                    _SOURCE_HASH,
                                    layout.digest(m.TABLES.values()),
                                    tail]).encode()).hexdigest()[:20]
    name = f"lamina_step_loop_{key}"
    if name in _loaded:
        _by_combination[combo, ptrs, integrator, feats, direct] = _loaded[name]
        return _loaded[name]
    path = cache_folder() / f"{name}.py"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(template + tail)
        os.replace(tmp, path)   # atomic: concurrent processes see a whole file or none
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import the generated step loop {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _loaded[name] = _by_combination[combo, ptrs, integrator, feats, direct] = Drivers(module)
    return _loaded[name]


def is_compiled(dispatcher: Any) -> bool:
    """Whether numba has a compiled version of `dispatcher` in memory or on disk (best
    effort: True when it cannot tell)."""
    if dispatcher.overloads:
        return True
    try:
        return Path(dispatcher._cache._cache_file._index_path).exists()
    except AttributeError:
        return True


def announce_compile(dispatcher: Any, what: str) -> None:
    """Log one line (level WARNING, so a plain script shows it) before `dispatcher` is
    compiled for the first time on this machine; nothing when it is cached."""
    key = f"{dispatcher.py_func.__module__}.{dispatcher.py_func.__name__}"
    if key in _announced or is_compiled(dispatcher):
        return
    _announced.add(key)
    logger.warning("lamina: compiling engine kernels for %s (first run only; cached for "
                   "later runs)...", what)
