COMMENT
lamina: the amplitude (nA) of one current source, changed by events carrying the new value.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL LaminaCurrentDriver
    RANGE amp
}

UNITS {
    (nA) = (nanoamp)
}

ASSIGNED {
    amp (nA)
}

INITIAL {
    amp = 0
}

NET_RECEIVE(value (nA)) {
    amp = value
}
