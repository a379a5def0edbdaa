"""lamina's Brian 2 backend: the standard models' equations generated from the catalogue
(`equations`), one NeuronGroup per cell type with a Subgroup per population (`cells`), spike sources (`sources`),
current sources as per-step tables (`stimuli`), Synapses built in bulk from the core's
arrays (`connections`), monitors (`recording`), the state carried over when the network
is rebuilt (`net_state`) and the run loop and modes (`backend`).

Importing this package imports Brian 2 (slow: seconds); ``import lamina.brian2`` does not
(the backend is loaded by ``setup()``). A Brian 2 that is missing or fails to import
(Brian 2.9 with numpy >= 2.4) gives `BackendNotAvailableError` from `load_backend`.
Brian 2's exception hook is not kept (see below).
"""
import sys

_hook = sys.excepthook
try:
    import brian2  # noqa: F401
except ImportError:
    raise
except Exception as err:  # e.g. AttributeError from an incompatible numpy
    raise ImportError(f"brian2 failed to import: {type(err).__name__}: {err}") from err
finally:
    # Brian 2's hook reports every uncaught exception, a lamina error in the user's script
    # included, as "Brian 2 encountered an unexpected error" (with a debug log): keep the
    # script's own hook
    sys.excepthook = _hook

from lamina.backends.brian2.backend import Brian2Backend  # noqa: E402

__all__ = ["Brian2Backend"]
