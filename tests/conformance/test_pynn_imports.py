"""Every public module and name of PyNN 0.13 imports through `lamina.compat`."""
from __future__ import annotations

import importlib

import pytest
from conftest import backend_unavailable
from pynn_api import API

from lamina import compat

SIMULATOR_MODULES = {f"pyNN.{name}" for name in compat.SIMULATORS}


@pytest.fixture
def pynn():
    """`lamina.compat` installed with every simulator module on the engine."""
    compat.install("engine")
    yield
    compat.uninstall()


def _missing(module_name: str, names: tuple[str, ...]) -> list[str]:
    module = importlib.import_module(module_name)
    return [n for n in names if not hasattr(module, n)]


@pytest.mark.parametrize("module_name", sorted(m for m in API if m not in SIMULATOR_MODULES))
def test_module_and_names_import(pynn, module_name):
    assert _missing(module_name, API[module_name]) == []


@pytest.mark.parametrize("module_name", sorted(m for m in API if m in SIMULATOR_MODULES))
def test_simulator_module_on_the_engine_has_every_name(pynn, module_name):
    """With ``--backend engine`` each simulator module is lamina's engine namespace; it
    has PyNN's whole simulator API (``native_*_type`` are pyNN.nest's own)."""
    generic = tuple(n for n in API[module_name] if not n.startswith("native_"))
    assert _missing(module_name, generic) == []


@pytest.mark.parametrize("simulator", ["nest", "neuron", "brian2"])
def test_simulator_module_on_its_own_backend_has_every_name(simulator):
    why = backend_unavailable(simulator)
    if why:
        pytest.skip(why)
    compat.install()
    try:
        assert _missing(f"pyNN.{simulator}", API[f"pyNN.{simulator}"]) == []
    finally:
        compat.uninstall()


def test_star_import_of_a_simulator_module(pynn):
    namespace: dict = {}
    exec("from pyNN.nest import *", namespace)
    assert {"setup", "Population", "Projection", "IF_cond_exp", "run", "end"} <= set(namespace)


def test_native_rng_modules(pynn):
    from pyNN.nest.random import NativeRNG
    from pyNN.random import NativeRNG as generic
    assert NativeRNG is generic


def test_list_covers_pynn_api():
    """The generated list is the whole API, not a sample (counts from PyNN 0.13.0)."""
    assert len(API) == 27
    assert sum(len(v) for v in API.values()) >= 600


@pytest.mark.parametrize("module_name", sorted(m for m in API if m.count(".") == 1))
def test_from_pynn_import_submodule(pynn, module_name):
    """``from pyNN import space`` (any submodule) gives the module ``pyNN.space`` is."""
    sub = module_name.split(".")[1]
    namespace: dict = {}
    exec(f"from pyNN import {sub}", namespace)
    assert namespace[sub] is importlib.import_module(module_name)


def test_morphology_names_refuse_clearly(pynn):
    from pyNN.morphology import NeuroMLMorphology, load_morphology
    from pyNN.standardmodels.cells import MultiCompartmentNeuron

    from lamina.errors import NoModelAvailableError
    for make in (NeuroMLMorphology, MultiCompartmentNeuron, lambda: load_morphology("x.swc")):
        with pytest.raises(NoModelAvailableError, match="multi-compartment"):
            make()


def test_gsl_rng_is_numpy_backed(pynn):
    from pyNN.random import GSLRNG, NumpyRNG, have_gsl
    assert have_gsl is False
    a, b = GSLRNG(seed=7), NumpyRNG(seed=7)
    assert (a.next(5, "uniform", {"low": 0.0, "high": 1.0})
            == b.next(5, "uniform", {"low": 0.0, "high": 1.0})).all()


def test_lazyarray_and_neo_are_dependencies(pynn):
    """Scripts that import them directly find them after ``pip install lamina``."""
    import tomllib
    from pathlib import Path
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    deps = " ".join(project["project"]["dependencies"])
    assert "lazyarray" in deps and "neo" in deps
    from pyNN.parameters import LazyArray  # noqa: F401 - the import needs lazyarray


def test_importing_pynn_modules_leaves_lamina_intact():
    """Submodule imports bind names on their parent module; with pyNN.nest being lamina
    itself they must not rebind lamina's own modules."""
    import lamina
    before = {name: getattr(lamina, name) for name in ("random", "space", "errors")}
    compat.install("engine")
    try:
        for name in API:
            importlib.import_module(name)
        importlib.import_module("pyNN.nest.random")
    finally:
        compat.uninstall()
    assert {name: getattr(lamina, name) for name in before} == before


#: submodules PyNN 0.13's simulator modules offer as attributes (``sim.space.Grid2D``), read
#: from ``dir(pyNN.nest)`` and the ``from .. import`` lines of pyNN/<simulator>/__init__.py;
#: pyNN.nest's ``nestml`` (NESTML model compilation) has no lamina counterpart
SUBMODULE_ATTRIBUTES = {"nest": ("errors", "random", "space"),
                        "neuron": ("errors", "random", "space", "morphology"),
                        "brian2": ("errors", "random", "space")}


def _check_submodules(sim, names):
    import types
    for name in names:
        assert isinstance(getattr(sim, name, None), types.ModuleType), name
    # the modules hold the very classes the namespace offers
    assert sim.random.NumpyRNG is sim.NumpyRNG
    assert sim.random.RandomDistribution is sim.RandomDistribution
    assert sim.space.Grid2D is sim.Grid2D and sim.space.Space is sim.Space
    assert sim.errors.InvalidParameterValueError is importlib.import_module(
        "lamina.errors").InvalidParameterValueError


@pytest.mark.parametrize("simulator", sorted(SUBMODULE_ATTRIBUTES))
def test_simulator_modules_offer_pynn_submodules(simulator):
    """``lamina.nest.space.Grid2D`` as ``pyNN.nest.space.Grid2D``, without NEST installed."""
    _check_submodules(importlib.import_module(f"lamina.{simulator}"),
                      SUBMODULE_ATTRIBUTES[simulator])


@pytest.mark.parametrize("backend", [None, "engine"])
@pytest.mark.parametrize("simulator", sorted(SUBMODULE_ATTRIBUTES))
def test_pynn_simulator_modules_offer_submodules(simulator, backend):
    """Through `lamina.compat`, each backend's own module or the engine's; importing
    ``pyNN.<simulator>.random`` leaves ``sim.random`` as it was."""
    import lamina
    names = SUBMODULE_ATTRIBUTES[simulator] if backend is None else ("errors", "random", "space")
    compat.install(backend)
    try:
        sim = importlib.import_module(f"pyNN.{simulator}")
        before = sim.random
        _check_submodules(sim, names)
        assert importlib.import_module(f"pyNN.{simulator}.random") is before
        assert sim.random is before and hasattr(before, "NativeRNG")
        assert (sim is lamina) == (backend == "engine")
    finally:
        compat.uninstall()
