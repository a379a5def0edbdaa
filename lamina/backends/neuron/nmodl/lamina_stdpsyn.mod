COMMENT
lamina: exponentially decaying synapse whose connections learn by spike-timing-dependent
plasticity, NEST's stdp_synapse algorithm (lamina's STDPMechanism with SpikePairRule and a
power-law weight dependence: additive mu = 0, multiplicative mu = 1, Gutig mu given).

The synaptic response is LaminaExpSyn's (closed form, mean over each fixed step). Each
connection keeps in its NetCon weight vector: weight (signed; |weight| in [w_min, w_max]),
kind (3), the rule's parameters, and its traces K+ (presynaptic, tau_plus) and K-
(postsynaptic, tau_minus). The postsynaptic cell's spikes arrive as events of kind -1
through a NetCon whose delay is twice the connections' delay less 1e-6 ms: presynaptic
events arrive one delay after emission, and NEST lets a postsynaptic spike reach the synapse
one delay after it happened, so this keeps NEST's order of pre- and postsynaptic spikes
(a postsynaptic spike of the same instant as a presynaptic one comes first).
At a postsynaptic event every connection is facilitated,
    x <- min(1, x + A_plus (1 - x)^mu_plus K+),   x = |w| / w_max,
and its K- grows by 1; as in NEST, the weight itself changes only at the next presynaptic
event (x_next carries the facilitated value until then), where it is depressed,
    x <- max(x_min, x - A_minus (x - x_min)^mu_minus K-),   x_min = w_min / w_max,
the event delivers the new weight, and K+ grows by 1.

Connections with slot `vogels` = 1 follow lamina's Vogels2011Rule instead (NEST's
vogels_sprekeler_synapse): tau_plus = tau_minus = tau, A_plus holds eta (weight units),
A_minus holds rho (Hz), x_next the magnitude m = |w| itself. A postsynaptic event
facilitates m <- min(w_max, m + eta K+); at the next presynaptic event
m <- min(w_max, m + eta K-), then m <- max(w_min, m - eta alpha) with
alpha = 2 rho tau / 1000, and the event delivers w_sign m.
ENDCOMMENT

NEURON {
    POINT_PROCESS LaminaSTDPSyn
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

FUNCTION power(base, exponent) {
    if (exponent == 0) {
        power = 1
    } else if (base <= 0) {
        power = 0
    } else {
        power = pow(base, exponent)
    }
}

NET_RECEIVE(weight, kind, tau_plus (ms), tau_minus (ms), A_plus, A_minus, w_min, w_max,
            mu_plus, mu_minus, w_sign, k_plus, k_minus, t_minus (ms), t_pre (ms), x_next,
            vogels) {
    LOCAL xn, x_min, km
    INITIAL {
        k_plus = 0
        k_minus = 0
        t_minus = 0
        t_pre = 0
        if (vogels > 0) {
            x_next = fabs(weight)
        } else {
            x_next = fabs(weight) / w_max
        }
    }
    if (kind < 0) {
        FOR_NETCONS(w1, kind1, tp1, tm1, ap1, am1, wmin1, wmax1, mup1, mum1, sg1,
                    kp1, km1, tmn1, tpr1, xn1, vg1) {
            if (kind1 == 3) {
                if (vg1 > 0) {
                    xn = xn1 + ap1 * kp1 * exp((tpr1 - t) / tp1)
                    if (xn > wmax1) {
                        xn = wmax1
                    }
                } else {
                    xn = xn1 + ap1 * power(1 - xn1, mup1) * kp1 * exp((tpr1 - t) / tp1)
                    if (xn > 1) {
                        xn = 1
                    }
                }
                xn1 = xn
                km1 = km1 * exp((tmn1 - t) / tm1) + 1
                tmn1 = t
            }
        }
    } else {
        if (kind == 3) {
            xn = x_next
            km = k_minus * exp((t_minus - t) / tau_minus)
            if (t - t_minus < 1e-4) {
                : a postsynaptic spike of the same instant (delivered just before this
                : event): NEST counts it for facilitation, not in K-
                km = km - exp((t_minus - t) / tau_minus)
            }
            if (vogels > 0) {
                xn = xn + A_plus * km
                if (xn > w_max) {
                    xn = w_max
                }
                xn = xn - A_plus * 2 * A_minus * tau_plus / 1000
                if (xn < w_min) {
                    xn = w_min
                }
                weight = w_sign * xn
            } else {
                x_min = w_min / w_max
                xn = xn - A_minus * power(xn - x_min, mu_minus) * km
                if (xn < x_min) {
                    xn = x_min
                }
                weight = w_sign * xn * w_max
            }
            x_next = xn
            k_plus = k_plus * exp((t_pre - t) / tau_plus) + 1
            t_pre = t
        }
        amp = amp * exp(-(t - t0) / tau) + weight
        t0 = t
    }
}
