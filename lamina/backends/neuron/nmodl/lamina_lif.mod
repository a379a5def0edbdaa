COMMENT
lamina: leaky integrate-and-fire membrane of one compartment, as a point process: the
IF_curr_*/IF_cond_* models (LaminaIF without adaptation or exponential term, and with no
state of its own, so that a step costs only its current).

Outward current (nA)  i = g_leak (v - e_leak) - i_offset.
v crossing v_spike upwards (a WATCH) emits a spike, sets v = v_reset and holds it there
for t_refrac ms with a large clamp conductance (under CVODE counted, as in NEST, from the
end of the lamina time step grid_dt holding the spike; none for t_refrac = 0). Events of
flag 0 (weight in mV) make v jump by their weight unless refractory (delta synapses); a
jump across v_spike is a spike at once.
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaLIF
    NONSPECIFIC_CURRENT i
    RANGE g_leak, e_leak, v_spike, v_reset, t_refrac, i_offset, g_clamp, refractory
    GLOBAL grid_dt
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    g_leak = 0.05 (uS)
    e_leak = -65 (mV)
    v_spike = -50 (mV)
    v_reset = -65 (mV)
    t_refrac = 0.1 (ms)
    i_offset = 0 (nA)
    g_clamp = 1e6 (uS)
    grid_dt = 0 (ms)
}

ASSIGNED {
    v (mV)
    i (nA)
    refractory
    t_last (ms)
}

INITIAL {
    refractory = 0
    t_last = -1e9
    net_send(0, 1)
}

BREAKPOINT {
    if (refractory > 0) {
        i = g_clamp * (v - v_reset)
    } else {
        i = g_leak * (v - e_leak) - i_offset
    }
}

FUNCTION refractory_time(tt (ms)) (ms) {
    LOCAL to_grid
    if (t_refrac > 0) {
        to_grid = 0
        if (grid_dt > 0) {
            to_grid = ceil(tt / grid_dt - 1e-6) * grid_dt - tt
            if (to_grid < 0) {
                to_grid = 0
            }
        }
        refractory_time = t_refrac + to_grid
    } else {
        refractory_time = 0
    }
}

NET_RECEIVE(weight) {
    INITIAL { }
    if (flag == 1) {
        WATCH (v > v_spike) 2
    } else if (flag == 2) {
        if (refractory == 0) {
            t_last = t
            net_event(t)
            v = v_reset
            refractory = 1
            net_send(refractory_time(t), 3)
        }
    } else if (flag == 3) {
        refractory = 0
    } else if (flag == 0) {
        if (refractory == 0 && t > t_last + t_refrac + 1e-6) {
            v = v + weight
            if (v > v_spike) {
                t_last = t
                net_event(t)
                v = v_reset
                refractory = 1
                net_send(refractory_time(t), 3)
            }
        }
    }
}
