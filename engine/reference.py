"""The reference backend: scalar autograd on a graph of Value nodes, like the seed script.

Every number is a Value; every operation makes a new Value that remembers its inputs
(children) and the local derivative with respect to each. backward() walks the graph in
reverse topological order and applies the chain rule. This is slow (tens of thousands of
nodes per step) but it is the textbook, and the oracle the numpy backend is checked
against.

Speed without changing the graph: __slots__ (no per-node dict), local gradients stored as
plain floats at construction (no closures, so no reference cycles and no per-node
function objects), and an iterative topological sort.

The seed's four graph-level changes are switches here (TrainConfig): division as its own
op, fused cross-entropy, iterative topological sort, summing losses from the first loss.
They change how many nodes a step builds (reported as `nodes`), not the numbers.
"""

from __future__ import annotations

import gc
import math

import numpy as np

from .backends import stop_if_asked
from .config import GPTConfig, TrainConfig

# Nodes between two checks of a backend's should_stop, ~3-6 ms of sorting or backward:
# a long step can be abandoned (Pause must not wait a whole step of a big model), and the
# app's training thread steps aside there while its GUI thread is busy (the GIL).
CHECK_EVERY = 1 << 12


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")
    created = 0  # Values ever built: the step's node count is the difference

    def __init__(self, data, children=(), local_grads=()):
        Value.created += 1  # (results are built as type(self): see UncountedValue)
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else type(self)(other)
        return type(self)(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else type(self)(other)
        return type(self)(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k):  # k is a plain number
        return type(self)(self.data**k, (self,), (k * self.data ** (k - 1),))

    def __truediv__(self, other):  # one node: the seed's "direct __truediv__"
        other = other if isinstance(other, Value) else type(self)(other)
        b = other.data
        return type(self)(self.data / b, (self, other), (1.0 / b, -self.data / (b * b)))

    def log(self):
        return type(self)(math.log(self.data), (self,), (1.0 / self.data,))

    def exp(self):
        e = math.exp(self.data)
        return type(self)(e, (self,), (e,))

    def relu(self):
        return type(self)(self.data if self.data > 0 else 0.0, (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


class UncountedValue(Value):
    """A Value that is not counted in Value.created, nor is anything computed from it
    (operations build results of their operand's class). Inference (logits, attention,
    sampling) builds its graphs from these, so a sampling job on another thread never
    adds to a training step's node count."""

    __slots__ = ()

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads


def div_mul_inverse(a, b):
    """Karpathy's original division: a * b**-1. A Value divisor costs a power node and a
    product node; a plain-number divisor is inverted as a float (as in the original,
    where `other**-1` on a number never makes a node)."""
    return a * b**-1


def div_direct(a, b):
    return a / b


def topo_iterative(root: Value, check=None) -> list[Value]:
    """Children before parents, with an explicit stack: no recursion limit. check():
    called every CHECK_EVERY nodes (it may raise to abandon the step)."""
    topo: list[Value] = []
    visited: set[int] = set()
    stack = [(root, False)]
    countdown = CHECK_EVERY
    while stack:
        node, expanded = stack.pop()
        if expanded:
            topo.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        countdown -= 1
        if not countdown and check is not None:
            check()
            countdown = CHECK_EVERY
        stack.append((node, True))
        for child in node._children:
            if id(child) not in visited:
                stack.append((child, False))
    return topo


def topo_recursive(root: Value) -> list[Value]:
    """The original recursive sort; deep graphs hit Python's recursion limit."""
    topo: list[Value] = []
    visited: set[int] = set()

    def build(v):
        if id(v) not in visited:
            visited.add(id(v))
            for child in v._children:
                build(child)
            topo.append(v)

    try:
        build(root)
    except RecursionError:
        raise RuntimeError(
            "the recursive topological sort hit Python's recursion limit on this graph; "
            "turn on the iterative topological sort (iterative_topo)"
        ) from None
    return topo


def backward(root: Value, iterative: bool = True, check=None) -> int:
    """Fill .grad of every node reachable from root; returns the number of graph nodes.
    check(): called every CHECK_EVERY nodes (it may raise to abandon the step)."""
    topo = topo_iterative(root, check) if iterative else topo_recursive(root)
    root.grad = 1.0
    # Parents before children, in slices of CHECK_EVERY nodes (only to call check()).
    for end in range(len(topo), 0, -CHECK_EVERY):
        if check is not None:
            check()
        for v in reversed(topo[max(0, end - CHECK_EVERY) : end]):
            g = v.grad
            for child, local in zip(v._children, v._local_grads):
                child.grad += local * g
    return len(topo)


# --- the model, written on Values exactly as the seed writes it ------------------------


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits, div):
    max_val = max(v.data for v in logits)
    exps = [(v - max_val).exp() for v in logits]
    total = sum(exps)
    return [div(e, total) for e in exps]


def rmsnorm(x, div):
    ms = div(sum(xi * xi for xi in x), len(x))
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def cross_entropy(logits, target):
    """Fused: log-sum-exp of the shifted logits minus the target's shifted logit."""
    max_val = max(v.data for v in logits)
    shifted = [v - max_val for v in logits]
    return sum(s.exp() for s in shifted).log() - shifted[target]


class ReferenceModel:
    """The GPT as Value graphs; built fresh from numpy weights for each call."""

    def __init__(self, model: GPTConfig, train: TrainConfig, params: dict[str, np.ndarray],
                 value=Value, check=None):
        self.cfg = model
        self.check = check  # called before every position (may raise to abandon a step)
        self.div = div_direct if train.div_op else div_mul_inverse
        # Values for every weight, keyed like the state dict (lists of rows of Values).
        # value=UncountedValue for inference: nothing it builds is counted as nodes.
        self.sd = {k: [[value(float(x)) for x in row] for row in w.tolist()] for k, w in
                   params.items()}
        self.head = self.sd["wte"] if model.weight_tying else self.sd["lm_head"]

    def gpt(self, token_id, pos_id, keys, values, attn_out=None):
        """Logits for one position; keys/values are the per-layer caches (KV cache)."""
        cfg, sd, div = self.cfg, self.sd, self.div
        hd = cfg.head_dim
        x = [t + p for t, p in zip(sd["wte"][token_id], sd["wpe"][pos_id])]
        x = rmsnorm(x, div)
        for li in range(cfg.n_layer):
            x_residual = x
            x = rmsnorm(x, div)
            q = linear(x, sd[f"layer{li}.attn_wq"])
            k = linear(x, sd[f"layer{li}.attn_wk"])
            v = linear(x, sd[f"layer{li}.attn_wv"])
            keys[li].append(k)
            values[li].append(v)
            x_attn = []
            for h in range(cfg.n_head):
                hs = h * hd
                q_h = q[hs : hs + hd]
                k_h = [ki[hs : hs + hd] for ki in keys[li]]
                v_h = [vi[hs : hs + hd] for vi in values[li]]
                attn_logits = [
                    div(sum(q_h[j] * k_h[t][j] for j in range(hd)), hd**0.5)
                    for t in range(len(k_h))
                ]
                attn_weights = softmax(attn_logits, div)
                if attn_out is not None:
                    attn_out[li][h].append([w.data for w in attn_weights])
                head_out = [
                    sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(hd)
                ]
                x_attn.extend(head_out)
            x = linear(x_attn, sd[f"layer{li}.attn_wo"])
            x = [a + b for a, b in zip(x, x_residual)]
            x_residual = x
            x = rmsnorm(x, div)
            x = linear(x, sd[f"layer{li}.mlp_fc1"])
            if cfg.activation == "relu2":
                x = [xi.relu() ** 2 for xi in x]
            else:
                x = [xi.relu() for xi in x]
            x = linear(x, sd[f"layer{li}.mlp_fc2"])
            x = [a + b for a, b in zip(x, x_residual)]
        return linear(x, self.head)

    def run(self, tokens, attn_out=None):
        """Logits (Values) at every position of tokens[:block_size]."""
        n_layer = self.cfg.n_layer
        keys, values = [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
        out = []
        for pos, tok in enumerate(tokens[: self.cfg.block_size]):
            if self.check is not None:
                self.check()
            out.append(self.gpt(tok, pos, keys, values, attn_out))
        return out


def doc_loss(model: ReferenceModel, train: TrainConfig, tokens: list[int]) -> Value:
    """Mean next-token loss of one document (BOS + chars + BOS), as one graph."""
    n = min(model.cfg.block_size, len(tokens) - 1)
    losses = []
    for logits, target in zip(model.run(tokens[:n]), tokens[1 : n + 1]):
        if train.fused_ce:
            losses.append(cross_entropy(logits, target))
        else:
            losses.append(-softmax(logits, model.div)[target].log())
    total = sum(losses[1:], losses[0]) if train.sum_from_first else sum(losses)
    return (1 / n) * total


class ReferenceBackend:
    """Backend interface (see engine/backends.py) on scalar Value graphs."""

    name = "reference"

    should_stop = None  # () -> bool, set by the app: checked during a step (see _check)

    def __init__(self, model: GPTConfig, train: TrainConfig):
        self.model = model
        self.train = train

    def _check(self):
        """Abandon the step if should_stop() says so. Nothing has changed yet: the weights
        and the optimizer are only touched after loss_and_grads."""
        stop_if_asked(self.should_stop)

    def loss_and_grads(self, params, batch):
        """(mean loss over the batch's docs, grads like params, nodes built this step).

        Nodes counts every Value the step creates (weights included), reachable from the
        loss or not: unfused softmax builds a division for every vocabulary entry although
        only the target's probability feeds the loss, and that cost is what the seed's
        "fewer nodes" claims are about. (Counted by a class counter: exact when one
        thread trains at a time; inference builds UncountedValues, so sampling beside a step does
        not count.)"""
        start = Value.created
        # The graph holds no reference cycles (local grads are floats, no closures), so
        # reference counting frees it; the cyclic collector would only rescan the
        # growing graph again and again (measured: >2x the step's compute time).
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            return self._loss_and_grads(params, batch, start)
        finally:
            if gc_was_on:
                gc.enable()

    def _loss_and_grads(self, params, batch, start):
        m = ReferenceModel(self.model, self.train, params, check=self._check)
        doc_losses = [doc_loss(m, self.train, toks) for toks in batch]
        if len(doc_losses) == 1:
            loss = doc_losses[0]
        else:
            loss = (1 / len(doc_losses)) * sum(doc_losses[1:], doc_losses[0])
        backward(loss, iterative=self.train.iterative_topo, check=self._check)
        nodes = Value.created - start
        grads = {
            k: np.array([[v.grad for v in row] for row in rows], dtype=np.float64)
            for k, rows in m.sd.items()
        }
        return loss.data, grads, nodes

    def logits(self, params, tokens):
        """[T, vocab] logits at every position of tokens (T <= block_size)."""
        m = ReferenceModel(self.model, self.train, params, UncountedValue)
        return np.array([[v.data for v in row] for row in m.run(tokens)], dtype=np.float64)

    def attention(self, params, tokens):
        """[n_layer, n_head, T, T] attention weights (zeros above the diagonal)."""
        cfg = self.model
        m = ReferenceModel(cfg, self.train, params, UncountedValue)
        store = [[[] for _ in range(cfg.n_head)] for _ in range(cfg.n_layer)]
        m.run(tokens, attn_out=store)
        T = min(len(tokens), cfg.block_size)
        out = np.zeros((cfg.n_layer, cfg.n_head, T, T))
        for li in range(cfg.n_layer):
            for h in range(cfg.n_head):
                for t, row in enumerate(store[li][h]):
                    out[li, h, t, : len(row)] = row
        return out
