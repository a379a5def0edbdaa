"""Where a lamina Brunel run spends its time, by compiled function, from Linux ``perf``.

``perf`` samples numba's JIT code as anonymous addresses. This script runs
`brunel_cpu.py` under ``perf record`` in a child process that, on exit, writes
``/tmp/perf-<pid>.map`` (perf's map of JIT symbols) from the object code of every compiled
function it loaded, including the functions numba linked into them without inlining
(``_curr_alpha``, ``threshold``, ``direct_deliver``: weak symbols of their caller's
object). It then prints the share of the samples of the run (from the first to the last
sample in the network's ``run_windows``) per function. Inlined helpers count towards
their caller: ``run_windows`` holds the recurrent delivery (`windows.deliver_window`).

Use (needs ``perf`` and permission to sample this process)::

    PYTHONPATH=$PWD python benchmarks/brunel_profile.py --duration 1000
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def _child(argv: list[str]) -> None:
    """Run `brunel_cpu.py` with `argv`; write the perf map of its JIT code at exit."""
    import atexit
    import runpy

    from numba.core import codegen
    objects: dict[int, bytes] = {}
    hook = codegen.CPUCodeLibrary._object_getbuffer_hook.__func__

    def keep(cls, ll_module):   # numba hands the object code to LLVM once, then drops it
        buf = hook(cls, ll_module)
        if buf:
            objects[id(ll_module)] = bytes(buf)
        return buf

    codegen.CPUCodeLibrary._object_getbuffer_hook = classmethod(keep)
    atexit.register(_write_map, objects)
    sys.argv = ["brunel_cpu.py", *argv]
    runpy.run_path(os.path.join(HERE, "brunel_cpu.py"), run_name="__main__")


def _symbols(obj: bytes) -> dict[str, tuple[int, int]]:
    """Code symbols of an object file: name -> (offset in its section, size)."""
    with tempfile.NamedTemporaryFile(suffix=".o") as f:
        f.write(obj)
        f.flush()
        out = subprocess.run(["nm", "-S", "--defined-only", f.name], capture_output=True,
                             text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "tTW":
            syms[p[3]] = (int(p[0], 16), int(p[1], 16))
    return syms


def _write_map(objects: dict[int, bytes]) -> None:
    import gc

    from numba.core.registry import CPUDispatcher
    entries: dict[int, tuple[int, str]] = {}
    for d in [o for o in gc.get_objects() if isinstance(o, CPUDispatcher)]:
        for cres in list(d.overloads.values()):
            lib, anchor = cres.library, cres.fndesc.llvm_func_name
            obj = objects.get(id(getattr(lib, "_final_module", None)))
            base = lib.get_pointer_to_function(anchor) if obj else 0
            syms = _symbols(obj) if base else {}
            if anchor not in syms:
                continue
            for name, (off, size) in syms.items():   # one code section per object
                entries.setdefault(base - syms[anchor][0] + off, (size, name))
    with open(f"/tmp/perf-{os.getpid()}.map", "w") as f:
        for addr in sorted(entries):
            size, name = entries[addr]
            f.write(f"{addr:x} {size:x} {name}\n")


def _short(name: str) -> str:
    """A readable form of a numba symbol: the function's name (and its wrapper kind)."""
    parts = re.findall(r"\d+([A-Za-z_]\w*?)B\d", name)
    kind = "cpython wrapper of " if name.startswith("_ZN7cpython") else (
        "cfunc of " if name.startswith("cfunc.") else "")
    return kind + (parts[0] if parts else name[:60])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--freq", type=int, default=4999, help="perf samples per second")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args()
    if args.child:
        _child(["--duration", str(args.duration), *rest])
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        subprocess.run(["perf", "record", "-q", "-F", str(args.freq), "-o", data,
                        sys.executable, __file__, "--child", "--duration",
                        str(args.duration), *rest], check=True)
        script = subprocess.run(["perf", "script", "-i", data, "-F", "time,ip,sym"],
                                capture_output=True, text=True).stdout
    samples = []
    for line in script.splitlines():
        p = line.split(None, 2)
        if len(p) >= 2:
            samples.append((float(p[0].rstrip(":")), p[2].strip() if len(p) > 2 else "?"))
    # the network's run: the step loop with the most samples (the warm-up has its own)
    loops = collections.Counter(s for t, s in samples
                                if "run_windows" in s and not s.startswith("_ZN7cpython"))
    if not loops:
        print("no samples in run_windows (is the perf map missing?)")
        return 1
    main_loop = loops.most_common(1)[0][0]
    times = [t for t, s in samples if s == main_loop]
    t0, t1 = min(times), max(times)
    window = [s for t, s in samples if t0 <= t <= t1]
    shares = collections.Counter(_short(s) if s.startswith(("_ZN", "cfunc.")) else s
                                 for s in window)
    print(f"run: {t1 - t0:.2f} s, {len(window)} samples")
    for name, n in shares.most_common(12):
        print(f"{100 * n / len(window):5.1f} %  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
