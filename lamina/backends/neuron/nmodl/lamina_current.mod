COMMENT
lamina: an injected current source. LaminaCurrentDriver holds the source's amplitude (nA),
set by events whose weight is the new value (one per change, at the start of the time step
it applies to); each target cell's LaminaCurrent injects the amplitude its POINTER reads.
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaCurrent
    ELECTRODE_CURRENT i
    POINTER amp_source
}

UNITS {
    (nA) = (nanoamp)
}

ASSIGNED {
    i (nA)
    amp_source (nA)
}

BREAKPOINT {
    i = amp_source
}
