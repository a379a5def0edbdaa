"""The one per-user folder where lamina keeps what it compiles or derives once: the
engine's generated step loops, NEURON mechanisms, Brian 2's derived update code.

``$LAMINA_CACHE_DIR``, else ``$XDG_CACHE_HOME/lamina``, else ``~/.cache/lamina``; never the
package folder (installs may be read-only). Where that is not writable, a per-user folder
in the temporary directory.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def user_cache_dir(name: str) -> Path:
    """The cache subfolder `name` (created if missing), writable by this process."""
    env = os.environ.get("LAMINA_CACHE_DIR")
    if env:
        base = Path(env)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) / "lamina" if xdg else Path.home() / ".cache" / "lamina"
    folder = base / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"lamina-{os.getuid()}" / name
        folder.mkdir(parents=True, exist_ok=True)
    return folder
