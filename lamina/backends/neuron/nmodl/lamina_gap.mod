COMMENT
lamina: one side of a gap junction (ElectricalSynapse): the current into this cell is
g (v_other - v) [uS * mV = nA], v_other read through a POINTER to the other cell's v.
Each connection is a pair of these, one on each cell.
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaGap
    NONSPECIFIC_CURRENT i
    RANGE g
    POINTER v_other
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    g = 0 (uS)
}

ASSIGNED {
    v (mV)
    v_other (mV)
    i (nA)
}

BREAKPOINT {
    i = g * (v - v_other)
}
