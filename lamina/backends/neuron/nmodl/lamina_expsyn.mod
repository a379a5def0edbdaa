COMMENT
lamina: exponentially decaying synapse, solved in closed form between events.

g(t) = A exp(-(t - t0)/tau); each event adds its weight to g (uS or nA).
conductance = 1: outward current i = g (v - e); conductance = 0: g is an inward current.
g is evaluated where NEURON evaluates currents (mid-step with Crank-Nicolson) and, after
each fixed step, at the step's end (the value recorded).
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaExpSyn
    NONSPECIFIC_CURRENT i
    RANGE tau, e, conductance, g
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 5 (ms)
    e = 0 (mV)
    conductance = 1
}

ASSIGNED {
    v (mV)
    i (nA)
    g
    amp
    t0 (ms)
}

INITIAL {
    amp = 0
    t0 = t
    g = 0
}

BREAKPOINT {
    g = amp * exp(-(t - t0) / tau)
    if (conductance > 0) {
        i = g * (v - e)
    } else {
        i = -g
    }
}

AFTER SOLVE {
    g = amp * exp(-(t - t0) / tau)
}

NET_RECEIVE(weight) {
    amp = amp * exp(-(t - t0) / tau) + weight
    t0 = t
}
