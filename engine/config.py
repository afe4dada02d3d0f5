"""Configuration: the model's shape, the training recipe, and the two named presets.

Every row of the seed's "What's Changed" table (DESIGN.md §2) is a field here, so any
single optimization can be switched off and its effect measured (an ablation).

    optimized  the seed, "microgpt (optimized)": Karpathy's script + 14 changes
    original   Karpathy's latest single-file microgpt
"""

from __future__ import annotations

import copy
import dataclasses
import numbers
from dataclasses import dataclass, field

# Bigger than this and the pure-Python reference backend, the GUI and the tests stop
# being a "tiny" GPT; the numpy backend handles these limits comfortably.
MAX_N_EMBD = 1024
MAX_N_LAYER = 16
MAX_BLOCK_SIZE = 256


class ConfigError(ValueError):
    """An invalid setting; the message says which one and why."""


# A field's annotation -> (is the value acceptable, what to say it must be).
_TYPES = {
    "int": (lambda v: isinstance(v, numbers.Integral), "an integer"),
    "float": (lambda v: isinstance(v, numbers.Real), "a number"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "str": (lambda v: isinstance(v, str), "text"),
    "int | None": (lambda v: v is None or isinstance(v, numbers.Integral),
                   "an integer or off (None/null)"),
    "float | None": (lambda v: v is None or isinstance(v, numbers.Real),
                     "a number or off (None/null)"),
}


def check_types(obj, skip=()) -> None:
    """Every field of a config dataclass holds a value of its declared kind (settings
    arrive from JSON files too), so a wrong type is a clear ConfigError rather than a
    TypeError deep inside, or a string "no" silently read as true. skip: fields whose
    own check (with a more precise message) comes first."""
    for f in dataclasses.fields(obj):
        rule = _TYPES.get(str(f.type))
        if rule is None or f.name in skip:
            continue
        value = getattr(obj, f.name)
        ok, what = rule
        if not ok(value) or (isinstance(value, bool) and str(f.type) != "bool"):
            raise ConfigError(f"{f.name} must be {what}, got {value!r}")


@dataclass
class GPTConfig:
    """The network: sizes and the choices that change its shape or its starting weights."""

    n_embd: int = 16
    n_head: int = 4
    n_layer: int = 1
    block_size: int = 8
    vocab_size: int = 0  # set from the data by the Trainer
    init_std: float = 0.02
    zero_init: bool = True  # attn_wo and mlp_fc2 start at zero (still drawn with std 0)
    weight_tying: bool = True  # logits = x · wteᵀ, no separate lm_head
    activation: str = "relu2"  # "relu2" = relu(x)², "relu" = relu(x)
    bos_first: bool = True  # vocab: BOS = id 0 then sorted chars; else BOS = last id

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def validate(self) -> None:
        for name in ("n_embd", "n_head", "n_layer", "block_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        check_types(self)
        if self.n_embd % self.n_head:
            raise ConfigError(
                f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})"
            )
        if self.n_embd > MAX_N_EMBD:
            raise ConfigError(f"n_embd {self.n_embd} is too large (max {MAX_N_EMBD})")
        if self.n_layer > MAX_N_LAYER:
            raise ConfigError(f"n_layer {self.n_layer} is too large (max {MAX_N_LAYER})")
        if self.block_size > MAX_BLOCK_SIZE:
            raise ConfigError(
                f"block_size {self.block_size} is too large (max {MAX_BLOCK_SIZE})"
            )
        if self.activation not in ("relu", "relu2"):
            raise ConfigError(f"activation must be 'relu' or 'relu2', got {self.activation!r}")
        if not self.init_std >= 0:
            raise ConfigError(f"init_std must be >= 0, got {self.init_std!r}")


@dataclass
class TrainConfig:
    """The training and sampling recipe."""

    num_steps: int = 500
    learning_rate: float = 0.01
    lr_schedule: str = "cosine"  # "cosine" | "linear" | "constant"
    beta1: float = 0.9
    beta2: float = 0.95
    eps: float = 1e-8
    adam_running_product: bool = True  # bias correction by b1 *= β1 (else β1**(step+1))
    weight_decay: float = 1e-4  # decoupled (AdamW); 0 = plain Adam
    grad_clip: float | None = 1.0  # max global L2 norm; None = no clipping
    val_fraction: float = 0.1  # first int((1-f)·N) shuffled docs train, the rest validate
    val_every: int = 100  # validate every N steps (0 = never)
    val_docs: int = 20  # validation uses the first N val docs
    temperature: float = 0.6
    top_k: int | None = 5  # None = sample from the whole vocabulary
    num_samples: int = 20
    seed: int = 42
    batch_size: int = 1  # docs per step; 1 = the seed
    timing: bool = True  # print wall ms per step (the seed's "per-step timing")
    # Graph-level changes of the seed. They change the reference backend's graph (and
    # its node count), never the numbers; the numpy backend has no graph.
    div_op: bool = True  # a / b is one node (else a * b**-1: two)
    fused_ce: bool = True  # log-sum-exp cross-entropy (else softmax, then -log p)
    iterative_topo: bool = True  # iterative topological sort (else recursive)
    sum_from_first: bool = True  # sum(losses[1:], losses[0]) (else sum from Value(0))

    def validate(self) -> None:
        for name in ("num_steps", "val_every", "val_docs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name} must be a positive integer, got {value!r}"
                                  if name != "val_every" else
                                  f"val_every must be >= 0, got {value!r}")
        check_types(self)
        if not isinstance(self.num_steps, int) or self.num_steps <= 0:
            raise ConfigError(f"num_steps must be a positive integer, got {self.num_steps!r}")
        if not (self.learning_rate > 0) or self.learning_rate != self.learning_rate:
            raise ConfigError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if self.lr_schedule not in ("cosine", "linear", "constant"):
            raise ConfigError(
                f"lr_schedule must be cosine, linear or constant, got {self.lr_schedule!r}"
            )
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ConfigError("beta1 and beta2 must be in [0, 1)")
        if not self.eps > 0:
            raise ConfigError(f"eps must be > 0, got {self.eps!r}")
        if not self.weight_decay >= 0:
            raise ConfigError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ConfigError(f"grad_clip must be > 0 or off, got {self.grad_clip!r}")
        if not 0 <= self.val_fraction < 1:
            raise ConfigError(f"val_fraction must be in [0, 1), got {self.val_fraction!r}")
        if not isinstance(self.val_every, int) or self.val_every < 0:
            raise ConfigError(f"val_every must be >= 0, got {self.val_every!r}")
        if not isinstance(self.val_docs, int) or self.val_docs <= 0:
            raise ConfigError(f"val_docs must be a positive integer, got {self.val_docs!r}")
        if not self.temperature > 0:
            raise ConfigError(f"temperature must be > 0, got {self.temperature!r}")
        if self.top_k is not None and (not isinstance(self.top_k, int) or self.top_k <= 0):
            raise ConfigError(f"top_k must be a positive integer or off, got {self.top_k!r}")
        if not isinstance(self.batch_size, int) or self.batch_size <= 0:
            raise ConfigError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if not isinstance(self.seed, int):
            raise ConfigError(f"seed must be an integer, got {self.seed!r}")


@dataclass
class RunConfig:
    """Everything a run needs: model + training recipe + which backend computes it."""

    model: GPTConfig = field(default_factory=GPTConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    backend: str = "numpy"

    def validate(self) -> None:
        self.model.validate()
        self.train.validate()
        from .backends import BACKENDS  # local import: backends import config

        if self.backend not in BACKENDS:
            raise ConfigError(
                f"unknown backend {self.backend!r} (choose from {', '.join(BACKENDS)})"
            )

    def to_dict(self) -> dict:
        return {
            "model": dataclasses.asdict(self.model),
            "train": dataclasses.asdict(self.train),
            "backend": self.backend,
        }

    @classmethod
    def from_dict(cls, d: dict) -> RunConfig:
        """Inverse of to_dict; unknown keys are an error (a typo must not pass silently)."""
        try:
            model = _from_fields(GPTConfig, d.get("model", {}))
            train = _from_fields(TrainConfig, d.get("train", {}))
        except TypeError as e:
            raise ConfigError(str(e)) from None
        return cls(model=model, train=train, backend=d.get("backend", "numpy"))

    def copy(self) -> RunConfig:
        """An independent copy. Every field of GPTConfig and TrainConfig is a scalar, so
        copying each part shallowly is enough (and ~20x cheaper than via to_dict: the
        time-lapse copies the config at every snapshot, on the training thread)."""
        return RunConfig(model=copy.copy(self.model), train=copy.copy(self.train),
                         backend=self.backend)


def _from_fields(klass, values: dict):
    if not isinstance(values, dict):
        raise ConfigError(f"{klass.__name__} must be a JSON object")
    names = {f.name for f in dataclasses.fields(klass)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ConfigError(f"unknown {klass.__name__} setting(s): {', '.join(unknown)}")
    return klass(**values)


def preset(name: str, **overrides) -> RunConfig:
    """A fresh RunConfig for a named preset. Overrides go to whichever part owns the key."""
    if name == "optimized":
        cfg = RunConfig()
    elif name == "original":
        cfg = RunConfig(
            model=GPTConfig(
                block_size=16,
                init_std=0.08,
                zero_init=False,
                weight_tying=False,
                activation="relu",
                bos_first=False,
            ),
            train=TrainConfig(
                num_steps=1000,
                lr_schedule="linear",
                beta1=0.85,
                beta2=0.99,
                adam_running_product=False,
                weight_decay=0.0,
                grad_clip=None,
                val_fraction=0.0,
                val_every=0,
                temperature=0.5,
                top_k=None,
                timing=False,
                div_op=False,
                fused_ce=False,
                iterative_topo=False,
                sum_from_first=False,
            ),
        )
    else:
        raise ConfigError(f"unknown preset {name!r} (choose from {', '.join(PRESETS)})")
    model_fields = {f.name for f in dataclasses.fields(GPTConfig)}
    train_fields = {f.name for f in dataclasses.fields(TrainConfig)}
    for key, value in overrides.items():
        if key == "backend":
            cfg.backend = value
        elif key in model_fields:
            setattr(cfg.model, key, value)
        elif key in train_fields:
            setattr(cfg.train, key, value)
        else:
            raise ConfigError(f"unknown setting {key!r}")
    return cfg


PRESETS = ("optimized", "original")
