COMMENT
lamina: alpha-function synapse, solved in closed form between events.

g(t) = (A + B (t - t0)) exp(-(t - t0)/tau); an event of weight w adds w e/tau to B, so that
a single event gives w (t/tau) exp(1 - t/tau), peaking at w after tau.
conductance = 1: outward current i = g (v - e); conductance = 0: g is an inward current.
With the fixed step (step_average = 1) the current uses the mean of g over the step, in
closed form (exact charge per step); with CVODE (step_average = 0) g at NEURON's time.
Short-term plasticity per connection (NetCon weight vector: weight, kind, U, tau_rec,
tau_facil, then the state u, x, y, t_last): kind 0 static; kind 1 NEST's tsodyks_synapse
(lamina's TsodyksMarkramSynapse, tau_psc = this synapse's tau; u = 0, x = 1, y = 0 at the
start); kind 2 NEST's tsodyks2_synapse (Tsodyks2Synapse; u = U, x = 1).
Kind 5: SimpleStochasticSynapse, each event transmitted with probability p (slot 3),
drawn from this synapse's Random123 stream ``rng`` (ids set by the backend). Kind 6:
MultiQuantalSynapse and StochasticTsodyksMarkramSynapse (n = 1), NEST's
quantal_stp_synapse: slots U, tau_rec, tau_facil, u, a (x), n (y), t_last. The amplitude an
event adds is weight * (released fraction).
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaAlphaSyn
    NONSPECIFIC_CURRENT i
    RANGE tau, e, conductance, g
    GLOBAL step_average
    RANDOM rng
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

NET_RECEIVE(weight, kind, U, tau_rec (ms), tau_facil (ms), u, x, y, t_last (ms)) {
    LOCAL decay, w_eff, hh, puu, pzz, pyy, pxy, z, released, j, n_free, n_rel
    INITIAL {
        if (kind == 6) {
            : quantal: x the available sites a (all n = y of them), u = U
            x = y
            u = U
            t_last = -1
        } else {
            x = 1
            y = 0
            if (kind == 2) {
                u = U
                t_last = -1
            } else {
                u = 0
                t_last = 0
            }
        }
    }
    w_eff = weight
    if (kind == 1) {
        hh = t - t_last
        puu = 0
        if (tau_facil > 0) {
            puu = exp(-hh / tau_facil)
        }
        pzz = exp(-hh / tau_rec) - 1
        pyy = exp(-hh / tau)
        if (fabs(tau - tau_rec) < 1e-12) {
            pxy = 1 - pyy * (1 + hh / tau)
        } else {
            pxy = (pzz * tau_rec - (pyy - 1) * tau) / (tau - tau_rec)
        }
        z = 1 - x - y
        u = u * puu
        x = x + pxy * y - pzz * z
        y = y * pyy
        u = u + U * (1 - u)
        released = u * x
        x = x - released
        y = y + released
        w_eff = released * weight
        t_last = t
    } else if (kind == 6) {
        : quantal release (NEST quantal_stp_synapse): n = y sites, x of them available;
        : empty sites refill with probability 1 - exp(-h/tau_rec), each available site
        : releases with probability u; the amplitude is weight per released site
        if (t_last >= 0) {
            hh = t - t_last
            puu = 0
            if (tau_facil > 1e-10) {
                puu = exp(-hh / tau_facil)
            }
            u = U + u * (1 - U) * puu
            n_free = y - x
            j = 0
            while (j < n_free) {
                if (random_uniform(rng) < 1 - exp(-hh / tau_rec)) {
                    x = x + 1
                }
                j = j + 1
            }
        }
        n_rel = 0
        j = 0
        while (j < x) {
            if (random_uniform(rng) < u) {
                n_rel = n_rel + 1
            }
            j = j + 1
        }
        x = x - n_rel
        w_eff = n_rel * weight
        t_last = t
    } else if (kind == 5) {
        : SimpleStochasticSynapse: transmitted with probability p (slot U)
        if (random_uniform(rng) >= U) {
            w_eff = 0
        }
    } else if (kind == 2) {
        if (t_last >= 0) {
            hh = t - t_last
            puu = 0
            if (tau_facil > 0) {
                puu = exp(-hh / tau_facil)
            }
            x = 1 + (x - x * u - 1) * exp(-hh / tau_rec)
            u = U + u * (1 - U) * puu
        }
        w_eff = x * u * weight
        t_last = t
    }
    decay = exp(-(t - t0) / tau)
    ca = (ca + cb * (t - t0)) * decay
    cb = cb * decay + w_eff * exp(1) / tau
    t0 = t
}
