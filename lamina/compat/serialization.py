"""``pyNN.serialization``: SONATA import and export (see `lamina.io.sonata`)."""
from lamina.io.sonata import export_to_sonata, import_from_sonata, load_sonata_simulation_plan
from lamina.io.sonata.writer import asciify as _ascii_name


def asciify(label: str) -> bytes:
    """`label` as ASCII bytes ("→" becomes "-"), as PyNN's ``asciify`` returns it."""
    return _ascii_name(label).encode("ascii")


__all__ = ["import_from_sonata", "export_to_sonata", "asciify", "load_sonata_simulation_plan"]
