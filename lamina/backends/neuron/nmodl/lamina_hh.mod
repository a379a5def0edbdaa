COMMENT
lamina: Hodgkin-Huxley membrane of Traub & Miles (1991) as a point process (lamina's
HH_cond_exp; NEURON's own `hh` is the squid axon at 6.3 degC, a different model).

With V' = v - v_offset (mV) and rates in 1/ms:
    alpha_n = 0.032 (15 - V')/(exp((15 - V')/5) - 1),  beta_n = 0.5 exp((10 - V')/40)
    alpha_m = 0.32 (13 - V')/(exp((13 - V')/4) - 1),   beta_m = 0.28 (V' - 40)/(exp((V' - 40)/5) - 1)
    alpha_h = 0.128 exp((17 - V')/18),                 beta_h = 4/(1 + exp((40 - V')/5))
Outward current (nA, conductances in uS):
    i = gbar_Na m^3 h (v - e_Na) + gbar_K n^4 (v - e_K) + g_leak (v - e_leak) - i_offset
A spike is the first step at which v falls while above v_offset + 30 mV; none for t_refrac
after it (polled once per step, flag 4).
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaHH
    NONSPECIFIC_CURRENT i
    RANGE gbar_Na, gbar_K, g_leak, e_Na, e_K, e_leak, v_offset, i_offset, t_refrac
    RANGE m, h, n
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    gbar_Na = 20 (uS)
    gbar_K = 6 (uS)
    g_leak = 0.01 (uS)
    e_Na = 50 (mV)
    e_K = -90 (mV)
    e_leak = -65 (mV)
    v_offset = -63 (mV)
    i_offset = 0 (nA)
    t_refrac = 2 (ms)
}

ASSIGNED {
    v (mV)
    i (nA)
    v_prev (mV)
    t_last (ms)
    armed
}

STATE {
    m
    h
    n
}

INITIAL {
    v_prev = v
    t_last = -1e9
    armed = 0
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE gates METHOD cnexp
    i = gbar_Na * m * m * m * h * (v - e_Na) + gbar_K * n * n * n * n * (v - e_K)
        + g_leak * (v - e_leak) - i_offset
}

DERIVATIVE gates {
    LOCAL vs, am, bm, ah, bh, an, bn
    vs = v - v_offset
    am = 0.32 * efun((13 - vs) / 4) * 4
    bm = 0.28 * efun((vs - 40) / 5) * 5
    ah = 0.128 * exp((17 - vs) / 18)
    bh = 4 / (1 + exp((40 - vs) / 5))
    an = 0.032 * efun((15 - vs) / 5) * 5
    bn = 0.5 * exp((10 - vs) / 40)
    m' = am * (1 - m) - bm * m
    h' = ah * (1 - h) - bh * h
    n' = an * (1 - n) - bn * n
}

FUNCTION efun(z) {
    : z/(exp(z) - 1), continuous at z = 0
    if (fabs(z) < 1e-6) {
        efun = 1 - z / 2
    } else {
        efun = z / (exp(z) - 1)
    }
}

NET_RECEIVE(weight) {
    INITIAL { }
    if (flag == 1) {
        WATCH (v > v_offset + 30) 2
    } else if (flag == 2) {
        if (armed == 0) {
            armed = 1
            v_prev = v
            net_send(dt, 4)
        }
    } else if (flag == 4) {
        if (v < v_prev) {
            armed = 0
            if (t > t_last + t_refrac) {
                t_last = t
                net_event(t)
            }
        } else {
            v_prev = v
            net_send(dt, 4)
        }
    }
}
