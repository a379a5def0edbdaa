"""``pyNN.standardmodels.ion_channels``: importable; creating one raises
`NoModelAvailableError` (no multi-compartment cells in lamina yet)."""
from lamina.compat.morphology import (KdrChannel, NaChannel, PassiveLeak,  # noqa: F401
                                      PassiveLeakHH, StandardIonChannelModel)

__all__ = ["KdrChannel", "NaChannel", "PassiveLeak", "PassiveLeakHH", "StandardIonChannelModel"]
