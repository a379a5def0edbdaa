"""Brian 2's exceptions re-raised as lamina's, with Brian 2's message kept as the cause."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from lamina import errors


def _lamina_class(err: BaseException) -> type[errors.LaminaError]:
    """The lamina error class for a Brian 2 exception (searching its causes too: Brian 2
    wraps errors met while preparing a run in ``BrianObjectException``)."""
    seen: BaseException | None = err
    while seen is not None:
        name = type(seen).__name__
        if name == "DimensionMismatchError":
            return errors.InvalidModelError
        if isinstance(seen, (SyntaxError, KeyError)) or name in ("EquationError",
                                                                  "UnsupportedEquationsException"):
            return errors.InvalidModelError
        if isinstance(seen, MemoryError):
            return errors.LaminaError
        seen = seen.__cause__
    return errors.LaminaError


def _root_message(err: BaseException) -> str:
    while err.__cause__ is not None:
        err = err.__cause__
    return f"{type(err).__name__}: {err}"


@contextlib.contextmanager
def translated(what: str) -> Iterator[None]:
    """Run Brian 2 calls; a Brian 2 error becomes a lamina error naming `what` (the lamina
    operation) with Brian 2's message, raised ``from`` the original."""
    try:
        yield
    except errors.LaminaError:
        raise
    except Exception as err:  # noqa: BLE001 - every Brian 2 failure is reported the same way
        module = type(err).__module__ or ""
        cause = err.__cause__
        from_brian = module.startswith("brian2") or (
            cause is not None and (type(cause).__module__ or "").startswith("brian2"))
        if not from_brian and not isinstance(err, (SyntaxError, KeyError, ValueError)):
            raise
        cls = _lamina_class(err)
        raise cls(f"{what}: Brian 2 says: {_root_message(err)}") from err
