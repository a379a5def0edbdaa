COMMENT
lamina: integrate-and-fire membrane of one compartment, as a point process.

Outward current (nA)
    i = g_leak (v - e_leak) - g_leak delta_T exp((v - v_t)/delta_T) + w - i_offset
with the adaptation current w (nA):  tau_w dw/dt = a (v - e_leak) - w,  w += b at a spike.
delta_T = 0 drops the exponential term, a = b = 0 the adaptation (plain leaky IF).
Spike-frequency adaptation and relative refractoriness (IF_cond_exp_gsfa_grr): outward
g_s (v - e_sfa) + g_r (v - e_rr), g_s and g_r decaying with tau_sfa and tau_rr and growing
by q_sfa and q_rr [uS] at each spike (0: absent).
v crossing v_spike upwards (a WATCH) emits a spike, sets v = v_reset and holds it there
for t_refrac ms with a large clamp conductance. As in NEST's aeif models, the currents see
v capped at v_spike. Events of flag 0 (weight in mV) make v
jump by their weight unless refractory, up to and including the refractory period's
last instant (delta synapses); a jump across v_spike is a
spike at once.
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaIF
    NONSPECIFIC_CURRENT i
    RANGE g_leak, e_leak, v_spike, v_reset, t_refrac, i_offset
    RANGE delta_T, v_t, a, b, tau_w, g_clamp, refractory, w
    RANGE tau_sfa, e_sfa, q_sfa, tau_rr, e_rr, q_rr, g_s, g_r
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
    delta_T = 0 (mV)
    v_t = -50 (mV)
    a = 0 (uS)
    b = 0 (nA)
    tau_w = 100 (ms)
    g_clamp = 1e6 (uS)
    tau_sfa = 100 (ms)
    e_sfa = -75 (mV)
    q_sfa = 0 (uS)
    tau_rr = 2 (ms)
    e_rr = -75 (mV)
    q_rr = 0 (uS)
    grid_dt = 0 (ms)
}

ASSIGNED {
    v (mV)
    i (nA)
    refractory
    t_last (ms)
    v_start (mV)
}

STATE {
    w (nA)
    g_s (uS)
    g_r (uS)
}

INITIAL {
    refractory = 0
    t_last = -1e9
    v_start = v
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE adaptation METHOD cnexp
    v_start = v
    if (refractory > 0) {
        i = g_clamp * (v - v_reset)
    } else {
        i = g_leak * (capped(v) - e_leak) - i_offset + w - exp_current(capped(v))
            + g_s * (v - e_sfa) + g_r * (v - e_rr)
    }
}

FUNCTION capped(vm (mV)) (mV) {
    : as NEST's aeif models: above v_spike (until the spike is emitted) the currents see
    : v_spike
    if (vm > v_spike) {
        capped = v_spike
    } else {
        capped = vm
    }
}

DERIVATIVE adaptation {
    : v_start is v at the step's start (saved where the current is computed), v its end:
    : w is driven by their mean, which keeps the adaptation second order in dt
    w' = (a * (0.5 * (capped(v) + capped(v_start)) - e_leak) - w) / tau_w
    g_s' = -g_s / tau_sfa
    g_r' = -g_r / tau_rr
}

FUNCTION refractory_time(tt (ms)) (ms) {
    : as NEST: t_refrac from the end of the time step of the spike (grid_dt > 0), when the
    : spike lies inside a step (CVODE); none at all for t_refrac = 0
    if (t_refrac > 0) {
        refractory_time = t_refrac + to_grid(tt)
    } else {
        refractory_time = 0
    }
}

FUNCTION to_grid(tt (ms)) (ms) {
    : time from tt to the end of the lamina time step it lies in
    if (grid_dt > 0) {
        to_grid = ceil(tt / grid_dt - 1e-6) * grid_dt - tt
        if (to_grid < 0) {
            to_grid = 0
        }
    } else {
        to_grid = 0
    }
}

FUNCTION exp_current(vm (mV)) (nA) {
    LOCAL arg
    if (delta_T > 0) {
        arg = (vm - v_t) / delta_T
        if (arg > 50) {
            arg = 50
        }
        exp_current = g_leak * delta_T * exp(arg)
    } else {
        exp_current = 0
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
            w = w + b
            g_s = g_s + q_sfa
            g_r = g_r + q_rr
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
                w = w + b
                refractory = 1
                net_send(refractory_time(t), 3)
            }
        }
    }
}
