"""``pyNN.morphology`` and PyNN's multi-compartment names: importable, refused on use.

No lamina backend simulates multi-compartment cells yet, so creating any of these objects
raises `NoModelAvailableError` saying so; scripts that only import them still load.
"""
from __future__ import annotations

from typing import Any

from lamina.errors import NoModelAvailableError

have_neuroml = False


class MultiCompartmentUnavailable:
    """Base of PyNN's multi-compartment names: instantiating one raises
    `NoModelAvailableError` (no lamina backend has multi-compartment cells yet)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NoModelAvailableError(
            f"{type(self).__name__}: lamina has no multi-compartment cells yet (no backend "
            "simulates morphologies); use a point-neuron model such as IF_cond_exp")


def _unavailable(name: str, doc: str) -> type:
    return type(name, (MultiCompartmentUnavailable,), {"__doc__": doc, "__module__": __name__})


_MORPHOLOGY = {
    "Morphology": "A neuron morphology (tree of sections).",
    "NeuroMLMorphology": "A morphology read from NeuroML.",
    "MorphIOMorphology": "A morphology read with MorphIO.",
    "BrianMorphology": "A morphology given as a Brian 2 morphology.",
    "MorphologyFilter": "Selects parts of a morphology.",
    "LocationGenerator": "Generates locations on a morphology.",
    "LabelledLocations": "Named locations on a morphology.",
    "NeuriteDistribution": "A distribution of a quantity over neurites.",
    "IonChannelDistribution": "A distribution of ion channel density.",
    "SynapseDistribution": "A distribution of synapse density.",
    "any": "Selects any of several filters.", "apical_dendrites": "Apical dendrites.",
    "basal_dendrites": "Basal dendrites.", "axon": "The axon.", "dendrites": "Dendrites.",
    "with_label": "Sections with a label.", "by_diameter": "Density by diameter.",
    "by_distance": "Density by distance from the soma.", "uniform": "Uniform density.",
    "at_distances": "Locations at given distances.", "centre": "Section centres.",
    "random_placement": "Random locations.", "random_section": "A random section.",
    "sample": "A sample of locations.",
}
globals().update({name: _unavailable(name, doc) for name, doc in _MORPHOLOGY.items()})


def load_morphology(url: str, replace_axon: bool = False, use_library: str = "neuroml") -> Any:
    """Refused: lamina has no multi-compartment cells yet (`NoModelAvailableError`)."""
    raise NoModelAvailableError(
        f"load_morphology({url!r}): lamina has no multi-compartment cells yet")


#: multi-compartment cell types and ion channels of ``pyNN.standardmodels``
MultiCompartmentNeuron = _unavailable("MultiCompartmentNeuron",
                                      "A multi-compartment cell type.")
HasSections = _unavailable("HasSections", "Mix-in of cell types with sections.")
Section = _unavailable("Section", "One section of a multi-compartment cell.")
StandardIonChannelModel = _unavailable("StandardIonChannelModel", "An ion channel model.")
NaChannel = _unavailable("NaChannel", "Hodgkin-Huxley sodium channel.")
KdrChannel = _unavailable("KdrChannel", "Hodgkin-Huxley delayed-rectifier potassium channel.")
PassiveLeak = _unavailable("PassiveLeak", "Passive leak conductance.")
PassiveLeakHH = _unavailable("PassiveLeakHH", "Passive leak of the HH model.")

__all__ = ["have_neuroml", "load_morphology", "MultiCompartmentUnavailable", *_MORPHOLOGY]
