"""A baseline for bench/reference.py: one microgpt training step written the way the seed
script is written — our own re-creation of that *style*, not the seed's code (the seed is
not in this repository and none of it is copied here).

What makes it "seed style", and what the engine's reference backend does instead:
- every Value carries its backward step as a closure (`_backward`), created per node,
  and a per-instance __dict__ (no __slots__); the closure refers back to its node, so
  every node sits in a reference cycle the garbage collector has to find;
- children are kept as a set (`_prev`), as in micrograd;
- the weights are persistent Value objects, updated in place by a Python-loop AdamW.

The mathematics is the `optimized` preset's (DESIGN.md §2): direct division, fused
cross-entropy, losses summed from the first one, clipping at global norm 1, cosine
schedule, AdamW with running-product bias correction. The topological sort is iterative
(the seed's change) or recursive (Karpathy's original), selectable, so both can be timed.
"""

from __future__ import annotations

import math


class Value:
    created = 0  # nodes ever built, for the bench's node counts (the engine counts too)

    def __init__(self, data, _children=()):
        Value.created += 1
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k):
        out = Value(self.data**k, (self,))

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other):  # one node, as in the seed
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other))

        def _backward():
            self.grad += out.grad / other.data
            other.grad += -self.data / (other.data * other.data) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,))

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), (self,))

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,))

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __sub__(self, other):
        return self + (-other)

    def backward(self, recursive: bool = False) -> int:
        """Apply the chain rule over the graph; returns how many nodes it has."""
        topo, visited = [], set()
        if recursive:
            def build(v):
                if v not in visited:
                    visited.add(v)
                    for child in v._prev:
                        build(child)
                    topo.append(v)

            build(self)
        else:
            stack = [(self, False)]
            while stack:
                v, done = stack.pop()
                if done:
                    topo.append(v)
                elif v not in visited:
                    visited.add(v)
                    stack.append((v, True))
                    stack.extend((c, False) for c in v._prev if c not in visited)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
        return len(topo)


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x, strict=True)) for row in w]


def softmax(logits):
    m = max(v.data for v in logits)
    exps = [(v - m).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    scale = (sum(xi * xi for xi in x) / len(x) + 1e-5) ** -0.5
    return [xi * scale for xi in x]


class SeedStyleModel:
    """The optimized preset's GPT on persistent Values, trained one document per step."""

    def __init__(self, params: dict, n_head: int, n_layer: int, block_size: int,
                 num_steps: int, recursive_topo: bool = False):
        # params: name -> numpy array (the engine's initial weights, so both start equal)
        self.sd = {k: [[Value(float(x)) for x in row] for row in w.tolist()]
                   for k, w in params.items()}
        self.flat = [p for rows in self.sd.values() for row in rows for p in row]
        self.m = [0.0] * len(self.flat)
        self.v = [0.0] * len(self.flat)
        self.b1_t = self.b2_t = 1.0
        self.n_head, self.n_layer, self.block_size = n_head, n_layer, block_size
        self.num_steps, self.recursive = num_steps, recursive_topo
        self.step_num = 0

    def gpt(self, tok, pos, keys, values):
        sd = self.sd
        x = rmsnorm([t + p for t, p in zip(sd["wte"][tok], sd["wpe"][pos], strict=True)])
        hd = len(x) // self.n_head
        for li in range(self.n_layer):
            res = x
            x = rmsnorm(x)
            q = linear(x, sd[f"layer{li}.attn_wq"])
            keys[li].append(linear(x, sd[f"layer{li}.attn_wk"]))
            values[li].append(linear(x, sd[f"layer{li}.attn_wv"]))
            heads = []
            for h in range(self.n_head):
                s = slice(h * hd, (h + 1) * hd)
                qh = q[s]
                att = softmax([sum(a * b for a, b in zip(qh, k[s], strict=True)) / hd**0.5
                               for k in keys[li]])
                vs = [v[s] for v in values[li]]
                heads += [sum(att[t] * vs[t][j] for t in range(len(vs))) for j in range(hd)]
            x = [a + b for a, b in zip(linear(heads, sd[f"layer{li}.attn_wo"]), res,
                                       strict=True)]
            res = x
            x = [xi.relu() ** 2 for xi in linear(rmsnorm(x), sd[f"layer{li}.mlp_fc1"])]
            x = [a + b for a, b in zip(linear(x, sd[f"layer{li}.mlp_fc2"]), res, strict=True)]
        return linear(x, sd["wte"])  # weight tying

    def step(self, tokens, lr=0.01, beta1=0.9, beta2=0.95, eps=1e-8, wd=1e-4, clip=1.0):
        """One training step on one document's tokens; returns (loss, nodes built)."""
        start = Value.created
        n = min(self.block_size, len(tokens) - 1)
        keys, values = [[] for _ in range(self.n_layer)], [[] for _ in range(self.n_layer)]
        losses = []
        for pos in range(n):
            logits = self.gpt(tokens[pos], pos, keys, values)
            m = max(v.data for v in logits)
            shifted = [v - m for v in logits]  # fused cross-entropy: log-sum-exp - target
            losses.append(sum(s.exp() for s in shifted).log() - shifted[tokens[pos + 1]])
        loss = (1 / n) * sum(losses[1:], losses[0])
        self.reachable = loss.backward(recursive=self.recursive)
        nodes = Value.created - start
        norm = math.sqrt(sum(p.grad**2 for p in self.flat))
        if norm > clip:
            for p in self.flat:
                p.grad *= clip / norm
        lr_t = lr * 0.5 * (1 + math.cos(math.pi * self.step_num / self.num_steps))
        self.b1_t *= beta1
        self.b2_t *= beta2
        for i, p in enumerate(self.flat):
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * p.grad
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * p.grad**2
            m_hat = self.m[i] / (1 - self.b1_t)
            v_hat = self.v[i] / (1 - self.b2_t)
            p.data -= lr_t * (m_hat / (v_hat**0.5 + eps) + wd * p.data)
            p.grad = 0.0
        self.step_num += 1
        return loss.data, nodes
