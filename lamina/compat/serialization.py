"""``pyNN.serialization``: SONATA import and export (see `lamina.io.sonata`)."""
from lamina.io.sonata import (asciify, export_to_sonata, import_from_sonata,
                              load_sonata_simulation_plan)

__all__ = ["import_from_sonata", "export_to_sonata", "asciify", "load_sonata_simulation_plan"]
