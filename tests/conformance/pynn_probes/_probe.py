"""The shared start of the probes: `sim` is ``pyNN.nest`` of real PyNN (first argument
"pynn"), ``lamina`` itself ("engine"), or ``pyNN.nest`` through `lamina.compat` (any
other); `R` prints one behaviour line."""
import sys

if sys.argv[1] == "pynn":
    import pyNN.nest as sim
elif sys.argv[1] == "engine":
    import lamina as sim
else:
    import lamina.compat
    lamina.compat.install()
    import pyNN.nest as sim

__all__ = ["sim", "R"]


def R(tag, f, width=600):
    """Print ``[tag] repr(f())``, or the class and message of what it raised."""
    try:
        out = f()
    except Exception as e:
        out = f"ERR {type(e).__name__}: {str(e)[:140]}"
    print(f"[{tag}] {out!r}"[:width])
