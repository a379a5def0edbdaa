"""Exceptions raised by lamina, one class per kind of misuse.

Names follow PyNN's (`pyNN.errors`) so that ``except`` clauses written for PyNN keep
working. Each class also subclasses the matching builtin, so generic handlers
(``except KeyError``) catch them too.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable


class LaminaError(Exception):
    """Base class of every lamina error."""


class InvalidParameterValueError(LaminaError, ValueError):
    """A parameter value has the wrong type, range, unit or shape."""


class NonExistentParameterError(LaminaError, KeyError, AttributeError):
    """A parameter name is not known to a model.

    Parameters
    ----------
    parameter_name : str — the name that was given
    model_name : str — the model (cell type, synapse type, ...) it was given to
    valid_parameter_names : iterable of str — the names the model accepts
    """

    def __init__(self, parameter_name: str, model_name: str,
                 valid_parameter_names: Iterable[str] = ()) -> None:
        self.parameter_name = parameter_name
        self.model_name = model_name
        self.valid_parameter_names = sorted(valid_parameter_names)
        super().__init__(parameter_name)

    def __str__(self) -> str:
        msg = f"{self.model_name} has no parameter {self.parameter_name!r}"
        close = difflib.get_close_matches(self.parameter_name, self.valid_parameter_names, n=3)
        if close:
            msg += "; did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
        if self.valid_parameter_names:
            msg += " Valid parameters: " + ", ".join(self.valid_parameter_names) + "."
        return msg


class NumericalError(LaminaError, ArithmeticError):
    """A simulation produced a non-finite value (NaN or infinity) in a state variable."""


class InvalidDimensionsError(LaminaError, ValueError):
    """Sizes or shapes do not match (population sizes, array lengths, grid dimensions)."""


class InvalidModelError(LaminaError, ValueError):
    """A cell, synapse or current-source type is unknown or cannot be used here."""


class NoModelAvailableError(LaminaError, NotImplementedError):
    """The chosen backend cannot provide the requested model."""


class ConnectionError(LaminaError, ValueError):  # noqa: A001 - PyNN's name
    """A connection cannot be made (bad receptor, delay, weight sign, index, size)."""


class InvalidWeightError(ConnectionError):
    """A weight has the wrong sign or value for its receptor type."""


class RoundingWarning(UserWarning):
    """A value was rounded to the simulation grid."""


class ParallelSafetyWarning(UserWarning):
    """Over several MPI processes, something is drawn from a generator that is not
    parallel-safe: the network then depends on the number of processes."""


class RecordingError(LaminaError, ValueError):
    """A variable cannot be recorded from a model, or recording is misused."""

    def __init__(self, variable: str, cell_type: object, recordable: Iterable[str] = ()) -> None:
        self.variable = variable
        self.cell_type = cell_type
        self.recordable = sorted(recordable)
        super().__init__(variable)

    def __str__(self) -> str:
        name = getattr(self.cell_type, "__name__", None) or type(self.cell_type).__name__
        msg = f"cannot record {self.variable!r} from {name}"
        if self.recordable:
            msg += "; recordable variables are: " + ", ".join(self.recordable)
        return msg


class NothingToWriteError(LaminaError, RuntimeError):
    """There is no recorded data to write or return."""


class InvalidTimeError(LaminaError, ValueError):
    """A time argument is negative, in the past, or off the simulation grid."""


class NotLocalError(LaminaError, LookupError):
    """A cell or connection lives on another MPI process."""


class SimulationNotSetUpError(LaminaError, RuntimeError):
    """An object was used before ``setup()`` was called."""


class BackendNotAvailableError(LaminaError, ImportError):
    """A simulator backend is not installed."""


class FileFormatError(LaminaError, ValueError):
    """A model or data file (SONATA, NIR, ...) is malformed: the message names the file,
    the element and what was expected."""


def valid_names_hint(name: str, valid: Iterable[str]) -> str:
    """Return a ``did you mean ...?`` suffix for `name`, or an empty string."""
    close = difflib.get_close_matches(name, list(valid), n=3)
    return (" Did you mean " + " or ".join(f"`{c}`" for c in close) + "?") if close else ""


class InsufficientMemoryError(LaminaError, MemoryError):
    """A request would need more memory than the machine has available; raised before
    anything is allocated, naming the estimate and the memory available."""


class MPIUnavailableError(LaminaError, RuntimeError):
    """Started under an MPI launcher with several processes, but the backend cannot
    distribute the network over them (or mpi4py is missing)."""


class UnknownCellError(LaminaError, IndexError):
    """A cell ID or index does not belong to the population, view or assembly asked."""


class CheckpointMismatchError(LaminaError, ValueError):
    """A checkpoint was saved from another network, backend, time step or seed, or in
    another format version."""
