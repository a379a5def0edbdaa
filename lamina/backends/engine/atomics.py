"""Atomic operations, a spin pause, a cycle counter, ``sched_yield`` and ``usleep`` for
numba code.

numba has no CPU atomics; these intrinsics emit LLVM atomic instructions on one element
of a C-contiguous int64 array (`atomic_add`, `atomic_load`, `atomic_store`, `atomic_cas`),
all sequentially consistent (loads: acquire, stores: release). `cpu_pause` is x86's
``pause`` (nothing elsewhere), `cycles` LLVM's ``readcyclecounter`` (the time stamp
counter on x86), `sched_yield` and `sleep_us` libc's ``sched_yield`` and ``usleep``, called
by symbol name (the addresses are registered with llvmlite at import), so functions using
them can be cached. `wait_change` waits for another thread's store: it spins, then
yields, then sleeps, so that on a busy machine the core goes to a thread that is ready
(the scheduler can then move a preempted worker onto it).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import platform

from llvmlite import binding as llvm
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["atomic_add", "atomic_load", "atomic_store", "atomic_cas", "cpu_pause", "cycles",
           "sched_yield", "sleep_us", "wait_change", "barrier", "rendezvous", "SYNC_SIZE"]

_I64 = ir.IntType(64)
_X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")


def _register(name: str) -> bool:
    """Make libc's function `name` resolvable by name in numba's JIT; False if absent."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        fn = getattr(libc, name)
    except (OSError, AttributeError):
        return False
    llvm.add_symbol(name, ctypes.cast(fn, ctypes.c_void_p).value)
    return True


_HAVE_YIELD = _register("sched_yield")
_HAVE_USLEEP = _register("usleep")


def _check_array(arr) -> None:
    if not (isinstance(arr, types.Array) and arr.dtype == types.int64 and arr.ndim == 1):
        raise TypeError("atomics need a 1-d int64 array")


def _element_pointer(context, builder, aryty, ary_val, idxty, idx_val):
    """Pointer to ``ary[idx]`` (no bounds check)."""
    ary = context.make_array(aryty)(context, builder, ary_val)
    idx = context.cast(builder, idx_val, idxty, types.intp)
    return cgutils.get_item_pointer(context, builder, aryty, ary, [idx], wraparound=False)


@intrinsic
def atomic_add(typingctx, arr, idx, val):
    """``arr[idx] += val`` atomically; returns the old value."""
    _check_array(arr)

    def codegen(context, builder, sig, args):
        ptr = _element_pointer(context, builder, sig.args[0], args[0], sig.args[1], args[1])
        v = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", ptr, v, "seq_cst")
    return types.int64(arr, idx, val), codegen


@intrinsic
def atomic_load(typingctx, arr, idx):
    """``arr[idx]``, an atomic load with acquire ordering."""
    _check_array(arr)

    def codegen(context, builder, sig, args):
        ptr = _element_pointer(context, builder, sig.args[0], args[0], sig.args[1], args[1])
        return builder.load_atomic(ptr, "acquire", 8)
    return types.int64(arr, idx), codegen


@intrinsic
def atomic_store(typingctx, arr, idx, val):
    """``arr[idx] = val``, an atomic store with release ordering."""
    _check_array(arr)

    def codegen(context, builder, sig, args):
        ptr = _element_pointer(context, builder, sig.args[0], args[0], sig.args[1], args[1])
        v = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(v, ptr, "release", 8)
        return context.get_dummy_value()
    return types.none(arr, idx, val), codegen


@intrinsic
def atomic_cas(typingctx, arr, idx, expected, new):
    """If ``arr[idx] == expected`` set it to `new`, atomically; returns the old value."""
    _check_array(arr)

    def codegen(context, builder, sig, args):
        ptr = _element_pointer(context, builder, sig.args[0], args[0], sig.args[1], args[1])
        e = context.cast(builder, args[2], sig.args[2], types.int64)
        n = context.cast(builder, args[3], sig.args[3], types.int64)
        res = builder.cmpxchg(ptr, e, n, "seq_cst", "seq_cst")
        return builder.extract_value(res, 0)
    return types.int64(arr, idx, expected, new), codegen


@intrinsic
def cpu_pause(typingctx):
    """A spin-wait hint (x86 ``pause``); a no-op on other machines."""
    def codegen(context, builder, sig, args):
        if _X86:
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []),
                                                "llvm.x86.sse2.pause")
            builder.call(fn, [])
        return context.get_dummy_value()
    return types.none(), codegen


@intrinsic
def cycles(typingctx):
    """The CPU cycle counter (x86: time stamp counter); for coarse timeouts only."""
    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_I64, []),
                                            "llvm.readcyclecounter")
        return builder.call(fn, [])
    return types.int64(), codegen


@intrinsic
def sched_yield(typingctx):
    """Give the CPU to another runnable thread (libc ``sched_yield``)."""
    def codegen(context, builder, sig, args):
        if _HAVE_YIELD:
            fn = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.IntType(32), []), "sched_yield")
            builder.call(fn, [])
        return context.get_dummy_value()
    return types.none(), codegen


@intrinsic
def sleep_us(typingctx, us):
    """Sleep `us` microseconds (libc ``usleep``; a ``sched_yield`` where it is absent)."""
    def codegen(context, builder, sig, args):
        if _HAVE_USLEEP:
            fn = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.IntType(32), [ir.IntType(32)]), "usleep")
            v = context.cast(builder, args[0], sig.args[0], types.int32)
            builder.call(fn, [v])
        elif _HAVE_YIELD:
            fn = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.IntType(32), []), "sched_yield")
            builder.call(fn, [])
        return context.get_dummy_value()
    return types.none(us), codegen


# --- barriers on a shared int64 array `sync` (at least SYNC_SIZE elements, zeroed) ------
SYNC_SIZE = 64
_CNT, _GEN, _ARR, _DEC = 0, 8, 16, 24   # one 64-byte line each
SPINS = 300   # pause-spins (~10-40 us) before a waiting thread starts yielding the CPU


@njit(cache=True)
def _wait(k):
    """One step of a spin wait: pause for the first `SPINS` steps, then yield."""
    if k < SPINS:
        cpu_pause()
    else:
        sched_yield()


SPIN_CYCLES = 100_000    # ~40 us: pause-spin this long (a quiet machine's waits end here)
#: ~2 ms: then yield the CPU (to other processes' threads, if any: on a quiet machine it
#: returns at once); beyond it, sleep SLEEP_US per try. Not sooner: a virtual core with
#: nothing to run halts, and a sleeper there wakes up to milliseconds late (numba's region
#: start after 10 ms of idleness: 0.15 ms median, 1.9 ms at worst, here), far longer than
#: the ~1 ms tasks of a large network whose ends it was waiting for
YIELD_CYCLES = 5_000_000
SLEEP_US = 20


@njit(cache=True)
def wait_change(arr, i, old):
    """Wait until ``arr[i] != old`` (stored by another thread); return the new value.
    Spins with ``pause`` for `SPIN_CYCLES`, yields until `YIELD_CYCLES`, then sleeps
    `SLEEP_US` microseconds per try: an idle core lets the scheduler run (or pull over)
    the thread being waited for when the machine has more threads than cores."""
    t0 = cycles()
    while True:
        v = atomic_load(arr, i)
        if v != old:
            return v
        waited = cycles() - t0
        if waited < SPIN_CYCLES:
            for _ in range(16):
                cpu_pause()
        elif waited < YIELD_CYCLES:
            sched_yield()
        else:
            sleep_us(SLEEP_US)


@njit(cache=True)
def barrier(sync, T):
    """Wait until all T threads have called it (a counter with a generation number)."""
    gen = atomic_load(sync, _GEN)
    if atomic_add(sync, _CNT, 1) == T - 1:   # the last one resets and releases
        atomic_store(sync, _CNT, 0)
        atomic_add(sync, _GEN, 1)
        return
    k = 0
    while atomic_load(sync, _GEN) == gen:
        _wait(k)
        k += 1


@njit(cache=True)
def rendezvous(sync, T, timeout):
    """True when all T threads arrive before one of them has waited `timeout` cycles;
    every caller gets the same answer (decided once by compare-and-swap). Never hangs,
    also when the callers run one after another in one thread."""
    atomic_add(sync, _ARR, 1)
    t0 = cycles()
    k = 0
    while atomic_load(sync, _DEC) == 0:
        if atomic_load(sync, _ARR) >= T:
            atomic_cas(sync, _DEC, 0, 1)
        elif k >= SPINS and cycles() - t0 > timeout:
            atomic_cas(sync, _DEC, 0, 2)
        else:
            _wait(k)
        k += 1
    return atomic_load(sync, _DEC) == 1
