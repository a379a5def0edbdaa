"""``pyNN.nest.random`` / ``pyNN.neuron.random``: the simulator's own generator marker."""
from lamina.random import NativeRNG

__all__ = ["NativeRNG"]
