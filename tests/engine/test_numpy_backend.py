"""The numpy backend against the reference backend (the oracle) and finite differences.

- every layer's backward against central finite differences of its forward;
- whole-model loss, gradients, logits and attention against the reference backend;
- training parity for random small configs (sizes and every math flag), batch 1 and >1;
- attention rows sum to 1 and are causal;
- bigger models and batches train without error and the loss falls.
Reference-backend runs use tiny models so the whole file takes a few seconds.
"""

import random

import numpy as np
import pytest

from engine import Trainer, preset
from engine import layers as L
from engine.backends import init_params, make_backend
from engine.numpy_backend import NumpyBackend
from engine.reference import ReferenceBackend

DOCS = ["anna", "bob", "cecilia", "dave", "eve", "ada", "abe", "bea", "cab", "dee",
        "ed", "fay", "gabe", "jo", "kai", "liz", "mo", "ned", "olga", "pia", "quinn"]


# --- per layer: backward against finite differences ------------------------------------
def numeric_grad(f, x, h=1e-6):
    """d f(x) / dx by central differences, entry by entry (x is changed and restored)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f()
        x[idx] = old - h
        down = f()
        x[idx] = old
        g[idx] = (up - down) / (2 * h)
    return g


def check(analytic, numeric):
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_rmsnorm_backward(rng):
    x, r = rng.normal(size=(5, 8)), rng.normal(size=(5, 8))
    y, cache = L.rmsnorm_forward(x)
    np.testing.assert_allclose(y, x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-5))
    check(L.rmsnorm_backward(r, cache),
          numeric_grad(lambda: (L.rmsnorm_forward(x)[0] * r).sum(), x))


def test_linear_backward(rng):
    x, w, r = rng.normal(size=(5, 6)), rng.normal(size=(4, 6)), rng.normal(size=(5, 4))
    _, cache = L.linear_forward(x, w)
    dx, dw = L.linear_backward(r, cache)
    f = lambda: (L.linear_forward(x, w)[0] * r).sum()  # noqa: E731
    check(dx, numeric_grad(f, x))
    check(dw, numeric_grad(f, w))
    out = np.empty_like(w)
    assert L.linear_backward(r, cache, out)[1] is out  # written in place when asked


@pytest.mark.parametrize("kind", ["relu", "relu2"])
def test_activation_backward(rng, kind):
    h = rng.normal(size=(4, 7))
    h[np.abs(h) < 1e-3] = 0.5  # keep finite differences away from the kink at 0
    r = rng.normal(size=h.shape)
    _, cache = L.activation_forward(h, kind)
    check(L.activation_backward(r, cache, kind),
          numeric_grad(lambda: (L.activation_forward(h, kind)[0] * r).sum(), h))


@pytest.mark.parametrize("B", [1, 3])
def test_attention_backward(rng, B):
    T, H, D = 5, 2, 3
    qkv, r = rng.normal(size=(B * T, 3 * H * D)), rng.normal(size=(B * T, H * D))
    mask = L.causal_mask(T)
    _, cache = L.attention_forward(qkv, B, T, H, mask)
    check(L.attention_backward(r, cache),
          numeric_grad(lambda: (L.attention_forward(qkv, B, T, H, mask)[0] * r).sum(), qkv))


@pytest.mark.parametrize("B", [1, 2])
def test_embedding_backward(rng, B):
    V, T, C, block = 6, 4, 3, 7
    wte, wpe = rng.normal(size=(V, C)), rng.normal(size=(block, C))
    tokens = rng.integers(0, V, size=B * T)
    tokens[1] = tokens[2]  # a repeated token: its gradient rows must add up
    onehot = np.eye(V)[tokens]
    r = rng.normal(size=(B * T, C))
    x, cache = L.embedding_forward(wte, wpe, onehot, B, T)
    np.testing.assert_array_equal(x, wte[tokens] + np.tile(wpe[:T], (B, 1)))
    dwte, dwpe = L.embedding_backward(r, cache, np.empty((V, C)), np.empty((block, C)))
    f = lambda: (L.embedding_forward(wte, wpe, onehot, B, T)[0] * r).sum()  # noqa: E731
    check(dwte, numeric_grad(f, wte))
    check(dwpe, numeric_grad(f, wpe))
    assert not dwpe[T:].any()  # unused positions get exactly zero


def test_cross_entropy_backward(rng):
    N, V = 6, 5
    logits = rng.normal(size=(N, V))
    targets = rng.integers(0, V, size=N)
    weights = np.array([0.25, 0.25, 0.25, 0.25, 0.0, 0.0])  # two padded rows
    wt = np.eye(V)[targets] * weights[:, None]
    loss, cache = L.cross_entropy_forward(logits, wt, weights)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    assert loss == pytest.approx(-(weights * np.log(p[np.arange(N), targets])).sum(), rel=1e-12)
    dlogits = L.cross_entropy_backward(cache)
    check(dlogits, numeric_grad(lambda: L.cross_entropy_forward(logits, wt, weights)[0], logits))
    assert not dlogits[4:].any()  # padding contributes nothing


# --- whole model against the reference backend -------------------------------------------
def tiny(vocab=7, **overrides):
    cfg = preset("optimized", **{"n_embd": 8, "n_head": 2, "block_size": 6, **overrides})
    cfg.model.vocab_size = vocab
    cfg.model.init_std = 0.3  # large enough that every path carries signal
    cfg.model.zero_init = False
    return cfg


def both(cfg, seed=0):
    params = init_params(cfg.model, random.Random(seed))
    return params, NumpyBackend(cfg.model, cfg.train), ReferenceBackend(cfg.model, cfg.train)


def assert_grads_equal(got, want):
    assert list(got) == list(want)  # same names, state-dict order
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-9, atol=1e-13, err_msg=k)


@pytest.mark.parametrize("overrides", [
    {},
    {"activation": "relu", "weight_tying": False},
    {"n_layer": 2, "n_head": 4},
])
@pytest.mark.parametrize("batch", [
    [[0, 3, 1, 4, 1, 0]],
    [[0, 2, 5, 6, 1, 2, 3, 4, 0]],  # longer than block_size: cut to 6 positions
    [[0, 3, 1, 4, 1, 0], [0, 2, 2, 0], [0, 5, 0]],  # different lengths: padded + masked
])
def test_loss_and_grads_match_reference(overrides, batch):
    params, fast, ref = both(tiny(**overrides))
    loss, grads, nodes = fast.loss_and_grads(params, batch)
    ref_loss, ref_grads, _ = ref.loss_and_grads(params, batch)
    assert nodes is None
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert_grads_equal(grads, ref_grads)
    np.testing.assert_array_equal(grads.flat, np.concatenate([g.ravel() for g in grads.values()]))


def test_grads_are_fresh_arrays():
    params, fast, _ = both(tiny())
    g1 = fast.loss_and_grads(params, [[0, 1, 2, 0]])[1]
    keep = {k: v.copy() for k, v in g1.items()}
    fast.loss_and_grads(params, [[0, 3, 4, 5, 0]])
    assert_grads_equal(g1, keep)  # a later call must not overwrite an earlier result


def test_logits_and_attention_match_reference():
    params, fast, ref = both(tiny(n_layer=2))
    for tokens in ([0], [0, 3], [0, 3, 1, 4, 1, 2], [0, 3, 1, 4, 1, 2, 5, 6]):
        np.testing.assert_allclose(fast.logits(params, tokens), ref.logits(params, tokens),
                                   rtol=1e-12, atol=1e-14)
        att = fast.attention(params, tokens)
        np.testing.assert_allclose(att, ref.attention(params, tokens), rtol=1e-12, atol=1e-15)
        T = min(len(tokens), 6)
        assert att.shape == (2, 2, T, T)
        np.testing.assert_allclose(att.sum(-1), 1.0, rtol=1e-12)
        assert (att >= 0).all()
        assert not np.triu(att, 1).any()  # causal: exactly zero above the diagonal


# --- training parity: random small configs -------------------------------------------------
def random_config(seed):
    r = random.Random(seed)
    n_head = r.choice([1, 2])
    cfg = preset(
        r.choice(["optimized", "original"]),
        n_head=n_head, n_embd=n_head * r.choice([2, 3, 4]), n_layer=r.choice([1, 2]),
        block_size=r.randint(3, 7), init_std=r.choice([0.05, 0.3]),
        zero_init=r.random() < 0.5, weight_tying=r.random() < 0.5,
        activation=r.choice(["relu", "relu2"]), lr_schedule=r.choice(["cosine", "linear",
                                                                         "constant"]),
        grad_clip=r.choice([None, 0.5]), weight_decay=r.choice([0.0, 1e-2]),
        adam_running_product=r.random() < 0.5, learning_rate=r.choice([0.01, 0.05]),
        num_steps=20, val_every=0, seed=seed,
    )
    return cfg


def train_both(cfg, docs, steps):
    runs = []
    for backend in ("numpy", "reference"):
        c = cfg.copy()
        c.backend = backend
        t = Trainer(c, docs)
        runs.append((t, [t.step() for _ in range(steps)]))
    return runs


@pytest.mark.parametrize("seed", range(5))
def test_training_parity_random_configs(seed):
    cfg = random_config(seed)
    (fast, fs), (ref, rs) = train_both(cfg, DOCS, 20)
    for a, b in zip(fs, rs, strict=True):
        assert a.loss == pytest.approx(b.loss, rel=1e-9), (seed, a.step)
        assert a.grad_norm == pytest.approx(b.grad_norm, rel=1e-9), (seed, a.step)
        assert a.lr == b.lr and a.clipped == b.clipped
    for k in ref.params:
        np.testing.assert_allclose(fast.params[k], ref.params[k], rtol=1e-8, atol=1e-12)
    assert fast.sample(5) == ref.sample(5)  # same RNG use, same distributions


def test_training_parity_batches():
    cfg = preset("optimized", n_embd=8, n_head=2, block_size=5, batch_size=3, num_steps=8,
                 val_every=4, val_docs=3)
    (fast, fs), (ref, rs) = train_both(cfg, DOCS, 8)
    for a, b in zip(fs, rs, strict=True):
        assert a.loss == pytest.approx(b.loss, rel=1e-9)
        assert a.grad_norm == pytest.approx(b.grad_norm, rel=1e-9)
        assert (a.val_loss is None) == (b.val_loss is None)
        if a.val_loss is not None:
            assert a.val_loss == pytest.approx(b.val_loss, rel=1e-9)


def test_graph_only_flags_change_nothing():
    base = preset("optimized", num_steps=10, val_every=0)
    off = preset("optimized", num_steps=10, val_every=0, div_op=False, fused_ce=False,
                 iterative_topo=False, sum_from_first=False)
    a, b = Trainer(base, DOCS), Trainer(off, DOCS)
    assert [a.step().loss for _ in range(10)] == [b.step().loss for _ in range(10)]


def test_default_backend_is_numpy():
    assert preset("optimized").backend == "numpy"
    assert isinstance(Trainer(None, DOCS).backend, NumpyBackend)
    assert isinstance(make_backend("numpy", tiny().model, tiny().train), NumpyBackend)


# --- bigger models and batches -----------------------------------------------------------
NAMES = [a + b for a in ("ma", "el", "jo", "an", "ka", "ro", "li", "sa")
         for b in ("ria", "bel", "nathan", "tonia", "rlos", "bert", "sa", "ndra")]


@pytest.mark.parametrize("overrides", [
    {"n_layer": 8, "n_embd": 32, "n_head": 4, "block_size": 16, "batch_size": 4},
    {"n_layer": 1, "n_embd": 256, "n_head": 8, "block_size": 16, "batch_size": 2},
    {"n_layer": 2, "n_embd": 32, "n_head": 4, "block_size": 64, "batch_size": 4},
    {"n_layer": 1, "n_embd": 16, "n_head": 4, "block_size": 16, "batch_size": 32},
])
def test_bigger_models_train(overrides):
    long = [n * 8 for n in NAMES[:8]]  # 48+ characters: fills a 64-position block
    docs = NAMES + long if overrides["block_size"] == 64 else NAMES
    cfg = preset("optimized", num_steps=30, val_every=0, val_fraction=0.0,
                 learning_rate=0.01, **overrides)
    t = Trainer(cfg, docs)
    probe = docs[:16]
    before = t.inference().mean_nll(probe)
    stats = [t.step() for _ in range(30)]
    after = t.inference().mean_nll(probe)
    assert all(np.isfinite(s.loss) and np.isfinite(s.grad_norm) for s in stats)
    assert after < before - 0.3, (before, after)
    att, labels = t.attention(docs[-1])
    T = min(len(docs[-1]) + 1, overrides["block_size"])
    assert att.shape == (overrides["n_layer"], overrides["n_head"], T, T) and len(labels) == T
    np.testing.assert_allclose(att.sum(-1), 1.0, rtol=1e-12)
    assert not np.triu(att, 1).any()


def test_step_can_attach_attention():
    t = Trainer(preset("optimized", num_steps=5), DOCS)
    plain = t.step()
    assert plain.attention is None
    st = t.step(capture_attention=True)
    assert st.attention.shape == (1, 4, len(st.doc) + 1, len(st.doc) + 1)
    assert st.attention_labels[1:] == list(st.doc)


def test_blas_held_to_one_thread():
    import os

    from engine.blas_threads import blas_threads

    NumpyBackend(tiny().model, tiny().train)
    chosen = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    if blas_threads() is None or chosen:
        pytest.skip("no bundled OpenBLAS found, or the user chose a thread count")
    assert blas_threads() == 1


def test_trainer_weights_live_in_one_flat_buffer():
    """The Trainer keeps weights and Adam moments as views into flat vectors (Adam and
    clipping are whole-vector ops); assigning an entry must copy into its view."""
    t = Trainer(preset("optimized", num_steps=5), DOCS)
    flat = t.params.flat
    assert all(np.shares_memory(p, flat) for p in t.params.values())
    assert flat.size == t.num_params
    before = flat.copy()
    t.step()
    assert t.params.flat is flat and not np.array_equal(flat, before)  # updated in place
    assert np.count_nonzero(t.m.flat) and np.count_nonzero(t.v.flat)
    t.params["wpe"] = np.ones_like(t.params["wpe"])
    assert np.shares_memory(t.params["wpe"], flat) and (t.params["wpe"] == 1).all()
    with pytest.raises(ValueError):
        t.params["wpe"] = np.ones((2, 2))
    with pytest.raises(KeyError):
        t.params["no_such_matrix"] = np.ones((2, 2))
    t.params = {k: np.zeros_like(p) for k, p in t.params.items()}  # whole dict: copied in
    assert not t.params.flat.any() and np.shares_memory(t.params["wte"], t.params.flat)


def test_a_big_vocabulary_costs_no_vocab_squared_memory(monkeypatch):
    # One-hot rows were taken from a V×V identity matrix, built twice (the backend and its
    # fused step): a Chinese text's 6,000 characters made that 2 × 288 MB where the cost
    # estimate (engine/cost.py), which decides what may be built, said about 1 MB.
    import tracemalloc

    cfg = tiny(vocab=6000)
    tracemalloc.start()
    try:
        big = NumpyBackend(cfg.model, cfg.train)
        built = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert built < 20 * 2**20, f"{built / 2**20:.0f} MB to build the backend"
    # the same numbers as one-hot rows from the identity matrix (the same exact 0/1 rows)
    monkeypatch.setattr(L, "EYE_MAX_VOCAB", 10**6)
    eye = NumpyBackend(cfg.model, cfg.train)
    params = init_params(cfg.model, random.Random(0))
    for batch in ([[0, 5999, 17, 4000, 0]], [[0, 5999, 17, 4000, 0], [0, 3, 0]]):
        loss, grads, _ = big.loss_and_grads(params, batch)
        want_loss, want, _ = eye.loss_and_grads(params, batch)
        assert loss == want_loss
        np.testing.assert_array_equal(grads.flat, want.flat)
    np.testing.assert_array_equal(big.logits(params, [0, 5, 5999]),
                                  eye.logits(params, [0, 5, 5999]))
