"""The one interface every simulator backend implements.

`lamina.core` (Population, Projection, recorders, current sources) is written once and
talks to simulators only through these methods. Conventions:

* Everything is in PyNN units (ms, mV, nA, uS, nF, Hz); a backend converts to native
  units in its own translation tables.
* Cells are addressed by their global IDs (int64 arrays); IDs are handed out by the core
  in creation order, the same on every backend.
* Parameter values arrive evaluated: one numpy array per name with one value per cell
  (for sequence parameters such as ``spike_times``: a list of 1-D arrays).
* Connections arrive as parallel arrays (pre IDs, post IDs, one value array per synapse
  parameter, delays in ms already checked against the time step and max_delay). The
  backend holds them; the core does not keep its own copy of their cells. Each backend
  defines a projection's connection order: `connection_ids` gives the cells in it, and
  values are read and written in it.
* Time advances only in `run_until`; `prepare` is called once before the first run.
  Recorded data accumulate in the backend until the core collects and clears them.
* What a backend can do is data (`Capabilities`, from ``Backend.capabilities()``): the core
  refuses what a backend cannot run before creating anything, and never branches on a
  backend's name.
* Connectors reach a backend as descriptions (`lamina.connectors.ConnectorDescription`) in
  `connect_native`; a backend with its own routine for the rule may build the connections.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from lamina.connectors.description import ConnectorDescription
from lamina.models.base import StandardCellType, StandardCurrentSourceType, StandardSynapseType


def release_freed_memory() -> None:
    """Give memory freed by large builds (connecting, the engine's CSR) back to the system:
    glibc keeps freed blocks in its heap otherwise. ``malloc_trim``, a few ms; Linux only."""
    import ctypes
    import sys
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


@dataclass
class BackendConfig:
    """What `setup()` fixed for the lifetime of a backend.

    Attributes
    ----------
    dt : float — time step [ms]
    min_delay : float — smallest allowed delay [ms] (the time step when 'auto')
    max_delay : float — largest allowed delay [ms]
    threads : int — worker threads the backend may use
    rng_seed : int — seed of the backend's own random streams (Poisson sources, noise)
    extra : dict — backend-specific options passed to `setup`
    distribution : `lamina.distribution.Distribution` or None — the process layout (rank,
        process count, local cells) shared with the core; None: one process
    """

    dt: float = 0.1
    min_delay: float = 0.1
    max_delay: float = 10.0
    threads: int = 1
    rng_seed: int = 42
    extra: dict[str, Any] = field(default_factory=dict)
    distribution: Any = None


@dataclass
class SignalData:
    """Samples of one analog variable for a set of cells.

    Attributes
    ----------
    t_start : float — time of the first sample [ms]
    sampling_interval : float — [ms]
    values : ndarray, shape (n_samples, n_cells) — in PyNN units
    """

    t_start: float
    sampling_interval: float
    values: np.ndarray


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do, as data: the core asks these instead of branching on a
    backend's name or probing for methods (``sim.state.backend.capabilities()``).

    Attributes
    ----------
    cell_types : frozenset of str or None — the standard cell types it runs (None: all of
        `lamina.models.CELL_TYPES`); others are refused before any cell is created
    synapse_types : frozenset of str or None — the standard synapse types (None: all)
    spike_precisions : frozenset of str — 'on_grid' (spike times on the time grid) and/or
        'off_grid' (precise times); the first run's ``setup(spike_precision=...)`` must be one
    distributed : bool — one network shared by several MPI processes
    native_cell_types : bool — simulator-native cell models by name
        (``Population(10, "iaf_psc_alpha")``)
    native_connection_rules : frozenset of str — connector rules
        (`lamina.connectors.ConnectorDescription.rule`) it can build with its own random
        numbers (``rng=NativeRNG()``)
    checkpoints : bool — `save_state`/`restore_state`
    synapse_state_recording : bool — `Projection.record` (weights and synaptic state over time)
    """

    cell_types: frozenset[str] | None = None
    synapse_types: frozenset[str] | None = None
    spike_precisions: frozenset[str] = frozenset({"on_grid"})
    distributed: bool = False
    native_cell_types: bool = False
    native_connection_rules: frozenset[str] = frozenset()
    checkpoints: bool = False
    synapse_state_recording: bool = False

    def refusal(self, backend: str, kind: str, name: str) -> str | None:
        """Why a standard `kind` ('cell' or 'synapse') type `name` cannot run on `backend`,
        or None if it can."""
        known = self.cell_types if kind == "cell" else self.synapse_types
        if known is None or name in known:
            return None
        return (f"{name} is not available on the {backend} backend (its standard {kind} "
                f"types: {', '.join(sorted(known))})")


class Backend(ABC):
    """Abstract simulator backend. One instance lives from `setup()` to `end()`."""

    name: ClassVar[str] = "abstract"
    #: what the backend can do (see `Capabilities`; `capabilities()` adds `can_distribute`)
    features: ClassVar[Capabilities] = Capabilities()
    #: whether the backend can share one network between several MPI processes (each
    #: simulating its part: its connections, spikes and signals are those of the cells
    #: `is_local`, which the core gathers); where not, `setup()` refuses under ``mpiexec``
    can_distribute: ClassVar[bool] = False
    #: what a user needs to know or install for MPI runs on this backend
    distribution_hint: ClassVar[str] = ""
    #: backend-specific ``setup()`` options this backend understands (`BackendConfig.extra`)
    setup_options: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: BackendConfig) -> None:
        from lamina.distribution import Distribution
        self.config = config
        if config.distribution is None:
            config.distribution = Distribution()
        #: the process layout shared with the core (`lamina.distribution.Distribution`)
        self.distribution = config.distribution

    @classmethod
    def capabilities(cls) -> Capabilities:
        """What this backend can do, as data (`Capabilities`)."""
        return replace(cls.features, distributed=cls.can_distribute)

    def prepare(self) -> None:
        """Called once by the core before the first run, when the network is built: a
        backend may finish its set-up here (build connection tables, compile, hand the
        network to the simulator) instead of in its first `run_until`. Default: nothing."""

    # -- process layout (`lamina.distribution`) ----------------------------------------
    @property
    def rank(self) -> int:
        """MPI rank of this process."""
        return self.distribution.rank

    @property
    def num_processes(self) -> int:
        """Number of MPI processes."""
        return self.distribution.size

    def is_local(self, ids: np.ndarray) -> np.ndarray:
        """Boolean mask: which of `ids` live on this process."""
        return self.distribution.is_local(ids)

    # -- resources (estimates checked before allocating; see `lamina.core.resources`) ----
    def bytes_per_cell(self, celltype: StandardCellType) -> float:
        """Memory one cell of `celltype` costs this backend [bytes] (state, parameters,
        input buffers), used to refuse what cannot fit before creating anything."""
        return 1024.0

    def bytes_per_connection(self, synapse_type: StandardSynapseType) -> float:
        """Memory one connection of `synapse_type` costs this backend at its peak (while
        connecting or preparing the first run) [bytes]."""
        return 100.0

    # -- cells ----------------------------------------------------------------------
    @abstractmethod
    def create_cells(self, celltype: StandardCellType, ids: np.ndarray,
                     parameters: dict[str, Any], initial_values: dict[str, np.ndarray]) -> None:
        """Create ``len(ids)`` cells of `celltype` with the given parameter and initial values."""

    @abstractmethod
    def set_cell_parameters(self, ids: np.ndarray, parameters: dict[str, Any]) -> None:
        """Change parameters of existing cells (all of one cell type); takes effect from
        the next time step simulated."""

    @abstractmethod
    def set_initial_values(self, ids: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Set state variables now and as the values `reset()` restores."""

    # -- connections ----------------------------------------------------------------
    @abstractmethod
    def connect(self, projection_id: int, pre_ids: np.ndarray, post_ids: np.ndarray,
                receptor_type: str, synapse_type: StandardSynapseType,
                values: dict[str, np.ndarray]) -> None:
        """Add connections to projection `projection_id` (may be called several times;
        connections append). `values` holds 'weight', 'delay' [ms] and any other synapse
        parameter, one entry per connection."""

    def connect_native(self, projection_id: int, pre_ids: np.ndarray, post_ids: np.ndarray,
                       connector: ConnectorDescription, receptor_type: str,
                       synapse_type: StandardSynapseType,
                       values: dict[str, float]) -> int | None:
        """Let the simulator build the connections `connector` describes (its ``rule`` and
        ``parameters``; see `lamina.connectors.description`) with its own RNG (the core asks
        only when ``connector.native_rng``), giving every connection the (checked) scalar `values`
        (e.g. weight and delay, PyNN units). Returns the number of connections made; the
        core asks for their cells with `connection_ids` only when it needs them, and
        sets values that are not scalars with `set_connection_values`. Returns None where
        the backend has no native rule for this connector: lamina's own connector runs."""
        return None

    @abstractmethod
    def connection_ids(self, projection_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(pre IDs, post IDs) of every connection of the projection (over MPI: those
        onto this process's cells), in its connection order (the order of
        `get_connection_values` and `set_connection_values`)."""

    @abstractmethod
    def set_connection_values(self, projection_id: int, name: str, values: np.ndarray) -> None:
        """Replace attribute `name` of every connection of the projection, in order."""

    @abstractmethod
    def get_connection_values(self, projection_id: int, name: str) -> np.ndarray:
        """Return attribute `name` of every connection of the projection, in order."""

    # -- current sources --------------------------------------------------------------
    @abstractmethod
    def inject(self, source_id: int, source: StandardCurrentSourceType,
               parameters: dict[str, Any], target_ids: np.ndarray) -> None:
        """Attach current source `source_id` (created on first call) to `target_ids`.
        `parameters` are evaluated: scalars, or 1-D arrays for times/amplitudes;
        ``stop=None`` means never; ``dt=None`` means the time step."""

    @abstractmethod
    def set_current_source_parameters(self, source_id: int, parameters: dict[str, Any]) -> None:
        """Change parameters of an existing current source."""

    @abstractmethod
    def record_current_source(self, source_id: int) -> None:
        """Start recording the current a source injects."""

    @abstractmethod
    def get_current_source_data(self, source_id: int, clear: bool) -> SignalData:
        """Recorded current [nA] of a source, shape (n_samples, 1), sampled every dt."""

    # -- recording --------------------------------------------------------------------
    @abstractmethod
    def set_recording(self, ids: np.ndarray, variable: str, sampling_interval: float) -> None:
        """Record `variable` ('spikes' or a state variable) from `ids` from now on.
        Analog samples are taken at the current time and every `sampling_interval` after."""

    @abstractmethod
    def stop_recording(self, ids: np.ndarray, variable: str) -> None:
        """Stop recording `variable` from `ids`; data already recorded are kept."""

    @abstractmethod
    def get_spikes(self, ids: np.ndarray) -> list[np.ndarray]:
        """Spike times [ms] recorded since the last clear, one sorted array per id."""

    @abstractmethod
    def get_signal(self, ids: np.ndarray, variable: str) -> SignalData:
        """Samples of `variable` recorded since the last clear for `ids` (all of which
        must record it with one sampling interval)."""

    @abstractmethod
    def clear_recorded(self, ids: np.ndarray, variable: str) -> None:
        """Forget data recorded so far for `ids` and `variable` (recording continues)."""

    def set_synapse_state(self, projection_id: int, name: str, values: np.ndarray) -> None:
        """Set state variable `name` ('u', 'x', 'y', 'a': see the synapse type's
        ``recordable``) of every connection of a projection of dynamic synapses, now and as
        the value `reset()` restores (``Projection.initialize``)."""
        from lamina.errors import NoModelAvailableError
        raise NoModelAvailableError(
            f"the {self.name} backend cannot set the initial state of synapses")

    # -- synaptic-state recording (lamina extension; optional) ------------------------
    def set_synapse_recording(self, projection_id: int, variable: str,
                              sampling_interval: float) -> None:
        """Sample `variable` ('weight', or a state variable of the synapse type such as
        'u', 'x') of every connection of a projection every `sampling_interval` ms, from
        the current time on. Backends that cannot refuse with `NoModelAvailableError`."""
        from lamina.errors import NoModelAvailableError
        raise NoModelAvailableError(
            f"the {self.name} backend cannot record synaptic state over time")

    def stop_synapse_recording(self, projection_id: int, variable: str) -> None:
        """Stop sampling; data already recorded are kept."""

    def get_synapse_signal(self, projection_id: int, variable: str) -> SignalData:
        """Samples since the last clear: values of shape (n_samples, n_connections), in
        projection order and PyNN units."""
        from lamina.errors import NoModelAvailableError
        raise NoModelAvailableError(
            f"the {self.name} backend cannot record synaptic state over time")

    def clear_synapse_recorded(self, projection_id: int, variable: str) -> None:
        """Forget the samples so far (recording continues)."""

    # -- time -------------------------------------------------------------------------
    @property
    @abstractmethod
    def t(self) -> float:
        """Current simulation time [ms]."""

    @abstractmethod
    def run_until(self, t_stop: float) -> None:
        """Advance the simulation to `t_stop` [ms] (a multiple of dt, >= t).

        When `lamina.interrupts.requested()` turns true during the call (Ctrl-C), return
        early at a time where state and recorded data are consistent (all recorded up to
        `t` available, a later call continuing exactly); the core then raises
        `KeyboardInterrupt`. Poll it at intervals of well under a second of wall time."""

    @abstractmethod
    def reset(self) -> None:
        """Return to t = 0 with state variables at their initial values; structure,
        parameters, connections and recording set-up are kept; recorded data cleared."""

    def end(self) -> None:
        """Release resources. The backend is not used afterwards."""

    # -- checkpoints (lamina extension; see `lamina.core.checkpoint`) -------------------
    def dynamic_state(self) -> dict[str, np.ndarray]:
        """Everything that changes while running (time, cell and synapse state, input
        buffers, random-stream positions, recorded spikes) as named numpy arrays, such
        that `load_dynamic_state` on the same network built afresh continues exactly.
        Backends that cannot refuse with `NoModelAvailableError`."""
        from lamina.errors import NoModelAvailableError
        raise NoModelAvailableError(f"the {self.name} backend cannot save its state "
                                    "(checkpoints are an engine feature)")

    def load_dynamic_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore what `dynamic_state` returned (the network must be the same)."""
        from lamina.errors import NoModelAvailableError
        raise NoModelAvailableError(f"the {self.name} backend cannot restore a saved state "
                                    "(checkpoints are an engine feature)")

    def native_cell_type(self, name: str) -> type[StandardCellType]:
        """A cell type class for a simulator-native model `name` (parameters in the
        simulator's own names and units). Backends without native models refuse."""
        from lamina.errors import InvalidModelError
        raise InvalidModelError(
            f"the {self.name} backend has no native cell types; {name!r} is not a standard "
            "cell type either")

    def native_synapse_type(self, name: str) -> type[StandardSynapseType]:
        """A synapse type class for a simulator-native synapse model `name`. Backends
        without native synapse models refuse with `InvalidModelError`."""
        from lamina.errors import InvalidModelError
        raise InvalidModelError(f"the {self.name} backend has no native synapse types; "
                                f"{name!r} is not a standard synapse type either")

    def describe(self) -> dict[str, Any]:
        """Backend facts for `describe()` (name, integration methods, options)."""
        return {"backend": self.name}
