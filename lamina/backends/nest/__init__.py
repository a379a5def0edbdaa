"""lamina's NEST backend (PyNEST 3.x): standard models translated to NEST models by the
data tables of `translations`, NEST's native models, connection rules and devices.

Importing this package imports `nest`; ``import lamina.nest`` does not (the backend is
loaded by ``setup()``). See `backend` (kernel set-up, cells and connections, reset by
rebuilding), `runtime` (running, recording, current sources; the backend owns one),
`state` (the network as built in NEST, shared by both), `sources` (current-source timing),
`recording` (how NEST's device data become lamina's).
"""
from lamina.backends.nest.backend import NestBackend

__all__ = ["NestBackend"]
