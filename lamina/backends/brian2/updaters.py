"""Brian 2 state updaters with a disk cache.

Brian 2 derives the update code of the ``exact`` method by solving the linear system with
sympy (a matrix exponential): seconds per model on a quiet machine, over a minute for the
five-variable alpha-synapse models on a busy one, and again in every new process. The
result depends only on the equations and the method, so lamina keeps it in a per-user
cache (``$XDG_CACHE_HOME/lamina/brian2-<version>/``, default ``~/.cache``), keyed by a hash
of both; files are written atomically, and an unreadable cache is simply recomputed.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from typing import Any

import brian2 as b2
from brian2.stateupdaters.base import StateUpdateMethod

from lamina.cache_dir import user_cache_dir

logger = logging.getLogger(__name__)


def cache_dir() -> str:
    """The directory of cached update code for the installed Brian 2."""
    return str(user_cache_dir(f"brian2-{b2.__version__}"))


class CachedUpdater(StateUpdateMethod):
    """Brian 2's registered method `name`, its output cached on disk."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.inner = StateUpdateMethod.stateupdaters[name]

    def __call__(self, equations: Any, variables: Any = None,
                 method_options: Any = None) -> str:
        key = hashlib.sha256(f"{self.name}\n{equations!s}".encode()).hexdigest()[:32]
        path = os.path.join(cache_dir(), key + ".txt")
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except OSError:
            pass
        code = self.inner(equations, variables, method_options)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(code)
            os.replace(tmp, path)
        except OSError as err:                       # a read-only home: just no cache
            logger.debug("cannot cache Brian 2 update code in %s: %s", path, err)
        return code

    def __repr__(self) -> str:
        return f"CachedUpdater({self.name!r})"


def method(name: str) -> Any:
    """What to pass as a NeuronGroup's ``method``: the cached ``exact`` updater (the one
    that is slow to derive), Brian 2's name for the others."""
    return CachedUpdater(name) if name == "exact" else name
