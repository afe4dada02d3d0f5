"""The GPT's layers as forward/backward pairs on whole NumPy arrays (float64).

Each layer is two functions, in the style of llm.c's doc/layernorm:

    out, cache = layer_forward(inputs...)      # cache: what backward needs, nothing more
    dinputs... = layer_backward(dout, cache)   # gradients w.r.t. each input (and weights)

The mathematics is exactly the reference backend's (engine/reference.py), written for
arrays instead of lists of scalar Values; only the order of floating-point operations
differs, so results agree to ~1e-15 relative.

Shapes: B batch, T positions, N = B·T rows, C n_embd, H heads, D head_dim, V vocab,
F = 4·C. Everything except attention works on rows [N, C]: the batch and position axes
only matter where positions look at each other.

Why a.dot(b) and np.add.reduce rather than @ and .sum(): at the default model's size
(16 wide, 8 long) a step is ~100 tiny array operations and their fixed call overhead,
not arithmetic, is the cost; these spellings have the least of it (measured).
"""

from __future__ import annotations

import numpy as np

RMS_EPS = 1e-5  # the seed's RMSNorm epsilon (no learned gain)
_sum = np.add.reduce
_max = np.maximum.reduce


# --- one-hot rows of token ids -------------------------------------------------------
EYE_MAX_VOCAB = 1024  # up to this vocabulary one-hot rows are taken from an identity matrix


def one_hot_table(V: int):
    """ids (a list or int array, any shape) -> one-hot rows [..., V] (float64).

    Taking rows of a V×V identity matrix is the fastest way at the usual sizes (27
    letters: 6 KB), but the matrix grows as V²: a Chinese text's 6,000 characters would
    make it 288 MB, which nothing else in the model comes near. Bigger vocabularies build
    their rows when asked (the same exact 0/1 rows)."""
    if V <= EYE_MAX_VOCAB:
        eye = np.eye(V)
        return lambda ids: eye.take(ids, 0)

    def rows(ids):
        ids = np.asarray(ids, dtype=np.intp)
        out = np.zeros((*ids.shape, V))
        np.put_along_axis(out, ids[..., None], 1.0, axis=-1)
        return out

    return rows


# --- embedding: token + position -----------------------------------------------------
def embedding_forward(wte, wpe, onehot, B, T):
    """onehot [N,V] of the input tokens (row b·T + t) -> x [N,C] = wte[tok] + wpe[t].

    A one-hot matmul rather than fancy indexing: its backward is one matmul too (no
    np.add.at scatter), which is faster at these sizes."""
    x = onehot.dot(wte)  # [N,C]
    if B == 1:
        x += wpe[:T]
    else:
        x = (x.reshape(B, T, -1) + wpe[:T]).reshape(B * T, -1)
    return x, (onehot, B, T)


def embedding_backward(dx, cache, dwte_out=None, dwpe_out=None):
    """dx [N,C] -> (dwte [V,C], dwpe). dwpe is dwpe_out ([block,C], rows past T set to
    zero) when given, else a new [T,C]."""
    onehot, B, T = cache
    dwte = onehot.T.dot(dx, out=dwte_out)  # [V,C]
    dwpe = np.zeros((T, dx.shape[1])) if dwpe_out is None else dwpe_out
    dwpe[:T] = dx if B == 1 else _sum(dx.reshape(B, T, -1), 0)  # summed over the batch
    if T < len(dwpe):
        dwpe[T:] = 0.0  # positions past the longest document were not used
    return dwte, dwpe


# --- RMSNorm: y = x · s, s = (mean(x²) + eps)^-½, no gain ----------------------------
_MEAN_COLS: dict[int, np.ndarray] = {}


def _mean_col(C: int) -> np.ndarray:
    """[C,1] of 1/C: a row mean as one matmul (keepdims for free)."""
    col = _MEAN_COLS.get(C)
    if col is None:
        col = _MEAN_COLS[C] = np.full((C, 1), 1.0 / C)
    return col


def rmsnorm_forward(x):
    s = ((x * x).dot(_mean_col(x.shape[1])) + RMS_EPS) ** -0.5  # [N,1]
    y = x * s
    return y, (y, s)


def rmsnorm_backward(dy, cache):
    # ∂s/∂x_j = -s³·x_j/C, so dx_j = s·dy_j - (s³/C)·x_j·(dy·x); with y = x·s this is
    # dx = s·(dy - y·mean(dy·y)).
    y, s = cache
    m = (dy * y).dot(_mean_col(y.shape[1]))  # [N,1]
    return s * (dy - y * m)


# --- linear (no bias): y = x · Wᵀ, W [out, in] as in the state dict -------------------
def linear_forward(x, w):
    return x.dot(w.T), (x, w)  # [N, out]


def linear_backward(dy, cache, dw_out=None):
    """dy [N,out] -> (dx [N,in], dW [out,in]). dw_out: write dW there (a view into a
    flat gradient buffer, so no copy is needed afterwards)."""
    x, w = cache
    return dy.dot(w), dy.T.dot(x, out=dw_out)


# --- causal multi-head self-attention (after the fused q, k, v projection) ------------
def causal_mask(T: int) -> np.ndarray:
    """[T,T] additive mask: 0 where position t may look (s <= t), -inf where it may not."""
    m = np.zeros((T, T))
    m[np.triu_indices(T, 1)] = -np.inf
    return m


def attention_forward(qkv, B, T, n_head, mask):
    """qkv [N,3C] (q, k, v side by side) -> y [N,C].

    Per head: softmax((q·kᵀ)/√D + mask) with the row maximum subtracted, then the
    weighted sum of v. The cache starts with att [B,H,T,T] (what the heatmaps show)."""
    D = qkv.shape[1] // (3 * n_head)
    scale = D**0.5
    qh, kh, vh = qkv.reshape(B, T, 3, n_head, D).transpose(2, 0, 3, 1, 4)  # 3×[B,H,T,D]
    att = np.matmul(qh, kh.transpose(0, 1, 3, 2))  # [B,H,T,T]
    att /= scale
    att += mask  # -inf above the diagonal: a position never sees later ones
    att -= _max(att, -1, keepdims=True)
    np.exp(att, out=att)  # masked entries: exp(-inf) = 0
    att /= _sum(att, -1, keepdims=True)  # rows sum to 1
    y = np.matmul(att, vh).transpose(0, 2, 1, 3).reshape(B * T, -1)  # [N,C]
    return y, (att, qh, kh, vh, scale)


def attention_backward(dy, cache):
    """dy [N,C] -> dqkv [N,3C]."""
    att, qh, kh, vh, scale = cache
    B, H, T, D = qh.shape
    dyh = dy.reshape(B, T, H, D).transpose(0, 2, 1, 3)  # [B,H,T,D]
    dqkv = np.empty((3, B, H, T, D))
    np.matmul(att.transpose(0, 1, 3, 2), dyh, out=dqkv[2])  # dv
    datt = np.matmul(dyh, vh.transpose(0, 1, 3, 2))  # [B,H,T,T]
    # softmax backward: ds = att ⊙ (datt - Σ_j att·datt); masked entries have att = 0.
    datt -= _sum(datt * att, -1, keepdims=True)
    datt *= att
    datt /= scale  # through the division by √D
    np.matmul(datt, kh, out=dqkv[0])  # dq
    np.matmul(datt.transpose(0, 1, 3, 2), qh, out=dqkv[1])  # dk
    return dqkv.transpose(1, 3, 0, 2, 4).reshape(B * T, -1)  # [N,3C]


# --- MLP activation: relu(x)² (the seed) or relu(x) (the original) ---------------------
def activation_forward(h, kind: str):
    r = np.maximum(h, 0.0)
    return (r * r if kind == "relu2" else r), r


def activation_backward(dy, cache, kind: str):
    r = cache
    if kind == "relu2":
        return dy * (r + r)  # d(r²)/dh = 2r (and r = 0 where h <= 0)
    return dy * (r > 0)  # relu'(0) = 0, as the reference's Value.relu


# --- fused cross-entropy: log-sum-exp of shifted logits minus the target's ------------
def cross_entropy_forward(logits, weighted_targets, weights):
    """logits [N,V]; weights [N] (0 on padding); weighted_targets [N,V] = one-hot of each
    row's target times its weight -> (Σ_rows weight·nll, cache).

    nll = log Σ exp(shifted) - shifted[target], shifted = logits - row max. With weight
    1/(B·n_b) on a doc's first n_b positions the sum is the mean over docs of each doc's
    mean NLL: the reference's loss."""
    shifted = logits - _max(logits, -1, keepdims=True)  # [N,V]
    e = np.exp(shifted)
    sumexp = _sum(e, -1)  # [N]
    loss = float(np.log(sumexp).dot(weights)) - float(np.vdot(shifted, weighted_targets))
    return loss, (e, sumexp, weighted_targets, weights)


def cross_entropy_backward(cache):
    """-> dlogits [N,V] = weight · (softmax - onehot) (dloss = 1: the loss is the root)."""
    e, sumexp, weighted_targets, weights = cache
    dlogits = e * (weights / sumexp)[:, None]
    dlogits -= weighted_targets
    return dlogits
