"""lamina's built-in simulation engine: clock-driven, spikes on the time grid,
reproducing NEST's grid-based models.

Integration methods
-------------------
* IF_curr_exp, IF_curr_alpha, IF_curr_delta: exact integration of the linear
  subthreshold dynamics with precomputed propagators (as NEST iaf_psc_exp,
  iaf_psc_alpha, iaf_psc_delta); same update order as NEST, so spike times match to
  the step and V to round-off.
* IF_cond_exp, IF_cond_alpha: ``setup(integrator=...)`` (`fixed_step`): "taylor" (the
  default, 1.9 x faster than "rkf45" on COBA) the Taylor series of V to dt^6 from the exact
  derivatives of the exactly decaying conductances, cells whose dt^6 term exceeds 1e-6 mV
  (fast synapses after an input, stiff steps) redone by the adaptive RKF45 below; "rkf45"
  adaptive embedded Runge-Kutta-Fehlberg 4(5) per neuron and step with absolute error
  tolerance 1e-6 (mV, uS), the last accepted internal step carried across steps (as
  NEST's GSL rkf45 use, see `integrators`); "rk4" (opt-in) RK4 for V, RKF45 where its
  embedded estimate exceeds 1e-4 mV; "exponential_euler" Brian 2's scheme. V
  clamped at v_reset while refractory; threshold checked at the end of each step.
* IF_facets_hardware1: as IF_cond_exp (NEST iaf_cond_exp) with cm = 0.2 nF,
  tau_refrac = 1 ms, e_rev_E = 0 mV fixed and tau_m = cm/g_leak.
* IF_cond_exp_gsfa_grr, HH_cond_exp, EIF_cond_exp_isfa_ista, EIF_cond_alpha_isfa_ista,
  GIF_cond_exp, PointNeuron: generic adaptive RKF45 (`integrators.rk_ext`, same tableau
  and step-size rules as above, absolute tolerance 1e-6 on every state variable,
  right-hand sides in `rhs`), per-step logic in `cells_ext`, each in NEST's update order:
  iaf_cond_exp_sfa_rr (threshold on the grid, g_s/g_r jumps), hh_cond_exp_traub (spike
  when V >= V_T + 30 mV and falling, 2 ms dead time), aeif_cond_exp/alpha (spike at
  V_peak after any internal step, reset, w += b, exponential at min(V, V_peak), V held
  while refractory), gif_cond_exp (exact decay of the eta/gamma elements, spike with
  probability 1 - exp(-lambda dt) from a counter-based uniform of (seed, reset segment,
  cell, step): independent of threads and run splitting).
* Izhikevich: NEST izhikevich's forward Euler with step dt (consistent_integration),
  bit for bit.
* SpikeSourceGamma, SpikeSourcePoissonRefractory, SpikeSourceInhGamma: renewal trains per
  block of 1000 steps, next-spike times carried across blocks (`inputs.RenewalSources`).
* A non-finite state after a chunk raises `lamina.errors.NumericalError` naming model,
  variable, cell ID and time.
* Synaptic input: ring buffer per target and receptor (receptor r at columns r*N..;
  PointNeuron may have up to 8 receptors); a spike emitted in step n with
  delay D steps acts on the state at t_{n+1+D}.
* SpikeSourcePoisson: drawn inside the step loop (`poisson`): per step and active cell a
  count K ~ Poisson(rate dt) from a counter-based generator (SplitMix64 hash of a key from
  (rng_seed, reset segment, cell ID), the step and a draw index; exact inversion up to a
  mean of 10, Hörmann's PTRS above), independent of run splitting, chunk size and threads.
  K x weight is delivered through the source's synapses (a dynamic synapse sees K spikes);
  a recorded source's spike train repeats the time stamp K times (as NEST's parrot
  neurons do). Rate/start/duration changes act from the next step.

Modules: `backend` (bookkeeping), `models` (translation tables: parameter and state rows),
`layout` (rows computed from a model's catalogue declaration), `propagators` and
`derived` (exact-integration constants), `families` (the compiled update of each model
kind, one module per family: `families.lif_psc`, `families.lif_cond`, `families.extended`,
`families.izhikevich`, `families.sources`), `integrators`, `rhs` and `cells_ext` (the
integrators those updates use), `kernels` (spike delivery), `windows` (window helpers),
`step_loop` (the step loops, a template), `distributed` (the windows over MPI ranks) and `assemble` (which generates a step loop per
combination of model families), `driver_choice` (serial or parallel driver), `inputs`
(current sources, spike sources), `poisson`, `counter_rng` (the counter-based random hash
every compiled draw uses), `recording` (stores), `synapses` (dynamic synapses: NEST's
tsodyks/tsodyks2/quantal_stp/bernoulli/stdp/vogels_sprekeler algorithms, event-driven per
connection; gap junctions, explicit coupling) and `synapse_store` (their storage, a CSR of
its own, and synaptic-state recording).

Threads: networks whose synapses are all static (no gap junctions) run in the windowed
step loop (`windows`, drivers in `step_loop`) for any thread count: windows of D steps (D =
the smallest delay), one parallel region per kernel call whose workers take the parts
of each window (a range of cells: their updates, Poisson draws, ring columns and the CSR
part onto them; one part per thread, two for networks of 8,000 cells or more,
``LAMINA_ENGINE_PARTS`` sets the number) as tasks, each worker its own parts first (a part
stays on one core) and then any left, the last one closing the window
(``step_loop.run_windows_persistent``: no barrier, so an unscheduled worker's part is
taken by another), or one ``prange`` region per window (``LAMINA_ENGINE_DRIVER=prange``).
Spikes are delivered in one canonical order (emission step, then row), so results are
bitwise identical for any number of threads and any split of a run. A kernel call covers
several blocks of `inputs.BLOCK` steps (about 0.1 s of work): waking numba's workers for
a region costs up to milliseconds on a virtual machine. A run that starts while other
processes leave fewer free cores than its threads uses one part (`EngineBackend._run_parts`);
if the machine becomes busy during a run, the backend also measures the serial driver (the
T parts one after another in one thread: bitwise the same results) and runs whichever is
faster per step (`driver_choice`), so threads do not make a run slower than one thread
when the cores are busy (``LAMINA_ENGINE_DRIVER=serial`` forces it). Networks with dynamic
synapses or gap junctions run in the serial step loop ``step_loop.run_steps``. numba's
``workqueue`` threading layer is selected (the OpenMP layer crashed a later
``nest.ResetKernel()`` in the same process) unless ``NUMBA_THREADING_LAYER`` is set.

Processes: under ``mpiexec -n P`` (mpi4py) each rank advances its own block of every
population and holds the static synapses onto it; spikes are exchanged once per window
and delivered in the same canonical order, so results are bitwise those of one process
(`distributed`; hooks in `EngineBackend.connect`, ``set_recording``, ``_parts``,
``run_until`` and ``_run_chunk``). Dynamic synapses and gap junctions are refused there.

Static synapses live in `static_store` (float64 weight + int32 target per synapse; source
rows, delays and projections per segment, read by the kernels as delay groups).

Compile only what the network uses: `assemble` writes, per combination of model kinds
present, the source of `step_loop` plus a dispatch ``update_group`` over those kinds'
family functions (and the Poisson draw only when there are SpikeSourcePoisson cells) to
a per-user cache folder (``$LAMINA_CACHE_DIR/engine``, else ``~/.cache/lamina/engine``;
never the package folder) and imports it; numba compiles and caches (``cache=True``) the
drivers of that module only. The first run of a new combination logs one line
("lamina: compiling engine kernels for IF_cond_exp + SpikeSourcePoisson + static synapses
(first run only; cached for later runs)..."); later runs load the compiled code. The file
name hashes lamina's version, the combination, every model's rows and the source of every
engine module, so an edited engine never runs a stale cached kernel. SpikeSourcePoisson
means above 10 per step (Hörmann's PTRS) are part of the combination: a network without
them compiles the draw without PTRS. The optional parts of the loops (current sources,
analog recording, dynamic synapses, gap junctions; ``#: begin NAME`` .. ``#: end NAME`` in
`step_loop`) are generated only for networks that have them. ``LAMINA_ENGINE_ALL_MODELS=1``
compiles one loop with every family and every optional part for all networks (the test
suite sets it). The family updates (but the sources') and the Poisson draw are called
through numba function pointers (`callees`), so each is compiled and cached on its own
rather than re-optimised inside every step loop; while the network is built, a helper
process compiles them into numba's cache (`background`; two free cores, not under MPI;
``LAMINA_ENGINE_BACKGROUND_COMPILE=0`` turns it off), so a cold first run uses two cores.

Adding a model (e.g. a new integrate-and-fire variant ``IF_foo``), as
`families.izhikevich` does it:

1. its catalogue entry in `lamina.models` (parameters, state variables, recordables);
2. one module ``families/foo.py`` holding the whole model: ``LAYOUT =
   layout.from_declaration(IF_foo)`` (its rows computed from the declaration: ``v`` keeps
   the shared row `models.S_V`, every other parameter and state variable takes the next
   row above the shared blocks, in declaration order), ``TABLE = models.ExtTable(...)``
   from that layout (the translation: names, rows, receptors, method), and its compiled
   update with the family signature described in `families` (``inline="always"``; it
   reads its rows as module globals taken from ``LAYOUT``);
3. a kind code in `models` and one line in ``families.REGISTRY``: ``m.K_FOO: ("foo",
   "update_foo")`` (the registry adds the module's ``TABLE`` to `models.TABLES`);
4. tests: against an analytic solution or NEST (`tests/validation`), and its rows
   (`tests/unit/test_engine_layout.py`).

Nothing else is edited: the step loops, the windowed threads and the compile cache pick it
up from the registry, and `assemble` keys the compiled code on every model's rows
(`layout.digest`), so a parameter added to the catalogue recompiles. The older models
still number their rows by hand in `models` (one block reused by several models; where one
has derived constants, `derived` computes them): they move to this scheme one module at a
time. Compile-time rules for compiled helpers (cold start): a counter handed to a
non-inlined numba function starts as ``np.int64(0)``, never a literal ``0`` (numba would
compile a second specialisation for ``Literal[int](0)``); a helper inlined at one call
site only (``inline="always"``) is compiled once, inside its caller, while each
non-inlined one is compiled on its own and again inside every caller that links it; rare
paths (Hörmann's PTRS for Poisson means above 10) are separate functions that
`assemble` includes only when a network needs them.

Developers: `assemble` keys the generated step loops on the engine's sources, but numba's
own cache (``cache=True``) of a function outside them checks only that function's file:
after editing a helper that another module's cached function inlines, delete
``__pycache__/*.nbi`` and ``*.nbc`` of this package (or set ``NUMBA_CACHE_DIR`` to a
fresh folder). Installed copies are not affected (installing writes new files).
"""
from lamina.backends.engine.backend import EngineBackend

__all__ = ["EngineBackend"]
