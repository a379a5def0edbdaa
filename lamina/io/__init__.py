"""Output and exchange: Neo conversion (`neo_output`, from the plain data of `recorded`),
data files (`files`), the classic text formats (`classic_text`), SONATA (`sonata`) and NIR
(`nir`). Nothing here imports `lamina.core`: the core hands over plain data."""
from __future__ import annotations

from typing import Any


def write_block(block: Any, io: Any) -> None:
    """Write a `neo.Block` to `io` (see `lamina.io.files.write_block`); Neo is imported
    on first use, not with lamina."""
    from lamina.io import files
    files.write_block(block, io)


__all__ = ["write_block"]
