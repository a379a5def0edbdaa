COMMENT
lamina: Izhikevich (2003) neuron as a point process on a section of capacitance c_m
(lamina uses 1 pF, so that 1 nA gives 1 mV/ms as in NEST's izhikevich with R = 1):
    dv/dt = 0.04 v^2 + 5 v + 140 - u + I,   du/dt = a (b v - u)
as the outward current i = -c_m (0.04 v^2 + 5 v + 140 - u) - i_offset  [nA, c_m in nF].
v >= 30 mV: spike, v = c, u += d. Events of flag 0 make v jump by their weight [mV]; a jump
to 30 mV or above is a spike at once.
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaIzhikevich
    NONSPECIFIC_CURRENT i
    RANGE a, b, c, d, i_offset, c_m, u
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (nF) = (nanofarad)
}

PARAMETER {
    a = 0.02 (/ms)
    b = 0.2 (/ms)
    c = -65 (mV)
    d = 2 (mV/ms)
    i_offset = 0 (nA)
    c_m = 0.001 (nF)
}

ASSIGNED {
    v (mV)
    i (nA)
}

STATE {
    u (mV/ms)
}

INITIAL {
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE recovery METHOD cnexp
    i = -c_m * (0.04 * v * v + 5 * v + 140 - u) - i_offset
}

DERIVATIVE recovery {
    u' = a * (b * v - u)
}

NET_RECEIVE(weight) {
    INITIAL { }
    if (flag == 1) {
        WATCH (v > 30) 2
    } else if (flag == 2) {
        net_event(t)
        v = c
        u = u + d
    } else if (flag == 0) {
        v = v + weight
        if (v >= 30) {
            net_event(t)
            v = c
            u = u + d
        }
    }
}
