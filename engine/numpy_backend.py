"""The numpy backend: the reference backend's mathematics as whole-array operations with
hand-written backward passes (engine/layers.py), float64. Same numbers to ~1e-15
relative, a few thousand times faster; the default everywhere.

Batches: documents of different lengths are padded to the longest and masked. Padding
sits after a document's real positions, so the causal mask already keeps real positions
from seeing it; its loss weight is 0, so no gradient flows from it (exact zeros). Each
real position of doc b has weight 1/(B·n_b): the loss is the mean over docs of each
doc's mean NLL, the definition ReferenceBackend.loss_and_grads uses.

Graph-only flags (div_op, fused_ce, iterative_topo, sum_from_first) change how the
reference backend builds its Value graph, never the numbers; there is no graph here, so
they do not apply. Cross-entropy here is always the fused log-sum-exp form.

Speed notes (the default model is tiny, so Python/numpy call overhead dominates, not
flops): q, k, v are one [3C, C] matmul; weight gradients are written straight into one
flat buffer (returned as FlatGrads, so the Trainer's clipping and Adam need no copy);
masks and one-hot tables are built once per length.
"""

from __future__ import annotations

import numpy as np

from . import layers as L
from .backends import param_shapes
from .config import GPTConfig, TrainConfig


class FlatGrads(dict):
    """name -> gradient, each a view into `.flat` (all gradients, state-dict order)."""

    __slots__ = ("flat",)


class NumpyBackend:
    """Backend interface (see engine/backends.py) on whole NumPy arrays."""

    name = "numpy"

    def __init__(self, model: GPTConfig, train: TrainConfig):
        self.model = model
        self.train = train
        self._layout = []  # (name, offset, shape) in state-dict order
        offset = 0
        for name, shape in param_shapes(model).items():
            self._layout.append((name, offset, shape))
            offset += shape[0] * shape[1]
        self.size = offset  # number of parameters
        offsets = {name: off for name, off, _ in self._layout}
        C = model.n_embd
        # q, k, v are adjacent in the state dict, so their gradient is one [3C, C] view.
        self._qkv_offsets = [offsets[f"layer{i}.attn_wq"] for i in range(model.n_layer)]
        self._eye = np.eye(model.vocab_size)  # one-hot rows
        self._masks = {T: L.causal_mask(T) for T in range(1, model.block_size + 1)}
        self._C = C

    # --- the model -----------------------------------------------------------------------
    def forward(self, params, onehot):
        """onehot [B,T,V] input tokens -> (logits [B,T,V], caches for backward)."""
        cfg = self.model
        T = onehot.shape[-2]
        mask = self._masks[T]
        x, c_emb = L.embedding_forward(params["wte"], params["wpe"], onehot)
        x, c_norm0 = L.rmsnorm_forward(x)  # the seed's extra RMSNorm before block 0
        blocks = []
        for i in range(cfg.n_layer):
            p = f"layer{i}."
            xn, c_n1 = L.rmsnorm_forward(x)
            wqkv = np.concatenate((params[p + "attn_wq"], params[p + "attn_wk"],
                                   params[p + "attn_wv"]))  # [3C,C]
            qkv, c_qkv = L.linear_forward(xn, wqkv)  # [B,T,3C]
            y, c_att = L.attention_forward(qkv, cfg.n_head, mask)  # [B,T,C]
            o, c_o = L.linear_forward(y, params[p + "attn_wo"])
            x = x + o  # residual
            xn, c_n2 = L.rmsnorm_forward(x)
            h, c_fc1 = L.linear_forward(xn, params[p + "mlp_fc1"])  # [B,T,4C]
            a, c_act = L.activation_forward(h, cfg.activation)
            o, c_fc2 = L.linear_forward(a, params[p + "mlp_fc2"])  # [B,T,C]
            x = x + o  # residual
            blocks.append((c_n1, c_qkv, c_att, c_o, c_n2, c_fc1, c_act, c_fc2))
        head = params["wte"] if cfg.weight_tying else params["lm_head"]
        logits, c_head = L.linear_forward(x, head)  # [B,T,V]
        return logits, (c_emb, c_norm0, blocks, c_head)

    def backward(self, dlogits, caches):
        """dlogits [B,T,V] -> FlatGrads (fresh buffer: callers may keep or scale it)."""
        cfg = self.model
        c_emb, c_norm0, blocks, c_head = caches
        C = self._C
        flat = np.empty(self.size)
        grads = FlatGrads()
        grads.flat = flat
        for name, off, (r, c) in self._layout:
            grads[name] = flat[off : off + r * c].reshape(r, c)
        dx, dhead = L.linear_backward(
            dlogits, c_head, None if cfg.weight_tying else grads["lm_head"]
        )
        for i in reversed(range(cfg.n_layer)):
            p = f"layer{i}."
            c_n1, c_qkv, c_att, c_o, c_n2, c_fc1, c_act, c_fc2 = blocks[i]
            # MLP branch: x = x + fc2(act(fc1(norm(x))))
            da, _ = L.linear_backward(dx, c_fc2, grads[p + "mlp_fc2"])
            dh = L.activation_backward(da, c_act, cfg.activation)
            dxn, _ = L.linear_backward(dh, c_fc1, grads[p + "mlp_fc1"])
            dx = dx + L.rmsnorm_backward(dxn, c_n2)
            # attention branch: x = x + wo(attn(qkv(norm(x))))
            dy, _ = L.linear_backward(dx, c_o, grads[p + "attn_wo"])
            dqkv = L.attention_backward(dy, c_att)  # [B,T,3C]
            off = self._qkv_offsets[i]
            dwqkv = flat[off : off + 3 * C * C].reshape(3 * C, C)
            dxn, _ = L.linear_backward(dqkv, c_qkv, dwqkv)
            dx = dx + L.rmsnorm_backward(dxn, c_n1)
        dx = L.rmsnorm_backward(dx, c_norm0)
        dwte, dwpe = L.embedding_backward(dx, c_emb)
        T = dwpe.shape[0]
        gwpe = grads["wpe"]
        gwpe[:T] = dwpe
        gwpe[T:] = 0.0  # positions beyond the longest doc were not used
        if cfg.weight_tying:
            np.add(dwte, dhead, out=grads["wte"])  # wte is used twice: input and output
        else:
            grads["wte"][...] = dwte
        return grads

    # --- inputs ------------------------------------------------------------------------
    def _batch_arrays(self, batch):
        """-> (input one-hot [B,T,V], target one-hot [B,T,V], weights [B,T])."""
        block = self.model.block_size
        ns = [min(block, len(toks) - 1) for toks in batch]
        B, T = len(batch), max(ns)
        if B == 1:  # the seed's case: no padding
            ids = np.array(batch[0][: T + 1])
            oh = self._eye[ids]  # [T+1,V]
            return oh[None, :T], oh[None, 1:], np.full((1, T), 1.0 / T)
        ids = np.zeros((B, T + 1), dtype=np.intp)  # padding: token 0, weight 0
        weights = np.zeros((B, T))
        for b, (toks, n) in enumerate(zip(batch, ns, strict=True)):
            ids[b, : n + 1] = toks[: n + 1]
            weights[b, :n] = 1.0 / (B * n)
        oh = self._eye[ids]  # [B,T+1,V]
        return oh[:, :T], oh[:, 1:], weights

    def _tokens_onehot(self, tokens):
        ids = np.array(tokens[: self.model.block_size], dtype=np.intp)
        return self._eye[ids][None]  # [1,T,V]

    # --- the backend interface ---------------------------------------------------------
    def loss_and_grads(self, params, batch):
        """(mean loss over the batch's docs, FlatGrads like params, None: no graph)."""
        inputs, targets, weights = self._batch_arrays(batch)
        logits, caches = self.forward(params, inputs)
        loss, c_ce = L.cross_entropy_forward(logits, targets, weights)
        grads = self.backward(L.cross_entropy_backward(c_ce), caches)
        return loss, grads, None

    def logits(self, params, tokens):
        """[T, vocab] logits at every position of tokens[:block_size]."""
        logits, _ = self.forward(params, self._tokens_onehot(tokens))
        return logits[0]

    def attention(self, params, tokens):
        """[n_layer, n_head, T, T] attention weights (zeros above the diagonal)."""
        _, (_, _, blocks, _) = self.forward(params, self._tokens_onehot(tokens))
        return np.stack([blk[2][0][0] for blk in blocks])  # att of batch row 0, per layer
