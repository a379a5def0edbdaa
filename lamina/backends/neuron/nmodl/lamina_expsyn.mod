COMMENT
lamina: exponentially decaying synapse, solved in closed form between events.

g(t) = A exp(-(t - t0)/tau); each event adds its weight to g (uS or nA).
conductance = 1: outward current i = g (v - e); conductance = 0: g is an inward current.
With the fixed step (step_average = 1) the current uses the mean of g over the step, in
closed form, so that the charge each step delivers is exact; with CVODE (step_average = 0)
g at the time NEURON evaluates. After each fixed step g holds its value at the step's end
(the value recorded).
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaExpSyn
    NONSPECIFIC_CURRENT i
    RANGE tau, e, conductance, g
    GLOBAL step_average
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
    step_average = 1
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
    if (step_average > 0) {
        g = amp * tau * (exp(-(t - 0.5 * dt - t0) / tau) - exp(-(t + 0.5 * dt - t0) / tau)) / dt
    } else {
        g = amp * exp(-(t - t0) / tau)
    }
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
