"""Brian 2 state updaters with a disk cache, and sub-stepping.

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
import re
import tempfile
from typing import Any

import brian2 as b2
from brian2.stateupdaters.base import StateUpdateMethod

from lamina.cache_dir import user_cache_dir

logger = logging.getLogger(__name__)


def cache_dir() -> str:
    """The directory of cached update code for the installed Brian 2."""
    return str(user_cache_dir(f"brian2-{b2.__version__}"))


_IDENT = re.compile(r"\b[A-Za-z_]\w*\b")


def substepped(code: str, n: int, after: str = "") -> str:
    """Abstract update code `code` for one step of dt turned into `n` steps of dt/n: the
    code repeated with ``dt`` -> ``dt/n``, ``t`` -> ``t + k*dt/n`` and its temporaries
    (names starting with ``_``) renamed per repetition, each followed by `after`."""
    blocks = []
    for k in range(n):
        def sub(m: re.Match, k: int = k) -> str:
            word = m.group(0)
            if word == "dt":
                return f"(dt/{n})"
            if word == "t":
                return f"(t + {k}*dt/{n})"
            return f"_s{k}{word}" if word.startswith("_") else word
        lines = code.splitlines() + after.splitlines()
        blocks.append("\n".join(_IDENT.sub(sub, line) for line in lines))
    return "\n".join(blocks)


class SubstepUpdater(StateUpdateMethod):
    """Brian 2's method `name` applied in `n` sub-steps of dt/n per time step (for models
    whose spike upswing is too fast for one step of a fixed-step method)."""

    def __init__(self, name: str, n: int, after: str = "") -> None:
        self.name, self.n, self.after = name, n, after
        self.inner = StateUpdateMethod.stateupdaters[name]

    def __call__(self, equations: Any, variables: Any = None,
                 method_options: Any = None) -> str:
        return substepped(self.inner(equations, variables, method_options), self.n, self.after)

    def __repr__(self) -> str:
        return f"SubstepUpdater({self.name!r}, {self.n})"


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


def method(name: str, after: str = "") -> Any:
    """What to pass as a NeuronGroup's ``method``: the cached ``exact`` updater (the one
    that is slow to derive), a `SubstepUpdater` for ``'rk4/4'`` (rk4 in 4 sub-steps, each
    followed by the statement `after`), Brian 2's name for the others."""
    if "/" in name:
        inner, n = name.split("/")
        return SubstepUpdater(inner, int(n), after)
    return CachedUpdater(name) if name == "exact" else name
