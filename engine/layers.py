"""The GPT's layers as forward/backward pairs on whole NumPy arrays (float64).

Each layer is two functions, in the style of llm.c's doc/layernorm:

    out, cache = layer_forward(inputs...)      # cache: what backward needs, nothing more
    dinputs... = layer_backward(dout, cache)   # gradients w.r.t. each input (and weights)

The mathematics is exactly the reference backend's (engine/reference.py), written for
arrays shaped [..., T, C] (a leading batch axis is allowed everywhere) instead of lists
of scalar Values. Only summation order differs, so results agree to ~1e-15 relative.

Shapes: B batch, T positions, C n_embd, H heads, D head_dim, V vocab, F = 4·C.
"""

from __future__ import annotations

import numpy as np

RMS_EPS = 1e-5  # the seed's RMSNorm epsilon (no learned gain)


# --- embedding: token + position -----------------------------------------------------
def embedding_forward(wte, wpe, onehot):
    """onehot [B,T,V] of the input tokens; returns x [B,T,C] = wte[tok] + wpe[pos].

    A one-hot matmul rather than fancy indexing: its backward is then one matmul too
    (no np.add.at scatter), which is faster at these sizes and never loses a repeat."""
    T = onehot.shape[-2]
    x = onehot @ wte + wpe[:T]  # [B,T,C]
    return x, onehot


def embedding_backward(dx, cache):
    """dx [B,T,C] -> (dwte [V,C], dwpe_used [T,C]); the caller places dwpe_used in wpe's
    first T rows (later rows were not used, so their gradient is zero)."""
    onehot = cache
    V, C = onehot.shape[-1], dx.shape[-1]
    dwte = onehot.reshape(-1, V).T @ dx.reshape(-1, C)  # [V,C]
    dwpe = dx.sum(axis=0) if dx.ndim == 3 else dx  # [T,C]: summed over the batch
    return dwte, dwpe


# --- RMSNorm: x · (mean(x²) + eps)^-0.5, no gain -------------------------------------
def rmsnorm_forward(x):
    ms = (x * x).mean(axis=-1, keepdims=True)  # [...,1]
    s = (ms + RMS_EPS) ** -0.5  # [...,1]
    return x * s, (x, s)


def rmsnorm_backward(dy, cache):
    # y_i = x_i·s with s = (Σx²/C + eps)^-½, so ∂s/∂x_j = -s³·x_j/C and
    # dx_j = s·dy_j - (s³/C)·x_j·(dy·x).
    x, s = cache
    C = x.shape[-1]
    dot = (dy * x).sum(axis=-1, keepdims=True)  # [...,1]
    return s * dy - x * (s * s * s * (dot / C))


# --- linear (no bias): y = x · Wᵀ, W [out, in] as in the state dict -------------------
def linear_forward(x, w):
    return x @ w.T, (x, w)  # [..., out]


def linear_backward(dy, cache, dw_out=None):
    """-> (dx [..., in], dw [out, in]). dw_out: write dW there (a view of a flat buffer)."""
    x, w = cache
    dx = dy @ w
    dw = np.matmul(dy.reshape(-1, dy.shape[-1]).T, x.reshape(-1, x.shape[-1]), out=dw_out)
    return dx, dw


# --- causal multi-head self-attention (the core: after the q, k, v projection) -------
def attention_forward(qkv, n_head, mask):
    """qkv [B,T,3C] (q, k, v side by side); mask [T,T] additive (0 on/below the
    diagonal, -inf above).

    Per head: softmax((q·kᵀ)/√D) with the row maximum subtracted, then weights · v.
    Returns y [B,T,C] and a cache whose first entry is att [B,H,T,T] (what the GUI's
    heatmaps show)."""
    B, T, C3 = qkv.shape
    D = C3 // (3 * n_head)
    scale = D**0.5
    qh, kh, vh = qkv.reshape(B, T, 3, n_head, D).transpose(2, 0, 3, 1, 4)  # 3 x [B,H,T,D]
    scores = (qh @ kh.transpose(0, 1, 3, 2)) / scale + mask  # [B,H,T,T]
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))  # masked entries: exp(-inf) = 0
    att = e / e.sum(axis=-1, keepdims=True)  # [B,H,T,T], rows sum to 1
    y = (att @ vh).transpose(0, 2, 1, 3).reshape(B, T, C3 // 3)  # [B,T,C]
    return y, (att, qh, kh, vh, scale)


def attention_backward(dy, cache):
    """dy [B,T,C] -> dqkv [B,T,3C]."""
    att, qh, kh, vh, scale = cache
    B, H, T, D = qh.shape
    dyh = dy.reshape(B, T, H, D).transpose(0, 2, 1, 3)  # [B,H,T,D]
    dqkv = np.empty((3, B, H, T, D))
    datt = dyh @ vh.transpose(0, 1, 3, 2)  # [B,H,T,T]
    np.matmul(att.transpose(0, 1, 3, 2), dyh, out=dqkv[2])  # dv
    # softmax backward: ds = att ⊙ (datt - Σ_j datt·att); masked entries have att = 0.
    ds = att * (datt - (datt * att).sum(axis=-1, keepdims=True))
    ds /= scale  # through the division by √D
    np.matmul(ds, kh, out=dqkv[0])  # dq
    np.matmul(ds.transpose(0, 1, 3, 2), qh, out=dqkv[1])  # dk
    return dqkv.transpose(1, 3, 0, 2, 4).reshape(B, T, 3 * H * D)


def causal_mask(T: int) -> np.ndarray:
    """[T,T] additive mask: 0 where position t may look (s <= t), -inf where it may not."""
    m = np.zeros((T, T))
    m[np.triu_indices(T, 1)] = -np.inf
    return m


# --- MLP activation: relu(x)² (the seed) or relu(x) (the original) ---------------------
def activation_forward(h, kind: str):
    r = np.maximum(h, 0.0)
    if kind == "relu2":
        return r * r, r
    return r, r


def activation_backward(dy, cache, kind: str):
    r = cache
    if kind == "relu2":
        return dy * (2.0 * r)  # d(r²)/dh = 2r (r = 0 where h <= 0)
    return dy * (r > 0)  # relu'(0) = 0, as the reference's Value.relu


# --- fused cross-entropy: log-sum-exp of shifted logits minus the target's ------------
def cross_entropy_forward(logits, target_onehot, weights):
    """logits [B,T,V]; target_onehot [B,T,V]; weights [B,T] (0 on padding).

    Returns (loss = Σ weights·nll, cache). With weights 1/(B·n_b) on a doc's first n_b
    positions this is the mean over docs of each doc's mean NLL, the reference's loss."""
    shifted = logits - logits.max(axis=-1, keepdims=True)  # [B,T,V]
    e = np.exp(shifted)
    sumexp = e.sum(axis=-1)  # [B,T]
    nll = np.log(sumexp) - (shifted * target_onehot).sum(axis=-1)  # [B,T]
    loss = float((nll * weights).sum())
    return loss, (e, sumexp, target_onehot, weights)


def cross_entropy_backward(cache):
    """-> dlogits [B,T,V] = weights · (softmax - onehot). (dloss = 1: it is the root.)"""
    e, sumexp, target_onehot, weights = cache
    w = weights[..., None]
    return e * (w / sumexp[..., None]) - target_onehot * w
