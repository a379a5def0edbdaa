COMMENT
lamina: a spike source cell. Every event it receives is emitted as its own spike at once
(spike sources whose trains lamina draws are fed through it).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL LaminaRelay
}

NET_RECEIVE(weight) {
    net_event(t)
}
