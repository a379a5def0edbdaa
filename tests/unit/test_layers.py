"""Layers point down: the core does not depend on the classic facade, `lamina.io` takes
plain data and never imports the core, and the NEST backend composes its runtime."""
from __future__ import annotations

import ast
import pathlib
import warnings

import pytest

import lamina
from lamina.core import populations as core_populations
from lamina.core import projections as core_projections

from tests.conftest import requires_nest

PACKAGE = pathlib.Path(lamina.__file__).parent


def _module_graph() -> dict[str, set[str]]:
    """lamina module -> lamina modules it imports (any level, TYPE_CHECKING blocks left out;
    the package ``lamina`` itself, which every submodule import runs, is left out too)."""
    files = {}
    for f in PACKAGE.rglob("*.py"):
        parts = f.relative_to(PACKAGE.parent).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    graph = {}
    for name, f in files.items():
        targets = set()
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []
        for node in ast.walk(tree):
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names] \
                if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for m in names:
                while m and m not in files:
                    m = m.rpartition(".")[0]
                parts = m.split(".") if m else []
                targets.update(".".join(parts[:k]) for k in range(2, len(parts) + 1))
        graph[name] = targets - {name}
    return graph


def test_no_import_cycle_between_core_classic_and_io():
    graph = _module_graph()

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def layer(m: str) -> str | None:
        return next((p for p in ("lamina.core", "lamina.classic", "lamina.io")
                     if m == p or m.startswith(p + ".")), None)

    reachable = {m: reach(m) for m in graph if layer(m)}
    cycles = sorted((a, b) for a, seen in reachable.items() for b in seen
                    if layer(b) and layer(b) != layer(a) and a in reachable[b])
    assert cycles == []


def _imported_modules(path: pathlib.Path) -> set[str]:
    """Every module a source file imports, at any level (functions included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize("package, forbidden", [("core", "lamina.classic"),
                                                ("io", "lamina.core")])
def test_no_import_back_up(package, forbidden):
    offenders = {str(f.relative_to(PACKAGE)): sorted(m for m in _imported_modules(f)
                                                     if m.startswith(forbidden))
                 for f in (PACKAGE / package).rglob("*.py")}
    assert {f: m for f, m in offenders.items() if m} == {}


def test_core_classes_do_not_inherit_the_classic_api_but_the_namespace_has_it():
    for cls in (core_populations.Population, core_populations.PopulationView,
                core_projections.Projection):
        assert all(c.__module__ != "lamina.classic" for c in cls.__mro__), cls
        assert not hasattr(cls, "printSpikes") and not hasattr(cls, "getWeights")
    assert issubclass(lamina.Population, core_populations.Population)
    assert issubclass(lamina.Projection, core_projections.Projection)


def test_classic_methods_work_on_namespace_objects_and_their_views(sim):
    pop = sim.Population((3, 4), sim.IF_curr_exp(i_offset=1.0))
    view = pop[2:6]
    assert isinstance(view, sim.PopulationView)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view.record_v()
        pop.record()
    assert [w.category for w in caught] == [DeprecationWarning, DeprecationWarning]
    sim.run(20.0)
    assert pop.locate(pop[2, 1]) == (2, 1)
    with pytest.warns(DeprecationWarning, match=r"get_v\(\) is deprecated"):
        v = view.get_v()
    assert v.shape == (4 * 201, 3)                 # (id, t, v) rows: 4 cells x 201 samples
    assert set(v[:, 0].astype(int)) == {int(i) for i in view.all_ids}


@requires_nest
def test_nest_backend_composes_its_runtime():
    from lamina.backends.nest.backend import NestBackend
    from lamina.backends.nest.runtime import NestRuntime
    assert NestRuntime not in NestBackend.__mro__
    import lamina.nest as nsim
    nsim.setup(timestep=0.1)
    backend = lamina.core.simulation.current().backend
    assert isinstance(backend.runtime, NestRuntime) and backend.runtime.state is backend.state
    nsim.end()


def test_compat_makes_unknown_setup_options_warnings_without_core_importing_it():
    from lamina import compat
    from lamina.errors import InvalidParameterValueError
    with pytest.raises(InvalidParameterValueError, match="unknown option 'bogus'"):
        lamina.setup(bogus=1)
    compat.install()
    try:
        with pytest.warns(UserWarning, match="'bogus'.*ignored, as PyNN does"):
            lamina.setup(bogus=1)
        lamina.end()
    finally:
        compat.uninstall()
    with pytest.raises(InvalidParameterValueError, match="unknown option 'bogus'"):
        lamina.setup(bogus=1)
