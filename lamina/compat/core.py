"""``pyNN.core``: small helpers PyNN scripts and connectors use."""
from __future__ import annotations

import functools
import subprocess
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np


class IndexBasedExpression:
    """Base class of expressions of the pre- and postsynaptic indices ``f(i, j)`` (for
    `IndexBasedProbabilityConnector` and per-connection values); subclasses define
    ``__call__(i, j)`` on index arrays. `projection` is the projection using it, if any."""

    projection: Any = None

    def __call__(self, i: np.ndarray, j: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __call__(i, j)")


def is_listlike(obj: Any) -> bool:
    """Whether `obj` is a list, tuple, array or other sized iterable (not a string)."""
    return isinstance(obj, (list, tuple, set, np.ndarray)) or (
        hasattr(obj, "__len__") and hasattr(obj, "__iter__") and not isinstance(obj, (str, dict)))


def find(obj: Any, value: Any) -> int:
    """Index of the first element of `obj` equal to `value` (ValueError if none)."""
    return list(obj).index(value)


def ezip(*args: Any) -> Iterator[tuple]:
    """``zip`` that requires every argument to have the same length."""
    lengths = {len(a) for a in args}
    if len(lengths) > 1:
        raise ValueError(f"ezip: arguments of different lengths {sorted(lengths)}")
    return zip(*args)


def reraise(exception: BaseException, message: str) -> None:
    """Raise `exception` again with `message` appended."""
    args = exception.args or ("",)
    exception.args = (f"{args[0]}{message}", *args[1:])
    raise exception


def run_command(command: str, cwd: str | None = None) -> tuple[int, str]:
    """Run a shell `command`; returns (exit status, combined output)."""
    out = subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True)
    return out.returncode, out.stdout + out.stderr


class deprecated:  # noqa: N801 - PyNN's name
    """Decorator: calling the function warns that it is deprecated (use `replacement`)."""

    def __init__(self, replacement: str = "") -> None:
        self.replacement = replacement

    def __call__(self, func: Callable) -> Callable:
        hint = f"; use {self.replacement} instead" if self.replacement else ""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warnings.warn(f"{func.__name__}() is deprecated{hint}", DeprecationWarning,
                          stacklevel=2)
            return func(*args, **kwargs)
        return wrapper


__all__ = ["IndexBasedExpression", "deprecated", "ezip", "find", "is_listlike", "reraise",
           "run_command"]
