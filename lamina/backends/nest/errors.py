"""NEST's exceptions re-raised as lamina's, with NEST's message kept (``raise ... from``)."""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from lamina import errors

logger = logging.getLogger(__name__)

#: NEST error class name -> lamina error class
_MAP: dict[str, type[Exception]] = {
    "BadProperty": errors.InvalidParameterValueError,
    "BadParameter": errors.InvalidParameterValueError,
    "BadParameterValue": errors.InvalidParameterValueError,
    "TypeMismatch": errors.InvalidParameterValueError,
    "RangeCheck": errors.InvalidParameterValueError,
    "BadDelay": errors.ConnectionError,
    "IllegalConnection": errors.ConnectionError,
    "UnknownReceptorType": errors.ConnectionError,
    "IncompatibleReceptorType": errors.ConnectionError,
    "UnknownSynapseType": errors.InvalidModelError,
    "UnknownModelName": errors.InvalidModelError,
    "UnknownComponent": errors.InvalidModelError,
    "UnknownNode": errors.ConnectionError,
    "DimensionMismatch": errors.InvalidDimensionsError,
    "UnaccessedDictionaryEntry": errors.NonExistentParameterError,
    "KernelException": errors.LaminaError,
}


def _lamina_error(err: Exception, what: str) -> Exception:
    name = type(err).__name__
    cls = _MAP.get(name, errors.LaminaError)
    message = f"{what}: NEST says: {name}: {err}"
    if cls is errors.NonExistentParameterError:
        return errors.InvalidParameterValueError(message)
    return cls(message)


def is_nest_error(err: BaseException) -> bool:
    """Whether `err` was raised by the NEST kernel."""
    mod = type(err).__module__ or ""
    return "NESTError" in [c.__name__ for c in type(err).__mro__] or mod.startswith("NESTErrors")


@contextlib.contextmanager
def translated(what: str) -> Iterator[None]:
    """Run NEST calls; a NEST error becomes the matching lamina error (``from`` the
    original), its message prefixed with `what` (the lamina operation)."""
    try:
        yield
    except errors.LaminaError:
        raise
    except Exception as err:  # noqa: BLE001 - filtered just below
        if not is_nest_error(err):
            raise
        raise _lamina_error(err, what) from err
