"""NEURON's errors re-raised as lamina's, with NEURON's message kept (``raise ... from``).

NEURON reports hoc errors as ``RuntimeError`` (``hocobj_call error: ...``) and bad
attribute values as ``TypeError``/``ValueError``; `translated` turns them into the lamina
error class the caller names, prefixed with the lamina operation.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from lamina import errors


@contextlib.contextmanager
def translated(what: str, cls: type[errors.LaminaError] = errors.LaminaError) -> Iterator[None]:
    """Run NEURON calls; a NEURON error becomes `cls` (``from`` the original)."""
    try:
        yield
    except errors.LaminaError:
        raise
    except (RuntimeError, TypeError, ValueError, LookupError) as err:
        raise cls(f"{what}: NEURON says: {type(err).__name__}: {err}") from err
