"""The numpy backend: the reference backend's mathematics as whole-array operations with
hand-written backward passes (engine/layers.py), float64. Same numbers to ~1e-15
relative, over a thousand times faster than the reference backend at the default size
(bench/engine.py, README "Performance"); the default everywhere.

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
flat buffer, handed over as FlatGrads, or, for the Trainer (loss_and_grads_into),
written into the Trainer's own gradient vector, which it clips and feeds to Adam without
a copy; masks and one-hot tables are built once per length; BLAS runs on one thread.
One document per step (the seed's batch_size 1) takes a fused path instead
(engine/fused.py): the same mathematics in fewer, cheaper NumPy calls, checked against
this layer-by-layer path in tests/engine/test_fused.py.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np

from . import layers as L
from .backends import param_shapes, stop_if_asked
from .blas_threads import limit_blas_threads
from .config import GPTConfig, TrainConfig
from .fused import FusedStep


class FlatGrads(Mapping):
    """name -> gradient [rows, cols], each a view into `.flat` (all gradients in
    state-dict order). The views are made on first use: the Trainer only needs .flat."""

    __slots__ = ("flat", "_layout", "_views")

    def __init__(self, flat: np.ndarray, layout):
        self.flat = flat
        self._layout = layout
        self._views = None

    def _all(self) -> dict:
        if self._views is None:
            f = self.flat
            self._views = {k: f[o : o + r * c].reshape(r, c) for k, o, (r, c) in self._layout}
        return self._views

    def __getitem__(self, name):
        return self._all()[name]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._layout)


class NumpyBackend:
    """Backend interface (see engine/backends.py) on whole NumPy arrays."""

    name = "numpy"
    should_stop = None  # () -> bool, set by the app: checked between layers (see _check)

    def __init__(self, model: GPTConfig, train: TrainConfig):
        self.model = model
        self.train = train
        limit_blas_threads(1)  # small matrices: threads only add waiting (blas_threads.py)
        self._layout = []  # (name, offset, shape) in state-dict order
        offset = 0
        for name, shape in param_shapes(model).items():
            self._layout.append((name, offset, shape))
            offset += shape[0] * shape[1]
        self.size = offset  # number of parameters
        offsets = {name: off for name, off, _ in self._layout}
        C = model.n_embd
        # q, k, v are adjacent in the state dict: their gradient is one [3C, C] block.
        qkv_offsets = [offsets[f"layer{i}.attn_wq"] for i in range(model.n_layer)]
        self._qkv_slices = [slice(o, o + 3 * C * C) for o in qkv_offsets]
        self._names = [
            tuple(f"layer{i}.{w}" for w in ("attn_wq", "attn_wk", "attn_wv", "attn_wo",
                                             "mlp_fc1", "mlp_fc2"))
            for i in range(model.n_layer)
        ]
        # Built once, read-only afterwards (safe to share between threads).
        self._one_hot = L.one_hot_table(model.vocab_size)  # ids -> one-hot rows
        self._masks = {T: L.causal_mask(T) for T in range(1, model.block_size + 1)}
        self._w1 = {T: np.full(T, 1.0 / T) for T in range(1, model.block_size + 1)}
        # The gradient work buffer and its per-matrix views, made once: backward writes
        # each weight gradient straight into its view, then hands out a copy (so results
        # stay valid after the next call). The lock makes concurrent calls safe.
        self._gbuf = np.empty(self.size)
        self._gview = {name: self._gbuf[off : off + r * c].reshape(r, c)
                       for name, off, (r, c) in self._layout}
        self._gqkv = [self._gbuf[off : off + 3 * C * C].reshape(3 * C, C)
                      for off in qkv_offsets]
        self._lock = threading.Lock()
        # One document at a time takes the fused path (engine/fused.py) when it applies.
        self._fused = FusedStep(model, self._layout) if FusedStep.supports(model) else None

    def _check(self):
        """Abandon the step if should_stop() says so; the weights and the optimizer are
        only touched after loss_and_grads."""
        stop_if_asked(self.should_stop)

    # --- the model -----------------------------------------------------------------------
    def forward(self, params, onehot, B, T, check=None):
        """onehot [N,V] input tokens (N = B·T rows) -> (logits [N,V], caches). check():
        called before every layer (training: may raise StepCancelled)."""
        cfg = self.model
        mask = self._masks[T]
        act = cfg.activation
        x, c_emb = L.embedding_forward(params["wte"], params["wpe"], onehot, B, T)  # [N,C]
        x, c_norm0 = L.rmsnorm_forward(x)  # the seed's extra RMSNorm before block 0
        blocks = []
        # wq, wk, wv as one [3C,C] matrix: a view of the Trainer's flat parameter vector
        # (adjacent in state-dict order), a concatenation for other dicts.
        flat = getattr(params, "flat", None)
        if flat is not None and flat.size != self.size:
            flat = None
        for (wq, wk, wv, wo, fc1, fc2), qkv_slice in zip(self._names, self._qkv_slices,
                                                          strict=True):
            if check is not None:
                check()
            xn, c_n1 = L.rmsnorm_forward(x)
            if flat is not None:
                wqkv = flat[qkv_slice].reshape(-1, cfg.n_embd)
            else:
                wqkv = np.concatenate((params[wq], params[wk], params[wv]))  # [3C,C]
            qkv, c_qkv = L.linear_forward(xn, wqkv)  # [N,3C]
            y, c_att = L.attention_forward(qkv, B, T, cfg.n_head, mask)  # [N,C]
            o, c_o = L.linear_forward(y, params[wo])
            o += x  # residual, in place (o is fresh)
            x = o
            xn, c_n2 = L.rmsnorm_forward(x)
            h, c_fc1 = L.linear_forward(xn, params[fc1])  # [N,F]
            a, c_act = L.activation_forward(h, act)
            o, c_fc2 = L.linear_forward(a, params[fc2])  # [N,C]
            o += x  # residual
            x = o
            blocks.append((c_n1, c_qkv, c_att, c_o, c_n2, c_fc1, c_act, c_fc2))
        head = params["wte"] if cfg.weight_tying else params["lm_head"]
        logits, c_head = L.linear_forward(x, head)  # [N,V]
        return logits, (c_emb, c_norm0, blocks, c_head)

    def backward(self, dlogits, caches):
        """dlogits [N,V] -> FlatGrads (a fresh buffer: callers may keep or scale it)."""
        with self._lock:
            self._backward(dlogits, caches)
            return FlatGrads(self._gbuf.copy(), self._layout)

    def _backward(self, dlogits, caches, check=None):
        """Writes every weight gradient into the work buffer self._gbuf (hold the lock)."""
        cfg = self.model
        c_emb, c_norm0, blocks, c_head = caches
        act, g = cfg.activation, self._gview
        dx, dhead = L.linear_backward(dlogits, c_head, None if cfg.weight_tying else g["lm_head"])
        for i in reversed(range(cfg.n_layer)):
            if check is not None:
                check()
            _, _, _, wo, fc1, fc2 = self._names[i]
            c_n1, c_qkv, c_att, c_o, c_n2, c_fc1, c_act, c_fc2 = blocks[i]
            # MLP branch: x = x + fc2(act(fc1(norm(x))))
            da, _ = L.linear_backward(dx, c_fc2, g[fc2])
            dh = L.activation_backward(da, c_act, act)
            dxn, _ = L.linear_backward(dh, c_fc1, g[fc1])
            dx = dx + L.rmsnorm_backward(dxn, c_n2)
            # attention branch: x = x + wo(attn(qkv(norm(x))))
            dy, _ = L.linear_backward(dx, c_o, g[wo])
            dqkv = L.attention_backward(dy, c_att)  # [N,3C]
            dxn, _ = L.linear_backward(dqkv, c_qkv, self._gqkv[i])
            dx = dx + L.rmsnorm_backward(dxn, c_n1)
        dx = L.rmsnorm_backward(dx, c_norm0)
        dwte, _ = L.embedding_backward(dx, c_emb, g["wte"], g["wpe"])
        if cfg.weight_tying:
            dwte += dhead  # wte is used twice: input embedding and output head

    # --- inputs ------------------------------------------------------------------------
    def _batch_arrays(self, batch):
        """-> (B, T, input one-hot [N,V], weighted target one-hot [N,V], weights [N])."""
        block = self.model.block_size
        if len(batch) == 1:  # the seed's case: no padding
            toks = batch[0]
            T = min(block, len(toks) - 1)
            oh = self._one_hot(toks[: T + 1])  # [T+1,V]
            w = self._w1[T]
            return 1, T, oh[:T], oh[1:] * w[:, None], w
        ns = [min(block, len(toks) - 1) for toks in batch]
        B, T = len(batch), max(ns)
        ids = np.zeros((B, T + 1), dtype=np.intp)  # padding: token 0 with weight 0
        weights = np.zeros((B, T))
        for b, (toks, n) in enumerate(zip(batch, ns, strict=True)):
            ids[b, : n + 1] = toks[: n + 1]
            weights[b, :n] = 1.0 / (B * n)
        oh = self._one_hot(ids)  # [B,T+1,V]
        V = oh.shape[-1]
        w = weights.reshape(-1)  # [N]
        return B, T, oh[:, :T].reshape(-1, V), oh[:, 1:].reshape(-1, V) * w[:, None], w

    def _run(self, params, tokens):
        T = min(len(tokens), self.model.block_size)
        if T == 0:
            raise ValueError("need at least one token (BOS) to run the model")
        return self.forward(params, self._one_hot(np.array(tokens[:T], dtype=np.intp)), 1, T)

    # --- the backend interface ---------------------------------------------------------
    def loss_and_grads(self, params, batch):
        """(mean loss over the batch's docs, FlatGrads like params, None: no graph)."""
        with self._lock:
            loss = self._loss_into(params, batch, self._gbuf)
            return loss, FlatGrads(self._gbuf.copy(), self._layout), None

    def loss_and_grads_into(self, params, batch, out: np.ndarray):
        """loss_and_grads for a caller that uses the gradient at once (the Trainer): the
        flat gradient (state-dict order) is written into `out`, the caller's own vector,
        instead of a fresh copy. Returns (loss, None)."""
        with self._lock:
            return self._loss_into(params, batch, out), None

    def _loss_into(self, params, batch, out):
        if self._fused is not None and len(batch) == 1:
            return self._fused(params, batch[0], out)
        # Batches and big models can take seconds: check should_stop between layers.
        # (One small document, the fused path, takes well under a millisecond.)
        B, T, inputs, targets, weights = self._batch_arrays(batch)
        logits, caches = self.forward(params, inputs, B, T, self._check)
        loss, c_ce = L.cross_entropy_forward(logits, targets, weights)
        self._backward(L.cross_entropy_backward(c_ce), caches, self._check)
        if out is not self._gbuf:
            np.copyto(out, self._gbuf)
        return loss

    def logits(self, params, tokens):
        """[T, vocab] logits at every position of tokens[:block_size]."""
        return self._run(params, tokens)[0]

    def attention(self, params, tokens):
        """[n_layer, n_head, T, T] attention weights (zeros above the diagonal)."""
        blocks = self._run(params, tokens)[1][2]
        return np.stack([blk[2][0][0] for blk in blocks])  # att of batch row 0, per layer
