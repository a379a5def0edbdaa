"""lamina's NMODL mechanisms: compiled once per user, NEURON version and file content.

The ``.mod`` files ship as package data in ``lamina/backends/neuron/nmodl``. On first use
`load()` compiles them with NEURON's ``nrnivmodl`` into

    ``<lamina's cache folder>/neuron/<NEURON version>-<hash of the .mod files>``
    (see `lamina.cache_dir`; ``LAMINA_NEURON_CACHE`` overrides the whole ``neuron`` folder)

— never into the working directory or the package folder, so read-only installs and NEURON
upgrades work. Compilation happens in a temporary folder beside the target and is renamed
into place, under a file lock, so that concurrent processes (pytest-xdist workers, MPI
ranks) compile once and never load a half-written library. Later processes only load the
shared library (``nrn_load_dll``, a few milliseconds).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lamina.cache_dir import user_cache_dir
from lamina.errors import LaminaError

logger = logging.getLogger(__name__)

NMODL_DIR = Path(__file__).with_name("nmodl")
#: a mechanism every build defines: present means the library is loaded in this process
PROBE = "LaminaIF"


class MechanismCompileError(LaminaError, RuntimeError):
    """nrnivmodl failed on lamina's NMODL files; the message holds its output."""


def mod_files(folder: Path = NMODL_DIR) -> list[Path]:
    """The NMODL files to compile, sorted by name."""
    return sorted(folder.glob("*.mod"))


def content_hash(files: list[Path]) -> str:
    """First 16 hex digits of the SHA-256 of the files' names and contents."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    """The per-user folder holding one compiled build per NEURON version and file hash."""
    override = os.environ.get("LAMINA_NEURON_CACHE")
    if override:
        return Path(override)
    return user_cache_dir("neuron")


def build_dir(neuron_version: str, files: list[Path]) -> Path:
    """Where the build for this NEURON version and these files lives."""
    return cache_root() / f"{neuron_version}-{content_hash(files)}"


def find_library(folder: Path) -> Path | None:
    """The compiled ``libnrnmech`` under `folder` (``<arch>/libnrnmech.so`` or similar)."""
    for pattern in ("*/libnrnmech.so", "*/.libs/libnrnmech.so", "*/libnrnmech.dylib",
                    "*/nrnmech.dll", "nrnmech.dll"):
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
    return None


def nrnivmodl_command() -> str:
    """Path of ``nrnivmodl``: next to this Python (virtual environments) or on PATH."""
    beside = Path(sys.executable).with_name("nrnivmodl")
    if beside.exists():
        return str(beside)
    found = shutil.which("nrnivmodl")
    if found is None:
        raise MechanismCompileError(
            "cannot compile lamina's NEURON mechanisms: `nrnivmodl` was not found next to "
            f"{sys.executable} nor on PATH; install NEURON with `pip install lamina[neuron]`")
    return found


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def compile_into(target: Path, files: list[Path]) -> Path:
    """Compile `files` with nrnivmodl into `target` (created atomically); return the
    library path. Raises `MechanismCompileError` with the compiler's output."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".tmp-", dir=target.parent))
    try:
        for f in files:
            shutil.copy2(f, work / f.name)
        logger.warning("lamina: compiling its NEURON mechanisms into %s (once per NEURON "
                       "version)", target)
        proc = subprocess.run([nrnivmodl_command(), "."], cwd=work, capture_output=True,
                              text=True, check=False)
        lib = find_library(work)
        if proc.returncode != 0 or lib is None:
            raise MechanismCompileError(
                f"nrnivmodl failed (exit status {proc.returncode}) compiling "
                f"{', '.join(f.name for f in files)}:\n{proc.stdout[-4000:]}\n"
                f"{proc.stderr[-4000:]}")
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lib = find_library(target)
    assert lib is not None  # noqa: S101 - just found in the renamed folder
    return lib


def ensure_compiled(neuron_version: str, files: list[Path] | None = None) -> Path:
    """The library for this NEURON version, compiling it first if this user has none."""
    files = mod_files() if files is None else files
    target = build_dir(neuron_version, files)
    lib = find_library(target) if target.exists() else None
    if lib is not None:
        return lib
    with _locked(target.with_name(target.name + ".lock")):
        lib = find_library(target) if target.exists() else None
        if lib is None:
            if target.exists():
                shutil.rmtree(target)         # a broken earlier build
            lib = compile_into(target, files)
    return lib


def load(h: object, neuron_version: str) -> None:
    """Make lamina's mechanisms available in this process (compiling on first use)."""
    if hasattr(h, PROBE):
        return
    lib = ensure_compiled(neuron_version)
    try:
        h.nrn_load_dll(str(lib))  # type: ignore[attr-defined]
    except RuntimeError as err:
        raise MechanismCompileError(
            f"NEURON could not load lamina's mechanisms from {lib}: {err}") from err
