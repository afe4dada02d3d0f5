"""A fused training step for one document (batch_size 1, the seed's case).

engine/layers.py is the readable reference: one forward/backward pair per layer, each
checked against finite differences and the reference backend. This module computes the
same loss and gradients for a single document with as few NumPy calls as possible,
because at the default size (T <= 8 positions, 16 wide, 4 heads) a step is ~100 tiny
array operations and their fixed per-call cost (0.3-2 µs each), not arithmetic, is the
time. tests/engine/test_fused.py checks it against the layer-by-layer path.

What it does differently (the mathematics is the same; only rounding differs, ~1e-15):
- Attention for all heads as plain 2-D matmuls, no [B, H, T, D] reshapes: K and V are
  expanded to block-diagonal matrices [H·T, C] (row h·T + s holds position s's key,
  zero outside head h's columns), so q · Kbᵀ is every head's scores side by side,
  [T, H·T], and att · Vb is every head's output already in [T, C] layout. Per-head row
  sums (softmax) are spread back over their row by a 0/1 matmul, row maxima by an index
  table (take), RMSNorm's row means by a [C, C] matmul of 1/C: broadcasting a [T, 1]
  column costs 2-3x a plain elementwise op at these sizes.
- 1/√D is folded into the block-diagonal mask of K: q·(k/√D) instead of (q·k)/√D (exact
  when √D is a power of two, as at the default D = 4).
- Weight gradients are written straight into the caller's flat gradient vector with
  a.dot(b, out) (out= given by keyword costs ~0.1 µs more per call); wq, wk, wv are one
  [3C, C] view of the flat parameter vector (adjacent in state-dict order), so q, k, v
  are one matmul and their gradient one matmul.
- Constants (masks, 0/1 expansion matrices, index tables) and two scratch buffers are
  built once per document length.
- Scalars are 0-d arrays: NumPy 2 mixes those with arrays faster than Python floats.

Used by NumpyBackend.loss_and_grads for one document when n_head · block_size is small
(FUSED_MAX_HT); the block-diagonal trick costs H times the attention arithmetic and
(H·T)² constants per length, which only pay off while call overhead dominates. Batches
use the general path.
"""

from __future__ import annotations

import numpy as np

from .layers import RMS_EPS, one_hot_table

FUSED_MAX_HT = 64  # n_head · block_size up to which the fused path is used (the presets: 32, 64)

_EPS = np.array(RMS_EPS)
_ZERO = np.array(0.0)
_HALF_NEG = np.array(-0.5)
_maxat = np.maximum.reduceat  # max of consecutive runs: 2x faster than a reshaped max


class _Consts:
    """Everything that depends only on the document length T: constants, and two
    scratch buffers (FusedStep runs under its backend's lock, one call at a time)."""

    __slots__ = ("mask", "rep", "mask_kv", "mask_kv_t", "starts", "head_idx", "block_ones",
                 "weights", "inv_t", "starts_v", "row_idx_v", "dqkv_t", "dkv_t")

    def __init__(self, T: int, C: int, H: int, V: int):
        D = C // H
        HT = H * T
        head_of_col = np.arange(C) // D  # head of each of the C columns
        head_of_row = np.arange(HT) // T  # head of each block-diagonal row h·T + s
        same = (head_of_row[:, None] == head_of_col[None, :]).astype(float)  # [HT,C]
        # Kb = (rep · k) ⊙ (same/√D), Vb = (rep · v) ⊙ same: one [HT, 2C] product.
        self.mask_kv = np.hstack((same * (1.0 / D**0.5), same))
        self.mask_kv_t = np.ascontiguousarray(self.mask_kv.T)  # [2C,HT], for the backward
        self.rep = np.tile(np.eye(T), (H, 1))  # [HT,T]: row h·T + s picks position s
        causal = np.zeros((T, T))
        causal[np.triu_indices(T, 1)] = -np.inf
        self.mask = np.tile(causal, (1, H))  # [T,HT]: every head's causal mask
        self.block_ones = np.kron(np.eye(H), np.ones((T, T)))  # [HT,HT]: per-head sums
        # Row maxima: reduceat over runs of the flattened matrix (starts), spread back over
        # each run with take (an index per entry): both beat reshaped max and broadcasts.
        self.starts = np.arange(0, T * HT, T)  # scores [T,HT]: one run per (t, head)
        self.head_idx = np.arange(T)[:, None] * H + head_of_row[None, :]  # [T,HT] → t·H+h
        self.starts_v = np.arange(0, T * V, V)  # logits [T,V]: one run per position
        self.row_idx_v = np.repeat(np.arange(T)[:, None], V, 1)  # [T,V] → t
        self.weights = np.full(T, 1.0 / T)  # loss weight of each position
        self.inv_t = np.array(1.0 / T)
        self.dqkv_t, self.dkv_t = np.empty((3 * C, T)), np.empty((2 * C, HT))


class FusedStep:
    """fused(params, tokens, grad) -> the loss (a float) of one document; the gradient of
    every parameter is written into `grad` (a flat vector in state-dict order)."""

    def __init__(self, model, layout):
        self.model = model
        self.C, self.H, self.V = model.n_embd, model.n_head, model.vocab_size
        self.block = model.block_size
        self.layout = layout  # (name, offset, (rows, cols)) in state-dict order
        self.size = sum(r * c for _, _, (r, c) in layout)
        self._consts: dict[int, _Consts] = {}
        self._one_hot = one_hot_table(model.vocab_size)
        self._mean = np.full((self.C, self.C), 1.0 / self.C)  # row means, as a matmul
        self._ones_v = np.ones(self.V)
        # Views into the last parameter and gradient vectors seen (callers reuse theirs).
        self._pflat = self._pviews = self._gflat = self._gviews = None

    @staticmethod
    def supports(model) -> bool:
        """Whether this model takes the fused path (for single documents)."""
        return model.n_head * model.block_size <= FUSED_MAX_HT

    def _views(self, flat):
        """(wte, wpe, lm_head or None, [(wqkv [3C,C], wo, fc1, fc2) per layer]) of flat."""
        v = {name: flat[o : o + r * c].reshape(r, c) for name, o, (r, c) in self.layout}
        offsets = {name: o for name, o, _ in self.layout}
        C = self.C
        layers = []
        for i in range(self.model.n_layer):
            o = offsets[f"layer{i}.attn_wq"]  # wq, wk, wv are adjacent: one [3C,C] view
            layers.append((flat[o : o + 3 * C * C].reshape(3 * C, C), v[f"layer{i}.attn_wo"],
                           v[f"layer{i}.mlp_fc1"], v[f"layer{i}.mlp_fc2"]))
        return v["wte"], v["wpe"], v.get("lm_head"), layers

    def params_flat(self, params):
        """The flat parameter vector of params (the Trainer's own, else a copy)."""
        flat = getattr(params, "flat", None)
        if flat is None or flat.size != self.size:
            flat = np.concatenate([params[name].ravel() for name, _, _ in self.layout])
        return flat

    def __call__(self, params, tokens, grad: np.ndarray) -> float:
        flat = self.params_flat(params)
        if flat is not self._pflat:
            self._pflat, self._pviews = flat, self._views(flat)
        if grad is not self._gflat:
            self._gflat, self._gviews = grad, self._views(grad)
        wte, wpe, lm_head, layers = self._pviews
        gwte, gwpe, glm_head, glayers = self._gviews
        T = min(self.block, len(tokens) - 1)
        k = self._consts.get(T)
        if k is None:
            k = self._consts[T] = _Consts(T, self.C, self.H, self.V)
        C, mean, relu2 = self.C, self._mean, self.model.activation == "relu2"
        mul, sub, exp = np.multiply, np.subtract, np.exp

        # ---- forward ---------------------------------------------------------------
        onehot = self._one_hot(tokens[: T + 1])  # [T+1,V]: inputs then targets
        x = onehot[:T].dot(wte)
        x += wpe[:T]
        s0 = ((x * x).dot(mean) + _EPS) ** _HALF_NEG  # the seed's extra RMSNorm
        x = x * s0
        x0 = x
        saved = []
        for wqkv, wo, fc1, fc2 in layers:
            s1 = ((x * x).dot(mean) + _EPS) ** _HALF_NEG  # RMSNorm
            xn1 = x * s1
            qkv = xn1.dot(wqkv.T)  # [T,3C]
            kv = k.rep.dot(qkv[:, C:])  # [HT,2C]: each position's k, v repeated per head
            kv *= k.mask_kv  # → block-diagonal: Kb = kv[:, :C] (÷√D), Vb = kv[:, C:]
            kb, vb = kv[:, :C], kv[:, C:]
            q = qkv[:, :C]
            att = q.dot(kb.T)  # [T,HT]: scores/√D of every head, side by side
            att += k.mask
            att -= _maxat(att.ravel(), k.starts).take(k.head_idx)  # row max
            exp(att, att)
            att /= att.dot(k.block_ones)  # per-head row sums
            y = att.dot(vb)  # [T,C]
            o = y.dot(wo.T)
            o += x  # residual
            x = o
            s2 = ((x * x).dot(mean) + _EPS) ** _HALF_NEG
            xn2 = x * s2
            r = np.maximum(xn2.dot(fc1.T), _ZERO)  # [T,F]
            a = r * r if relu2 else r
            o = a.dot(fc2.T)
            o += x
            x = o
            saved.append((s1, xn1, q, kb, vb, att, y, s2, xn2, r, a))
        head = wte if lm_head is None else lm_head
        logits = x.dot(head.T)  # [T,V]
        shifted = logits - _maxat(logits.ravel(), k.starts_v).take(k.row_idx_v)  # row max
        e = exp(shifted)
        sumexp = e.dot(self._ones_v)  # [T]
        targets = onehot[1:]  # [T,V] one-hot of each position's target
        # mean over positions of log Σexp(shifted) - shifted[target]
        loss = float(np.log(sumexp).dot(k.weights) - np.vdot(shifted, targets) * k.inv_t)

        # ---- backward ----------------------------------------------------------------
        dlogits = e / sumexp.take(k.row_idx_v)  # softmax
        dlogits -= targets
        dlogits *= k.inv_t  # each position's weight in the mean
        dx = dlogits.dot(head)
        dhead = dlogits.T.dot(x, glm_head)  # [V,C]
        for (wqkv, wo, fc1, fc2), (gqkv, gwo, gfc1, gfc2), cache in zip(
            reversed(layers), reversed(glayers), reversed(saved), strict=True
        ):
            s1, xn1, q, kb, vb, att, y, s2, xn2, r, a = cache
            # MLP: x = x + fc2(act(fc1(norm(x))))
            dx.T.dot(a, gfc2)
            da = dx.dot(fc2)
            dh = da * (r + r) if relu2 else da * (r > 0)
            dh.T.dot(xn2, gfc1)
            dxn = dh.dot(fc1)
            dx = dx + s2 * (dxn - xn2 * (dxn * xn2).dot(mean))  # RMSNorm backward
            # attention: x = x + wo(attn(qkv(norm(x))))
            dx.T.dot(y, gwo)
            dy = dx.dot(wo)
            datt = dy.dot(vb.T)  # [T,HT]
            datt -= (att * datt).dot(k.block_ones)  # softmax backward, per head
            datt *= att
            # Transposed, so every block is a run of whole rows (dot's out= needs that).
            dqkv_t, dkv_t = k.dqkv_t, k.dkv_t  # [dqᵀ; dkᵀ; dvᵀ], [dKbᵀ; dVbᵀ]
            kb.T.dot(datt.T, dqkv_t[:C])
            q.T.dot(datt, dkv_t[:C])
            dy.T.dot(att, dkv_t[C:])
            dkv_t *= k.mask_kv_t  # keep each head's block (and the 1/√D of Kb)
            dkv_t.dot(k.rep, dqkv_t[C:])  # add up each position's H copies
            dqkv_t.dot(xn1, gqkv)
            dxn = dqkv_t.T.dot(wqkv)
            dx = dx + s1 * (dxn - xn1 * (dxn * xn1).dot(mean))
        mul(s0, sub(dx, x0 * (dx * x0).dot(mean)), out=gwpe[:T])  # RMSNorm 0 backward
        if T < self.block:
            gwpe[T:] = 0.0  # positions this document did not reach
        onehot[:T].T.dot(gwpe[:T], gwte)
        if lm_head is None:
            gwte += dhead  # tied: wte is the input embedding and the output head
        return loss
