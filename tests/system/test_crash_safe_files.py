"""Files are replaced atomically: a SIGKILL mid-write leaves the previous file intact
(regression: issue 16, a killed ``write_data`` left a truncated .pkl)."""
from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lamina.atomic_write import replacing, savetxt

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
PREVIOUS = b"previous results, still readable\n"


@pytest.mark.parametrize("kind, name", [("pkl", "data.pkl"), ("to_file", "rec.pkl"),
                                        ("text", "spikes.txt"), ("save", "conns.txt")])
def test_sigkill_mid_write_keeps_previous_file(kind, name, tmp_path):
    target = tmp_path / name
    target.write_bytes(PREVIOUS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SCRIPTS.parents[1]), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(SCRIPTS / "slow_writer.py"), kind,
                             str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        line = proc.stdout.readline().strip()
        assert line == "writing", proc.stderr.read()
        temps = [p for p in tmp_path.iterdir() if p.name != name]
        assert len(temps) == 1 and temps[0].stat().st_size > 0   # half written, beside it
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert target.read_bytes() == PREVIOUS


def test_completed_write_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "x.pkl"
    with replacing(target) as tmp, open(tmp, "wb") as fh:
        pickle.dump({"a": 1}, fh)
    assert pickle.loads(target.read_bytes()) == {"a": 1}
    assert [p.name for p in target.parent.iterdir()] == ["x.pkl"]


def test_failed_write_keeps_previous_and_removes_temporary(tmp_path):
    target = tmp_path / "x.txt"
    target.write_bytes(PREVIOUS)
    with pytest.raises(ValueError):
        with replacing(target) as tmp:
            Path(tmp).write_text("partial")
            raise ValueError("disk full")
    assert target.read_bytes() == PREVIOUS
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_savetxt_keeps_gz_compression(tmp_path):
    target = tmp_path / "a.txt.gz"
    savetxt(target, np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(np.loadtxt(target), np.arange(6.0).reshape(3, 2))
    assert target.read_bytes()[:2] == b"\x1f\x8b"   # gzip magic
