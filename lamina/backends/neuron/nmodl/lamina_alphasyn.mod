COMMENT
lamina: alpha-function synapse, solved in closed form between events.

g(t) = (A + B (t - t0)) exp(-(t - t0)/tau); an event of weight w adds w e/tau to B, so that
a single event gives w (t/tau) exp(1 - t/tau), peaking at w after tau.
conductance = 1: outward current i = g (v - e); conductance = 0: g is an inward current.
With the fixed step (step_average = 1) the current uses the mean of g over the step, in
closed form (exact charge per step); with CVODE (step_average = 0) g at NEURON's time.
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaAlphaSyn
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
    tau = 0.5 (ms)
    e = 0 (mV)
    conductance = 1
    step_average = 1
}

ASSIGNED {
    v (mV)
    i (nA)
    g
    ca
    cb
    t0 (ms)
}

INITIAL {
    ca = 0
    cb = 0
    t0 = t
    g = 0
}

BREAKPOINT {
    if (step_average > 0) {
        g = (primitive(t - 0.5 * dt) - primitive(t + 0.5 * dt)) / dt
    } else {
        g = value(t)
    }
    if (conductance > 0) {
        i = g * (v - e)
    } else {
        i = -g
    }
}

AFTER SOLVE {
    g = value(t)
}

FUNCTION value(tt (ms)) {
    value = (ca + cb * (tt - t0)) * exp(-(tt - t0) / tau)
}

FUNCTION primitive(tt (ms)) {
    : minus the integral of value() from t0 to tt, up to a constant
    LOCAL u
    u = tt - t0
    primitive = tau * (ca + cb * u + cb * tau) * exp(-u / tau)
}

NET_RECEIVE(weight) {
    LOCAL decay
    decay = exp(-(t - t0) / tau)
    ca = (ca + cb * (t - t0)) * decay
    cb = cb * decay + weight * exp(1) / tau
    t0 = t
}
