COMMENT
lamina: generalised integrate-and-fire membrane (GIF_cond_exp; NEST gif_cond_exp) of one
compartment, as a point process, for the fixed step only.

Outward current (nA)  i = g_leak (v - e_leak) + i_eta - i_offset,
i_eta = eta1 + ... + eta4 (spike-triggered current; each element decays with its tau_eta
and grows by its a_eta at a spike), v_t = v_t_star + gamma1 + ... + gamma4 (moving
threshold, likewise). As NEST: a step uses the sums of the elements at its start, then the
elements decay; at the step's end a spike is drawn with probability 1 - exp(-lambda dt),
lambda = lambda0 exp((v - v_t)/delta_v) (lambda0 in 1/s), from this cell's Random123 stream
``rng``; a spike (through the WATCH on fire) sets v = v_reset, held for t_refrac with a
clamp conductance, and adds a_eta and a_gamma to the elements. Cells use up to 4 elements
of each (unused ones have a = 0).
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaGIF
    NONSPECIFIC_CURRENT i
    RANGE g_leak, e_leak, v_reset, t_refrac, i_offset, g_clamp, delta_v, v_t_star, lambda0
    RANGE tau_eta1, a_eta1, tau_eta2, a_eta2, tau_eta3, a_eta3, tau_eta4, a_eta4
    RANGE tau_gamma1, a_gamma1, tau_gamma2, a_gamma2, tau_gamma3, a_gamma3, tau_gamma4, a_gamma4
    RANGE i_eta, v_t, refractory, fire, eta1, gamma1, eta2, gamma2, eta3, gamma3, eta4, gamma4
    RANDOM rng
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    g_leak = 0.05 (uS)
    e_leak = -65 (mV)
    v_reset = -55 (mV)
    t_refrac = 4 (ms)
    i_offset = 0 (nA)
    g_clamp = 1e6 (uS)
    delta_v = 0.5 (mV)
    v_t_star = -48 (mV)
    lambda0 = 1 (1/s)
    tau_eta1 = 1 (ms)
    a_eta1 = 0 (nA)
    tau_gamma1 = 1 (ms)
    a_gamma1 = 0 (mV)
    tau_eta2 = 1 (ms)
    a_eta2 = 0 (nA)
    tau_gamma2 = 1 (ms)
    a_gamma2 = 0 (mV)
    tau_eta3 = 1 (ms)
    a_eta3 = 0 (nA)
    tau_gamma3 = 1 (ms)
    a_gamma3 = 0 (mV)
    tau_eta4 = 1 (ms)
    a_eta4 = 0 (nA)
    tau_gamma4 = 1 (ms)
    a_gamma4 = 0 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    i_eta (nA)
    v_t (mV)
    refractory
    fire
    eta1 (nA)
    gamma1 (mV)
    eta2 (nA)
    gamma2 (mV)
    eta3 (nA)
    gamma3 (mV)
    eta4 (nA)
    gamma4 (mV)
}

INITIAL {
    refractory = 0
    fire = 0
    eta1 = 0
    gamma1 = 0
    eta2 = 0
    gamma2 = 0
    eta3 = 0
    gamma3 = 0
    eta4 = 0
    gamma4 = 0
    sums()
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE advance
    if (refractory > 0) {
        i = g_clamp * (v - v_reset)
    } else {
        i = g_leak * (v - e_leak) + i_eta - i_offset
    }
}

PROCEDURE sums() {
    i_eta = eta1 + eta2 + eta3 + eta4
    v_t = v_t_star + gamma1 + gamma2 + gamma3 + gamma4
}

PROCEDURE advance() {
    : at the step's end (v new): draw the spike with the step's v_t, then the elements
    : decay and the sums for the next step are taken
    LOCAL lam
    if (refractory == 0 && fire == 0 && lambda0 > 0) {
        lam = lambda0 * 1e-3 * exp((v - v_t) / delta_v)
        if (random_uniform(rng) < 1 - exp(-lam * dt)) {
            fire = 1
        }
    }
    eta1 = eta1 * exp(-dt / tau_eta1)
    gamma1 = gamma1 * exp(-dt / tau_gamma1)
    eta2 = eta2 * exp(-dt / tau_eta2)
    gamma2 = gamma2 * exp(-dt / tau_gamma2)
    eta3 = eta3 * exp(-dt / tau_eta3)
    gamma3 = gamma3 * exp(-dt / tau_gamma3)
    eta4 = eta4 * exp(-dt / tau_eta4)
    gamma4 = gamma4 * exp(-dt / tau_gamma4)
    sums()
}

NET_RECEIVE(weight) {
    INITIAL { }
    if (flag == 1) {
        WATCH (fire > 0.5) 2
    } else if (flag == 2) {
        fire = 0
        net_event(t)
        v = v_reset
        refractory = 1
        eta1 = eta1 + a_eta1
        gamma1 = gamma1 + a_gamma1
        eta2 = eta2 + a_eta2
        gamma2 = gamma2 + a_gamma2
        eta3 = eta3 + a_eta3
        gamma3 = gamma3 + a_gamma3
        eta4 = eta4 + a_eta4
        gamma4 = gamma4 + a_gamma4
        sums()
        net_send(t_refrac, 3)
    } else if (flag == 3) {
        refractory = 0
    }
}
