"""Run each probe in ``pynn_probes/`` under real PyNN 0.13 (+ NEST) and under lamina
(``pyNN.nest`` resolved to lamina by `lamina.compat`), and print where their outputs differ.

    PYTHONPATH=$PWD python tests/conformance/compare_with_pynn.py [--pynn /work/pynn-venv/bin/python] [probe ...]

Each probe prints one line per behaviour (``[tag] value``; views also ``== name`` blocks);
IDs are printed relative to the population's first ID, since NEST numbers its nodes
differently. A difference is not necessarily a lamina bug: docs/compatibility.rst lists the
PyNN 0.13 behaviours lamina deliberately does not copy. Not a test: it needs PyNN installed.
"""
from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pynn_probes")


def _lines(python: str, probe: str, mode: str) -> list[str]:
    """The behaviour lines a probe prints (NEST's banner and warnings dropped)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run([python, os.path.join(HERE, probe), mode], capture_output=True,
                         text=True, env=env, timeout=600)
    kept, in_block = [], False
    for line in (out.stdout + out.stderr).splitlines():
        in_block = in_block or line.startswith("==")   # indented lines belong to "==" blocks
        if "Warning" in line or "GetStatus" in line:
            continue
        if line.startswith(("[", "==")) or (in_block and line.startswith(" ")):
            kept.append(line)
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pynn", default="/work/pynn-venv/bin/python",
                        help="Python interpreter with PyNN 0.13 and NEST")
    parser.add_argument("probes", nargs="*", help="probe files (default: all)")
    args = parser.parse_args()
    probes = args.probes or sorted(f for f in os.listdir(HERE) if f.startswith("probe_"))
    for probe in probes:
        ref = _lines(args.pynn, probe, "pynn")
        ours = _lines(sys.executable, probe, "compat")
        diff = list(difflib.unified_diff(ref, ours, "pynn", "lamina", n=0, lineterm=""))
        print(f"## {probe}: {len(ref)} lines, {'same' if not diff else 'differs'}")
        for line in diff[2:]:
            print(line)


if __name__ == "__main__":
    main()
