"""lamina's NEURON backend: standard models as single-compartment cells built from
lamina's own NMODL mechanisms (`mechanisms`, compiled once per user into a cache), NetCons
from the core's arrays (`connections`), spike sources and current sources (`sources`),
Vector recording (`recording`), NEURON's artificial cells by name (`native`), cells over
MPI processes (`parallel`).

Importing this package imports `neuron`; ``import lamina.neuron`` does not (the backend is
loaded by ``setup()``).
"""
from lamina.backends.neuron import parallel

parallel.prepare_environment()        # before NEURON may initialise MPI

from lamina.backends.neuron.backend import NeuronBackend  # noqa: E402 - after the environment

__all__ = ["NeuronBackend"]
