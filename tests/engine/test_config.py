"""engine.config: the two presets, overrides, validation messages, dict round trip."""

from __future__ import annotations

import dataclasses

import pytest

from engine.backends import num_params
from engine.config import (
    MAX_BLOCK_SIZE,
    ConfigError,
    GPTConfig,
    RunConfig,
    TrainConfig,
    preset,
)


def params_for(name, **overrides):
    cfg = preset(name, **overrides)
    cfg.model.vocab_size = 27
    return num_params(cfg.model)


def test_preset_parameter_counts():
    assert params_for("optimized") == 3632
    assert params_for("original") == 4192
    # weight tying is exactly the lm_head matrix: 27 * 16 = 432 parameters
    assert params_for("optimized", weight_tying=False) == 3632 + 432
    # original's block_size 16 adds 8 more position rows of 16
    assert params_for("original") - 432 - 3632 == 8 * 16


def test_presets_differ_in_every_row_of_the_table():
    opt, orig = preset("optimized"), preset("original")
    expected = {
        "block_size": (8, 16), "init_std": (0.02, 0.08), "zero_init": (True, False),
        "weight_tying": (True, False), "activation": ("relu2", "relu"),
        "bos_first": (True, False),
    }
    for key, want in expected.items():
        assert (getattr(opt.model, key), getattr(orig.model, key)) == want, key
    train = {
        "num_steps": (500, 1000), "lr_schedule": ("cosine", "linear"), "beta1": (0.9, 0.85),
        "beta2": (0.95, 0.99), "adam_running_product": (True, False),
        "weight_decay": (1e-4, 0.0), "grad_clip": (1.0, None), "val_fraction": (0.1, 0.0),
        "val_every": (100, 0), "temperature": (0.6, 0.5), "top_k": (5, None),
        "timing": (True, False), "div_op": (True, False), "fused_ce": (True, False),
        "iterative_topo": (True, False), "sum_from_first": (True, False),
    }
    for key, want in train.items():
        assert (getattr(opt.train, key), getattr(orig.train, key)) == want, key
    assert opt.train.seed == orig.train.seed == 42


def test_overrides_go_to_the_right_part():
    cfg = preset("original", n_embd=32, num_steps=7, backend="reference", top_k=3)
    assert cfg.model.n_embd == 32 and cfg.train.num_steps == 7 and cfg.train.top_k == 3
    assert cfg.backend == "reference"
    assert cfg.model.block_size == 16  # the rest stays the preset's
    # presets are fresh objects: overriding one run does not change the next
    assert preset("original").model.n_embd == 16


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: preset("fastest"), "unknown preset 'fastest' (choose from optimized, original)"),
        (lambda: preset("optimized", n_emb=8), "unknown setting 'n_emb'"),
    ],
)
def test_unknown_names(call, message):
    with pytest.raises(ConfigError) as e:
        call()
    assert str(e.value) == message


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"n_embd": 10, "n_head": 4}, "n_embd (10) must be divisible by n_head (4)"),
        ({"n_embd": 0}, "n_embd must be a positive integer, got 0"),
        ({"n_head": -1}, "n_head must be a positive integer, got -1"),
        ({"n_layer": 0}, "n_layer must be a positive integer, got 0"),
        ({"block_size": 0}, "block_size must be a positive integer, got 0"),
        ({"block_size": 2.5}, "block_size must be a positive integer, got 2.5"),
        ({"n_embd": True}, "n_embd must be a positive integer, got True"),
        ({"block_size": MAX_BLOCK_SIZE + 1}, f"block_size {MAX_BLOCK_SIZE + 1} is too large"),
        ({"n_layer": 99}, "n_layer 99 is too large"),
        ({"n_embd": 4096, "n_head": 4}, "n_embd 4096 is too large"),
        ({"activation": "gelu"}, "activation must be 'relu' or 'relu2'"),
        ({"init_std": -1.0}, "init_std must be >= 0"),
        ({"num_steps": -5}, "num_steps must be a positive integer, got -5"),
        ({"num_steps": 0}, "num_steps must be a positive integer, got 0"),
        ({"learning_rate": 0.0}, "learning_rate must be > 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be > 0"),
        ({"lr_schedule": "step"}, "lr_schedule must be cosine, linear or constant"),
        ({"beta1": 1.0}, "beta1 and beta2 must be in [0, 1)"),
        ({"eps": 0.0}, "eps must be > 0"),
        ({"weight_decay": -0.1}, "weight_decay must be >= 0"),
        ({"grad_clip": 0.0}, "grad_clip must be > 0 or off"),
        ({"val_fraction": 1.0}, "val_fraction must be in [0, 1)"),
        ({"val_every": -1}, "val_every must be >= 0"),
        ({"val_docs": 0}, "val_docs must be a positive integer"),
        ({"temperature": 0.0}, "temperature must be > 0"),
        ({"top_k": 0}, "top_k must be a positive integer or off"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"seed": "x"}, "seed must be an integer"),
        ({"backend": "gpu"}, "unknown backend 'gpu' (choose from"),
    ],
)
def test_validation_messages(overrides, message):
    cfg = preset("optimized", **overrides)
    cfg.model.vocab_size = 27
    with pytest.raises(ConfigError) as e:
        cfg.validate()
    assert str(e.value).startswith(message), str(e.value)
    assert "\n" not in str(e.value)


def test_valid_presets_pass():
    for name in ("optimized", "original"):
        cfg = preset(name)
        cfg.validate()
        assert preset(name, top_k=None, grad_clip=None, val_every=0).validate() is None


def test_dict_round_trip_and_typos():
    cfg = preset("original", n_embd=8, n_head=2, backend="reference")
    again = RunConfig.from_dict(cfg.to_dict())
    assert again == cfg and again is not cfg
    assert cfg.copy() == cfg and cfg.copy().model is not cfg.model
    d = cfg.to_dict()
    d["train"]["learnig_rate"] = 0.1
    with pytest.raises(ConfigError, match="unknown TrainConfig setting.*learnig_rate"):
        RunConfig.from_dict(d)
    with pytest.raises(ConfigError, match="GPTConfig must be a JSON object"):
        RunConfig.from_dict({"model": [1, 2]})


def test_every_field_is_in_the_dict():
    d = preset("optimized").to_dict()
    assert set(d["model"]) == {f.name for f in dataclasses.fields(GPTConfig)}
    assert set(d["train"]) == {f.name for f in dataclasses.fields(TrainConfig)}
    assert GPTConfig(n_embd=16, n_head=4).head_dim == 4


def test_copy_is_independent_because_every_setting_is_a_scalar():
    """RunConfig.copy() copies each part shallowly: right only while no setting holds a
    mutable object. A list or dict field added later must change copy() too."""
    import dataclasses

    cfg = preset("original", n_embd=8)
    for part in (cfg.model, cfg.train):
        for f in dataclasses.fields(part):
            assert isinstance(getattr(part, f.name), (bool, int, float, str, type(None))), f.name
    twin = cfg.copy()
    assert twin == cfg and twin.model is not cfg.model and twin.train is not cfg.train
    twin.train.learning_rate, twin.model.n_head = 0.5, 2
    assert cfg.train.learning_rate != 0.5 and cfg.model.n_head != 2


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"learning_rate": "0.1"}, "learning_rate must be a number, got '0.1'"),
        ({"learning_rate": True}, "learning_rate must be a number, got True"),
        ({"temperature": None}, "temperature must be a number, got None"),
        ({"beta1": "x"}, "beta1 must be a number, got 'x'"),
        ({"init_std": "a"}, "init_std must be a number, got 'a'"),
        ({"grad_clip": "1"}, "grad_clip must be a number or off (None/null), got '1'"),
        ({"grad_clip": True}, "grad_clip must be a number or off (None/null), got True"),
        ({"top_k": True}, "top_k must be an integer or off (None/null), got True"),
        ({"top_k": 2.5}, "top_k must be an integer or off (None/null), got 2.5"),
        ({"zero_init": "yes"}, "zero_init must be true or false, got 'yes'"),
        ({"weight_tying": "no"}, "weight_tying must be true or false, got 'no'"),
        ({"timing": 3}, "timing must be true or false, got 3"),
        ({"num_samples": "a"}, "num_samples must be an integer, got 'a'"),
        ({"seed": True}, "seed must be an integer, got True"),
        ({"batch_size": True}, "batch_size must be a positive integer, got True"),
        ({"lr_schedule": 3}, "lr_schedule must be text, got 3"),
    ],
)
def test_a_setting_of_the_wrong_kind_is_named_not_a_type_error(overrides, message):
    # Settings also come from lesson files and checkpoints (JSON): a string where a number
    # belongs used to escape as "TypeError: '>' not supported ...", and "no" for a switch
    # was silently read as true.
    cfg = preset("optimized", **overrides)
    cfg.model.vocab_size = 27
    with pytest.raises(ConfigError) as e:
        cfg.validate()
    assert str(e.value) == message


def test_numpy_numbers_are_numbers():
    import numpy as np

    cfg = preset("optimized", learning_rate=np.float64(0.02), temperature=np.float32(0.5),
                 num_samples=np.int64(3))
    cfg.model.vocab_size = 27
    cfg.validate()
