"""Writing Neo blocks to files, the format chosen by the file name's suffix; crash-safe
(a temporary file renamed over the target, see `lamina.atomic_write`)."""
from __future__ import annotations

import os
import pickle
from typing import Any

import neo

from lamina.atomic_write import replacing
from lamina.errors import InvalidParameterValueError, NothingToWriteError

#: suffix -> description, for error messages
FORMATS = {".pkl": "pickle", ".pickle": "pickle", ".nix": "NIX (needs nixio)",
           ".h5": "NIX (needs nixio)"}


def write_block(block: neo.Block, io: Any) -> None:
    """Write `block` to `io`: a file name or a neo IO object with ``write_block``.

    Raises
    ------
    NothingToWriteError if the block holds no data.
    InvalidParameterValueError for an unknown suffix.
    """
    if not any(seg.spiketrains or seg.analogsignals for seg in block.segments):
        raise NothingToWriteError(f"nothing recorded in {block.name!r}: call record() first")
    if hasattr(io, "write_block"):
        io.write_block(block)
        return
    path = os.fspath(io)
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".pkl", ".pickle"):
        with replacing(path) as tmp, open(tmp, "wb") as fh:
            pickle.dump(block, fh)
    elif suffix in (".nix", ".h5"):
        try:
            from neo.io import NixIO
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise InvalidParameterValueError(
                f"writing {path!r} needs nixio: pip install lamina[nix]") from err
        with replacing(path) as tmp:
            with NixIO(tmp, mode="ow") as nio:
                nio.write_block(block)
    else:
        raise InvalidParameterValueError(
            f"cannot tell the format of {path!r}: known suffixes are {', '.join(FORMATS)}")
