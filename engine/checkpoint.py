"""Checkpoints: one .npz file, no pickle.

Arrays: `param/<name>`, `adam_m/<name>`, `adam_v/<name>` (float64, state-dict order), and
`meta.json`, the UTF-8 bytes of a JSON document: format/version, the run config, steps
done, Adam's running products, the RNG state, the vocabulary, where the data came from
and a hash of the shuffled documents, plus an optional `extra` dict for the GUI (curves).

Loading rebuilds the Trainer from the same data and seed (so the shuffle and split are
the same), checks the vocabulary and documents match, then puts weights, Adam state and
RNG state back: continuing gives exactly the numbers of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .config import ConfigError, RunConfig
from .data import DataError, Dataset, load_dataset
from .download import MAKEMORE, MAKEMORE_FILE, is_cached, is_makemore_copy, makemore_path
from .pipe_input import read_once
from .safe_write import write_safely

FORMAT = "microgpt-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; str() is a one-line message naming the file."""


class CheckpointDataError(CheckpointError):
    """The checkpoint is fine, but its training data cannot be reloaded, or the documents
    given are not the ones it was trained on."""


def docs_hash(docs: list[str]) -> str:
    h = hashlib.sha256()
    for d in docs:
        h.update(d.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _rng_state_to_json(state) -> list:
    version, internal, gauss_next = state
    return [version, list(internal), gauss_next]


def _rng_state_from_json(obj) -> tuple:
    version, internal, gauss_next = obj
    return (version, tuple(internal), gauss_next)


def _source_for_meta(source: str) -> str:
    """Where the data came from, as a checkpoint records it: a file path made absolute, so
    the checkpoint can be opened from any working directory; Karpathy's makemore names
    as "makemore", not this user's cache path, which another computer does not have."""
    if source.startswith("bundled:") or source in ("memory", MAKEMORE):
        return source
    if is_makemore_copy(source):
        return MAKEMORE
    return os.path.abspath(source)


def save_checkpoint(trainer, path, extra: dict | None = None) -> None:
    """Write atomically (engine/safe_write.py), so a crash never leaves half a checkpoint.
    A folder or file that cannot be written raises CheckpointError naming `path`."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path}: is a directory, need a file name")
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "config": trainer.config.to_dict(),
        "step": trainer.step_num,
        "b1_t": trainer.b1_t,
        "b2_t": trainer.b2_t,
        "rng_state": _rng_state_to_json(trainer.rng.getstate()),
        "vocab": trainer.tokenizer.chars,
        "bos_first": trainer.tokenizer.bos_first,
        "data_source": _source_for_meta(trainer.dataset.source),
        "data_name": trainer.dataset.name,
        "num_docs": len(trainer.docs),
        "docs_sha256": docs_hash(trainer.docs),
        "last_val_loss": trainer.last_val_loss,
        "extra": extra or {},
    }
    arrays = {"meta.json": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)}
    for k in trainer.params:
        arrays[f"param/{k}"] = trainer.params[k]
        arrays[f"adam_m/{k}"] = trainer.m[k]
        arrays[f"adam_v/{k}"] = trainer.v[k]
    write_safely(path, lambda f: np.savez(f, **arrays), CheckpointError)


def read_checkpoint(path, arrays: bool = True) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) of a checkpoint file, or CheckpointError saying what is wrong.
    arrays=False reads only the metadata (the arrays dict is then empty): a quick look
    at the settings and step before anything big is read."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path}: no such file")
    if path.is_dir():
        raise CheckpointError(f"{path}: is a directory, not a checkpoint")
    try:  # a pipe (`--checkpoint <(...)`) is read once, into memory
        source = read_once(path)
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read ({e.strerror or e})") from None
    if not zipfile.is_zipfile(source):
        raise CheckpointError(
            f"{path}: not a microgpt checkpoint, or truncated (not a valid .npz archive)"
        )
    if not isinstance(source, Path):
        source.seek(0)  # (is_zipfile read its end)
    want = arrays
    try:
        with np.load(source, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files if want or k == "meta.json"}
    except Exception as e:  # any failure to parse the file is damage to it
        # Besides OSError/ValueError/BadZipFile/EOFError, damaged bytes make the readers
        # raise e.g. tokenize.TokenError (a .npy header) or NotImplementedError (a zip
        # compression method); all mean the same to the user, and none may be a traceback.
        raise CheckpointError(f"{path}: corrupt or truncated checkpoint ({e})") from None
    raw = arrays.pop("meta.json", None)
    if raw is None:
        raise CheckpointError(f"{path}: not a microgpt checkpoint (no meta.json entry)")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: corrupt checkpoint metadata ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a microgpt checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint version {meta.get('version')!r} is not supported "
            f"(this program reads version {VERSION})"
        )
    return meta, arrays


def load_checkpoint(path, dataset: Dataset | None = None, backend: str | None = None):
    """A Trainer restored from `path`. dataset: the documents to use (default: reload from
    the source recorded in the checkpoint); they must be the ones it was trained on.
    backend: compute with this backend instead of the recorded one (the same numbers)."""
    from .trainer import Trainer

    path = Path(path)
    meta, arrays = read_checkpoint(path)
    config = checkpoint_config(path, meta)
    other_backend = backend is not None and backend != config.backend
    if other_backend:
        config.backend = backend
        config.validate()  # ConfigError names the unknown backend
    try:
        if dataset is None:
            dataset = load_dataset(_data_source(path, meta))
        trainer = Trainer(config, dataset)
    except DataError as e:
        raise CheckpointDataError(f"{path}: cannot reload its training data: {e}") from None
    except ConfigError as e:
        if other_backend:  # e.g. too big for the reference backend: not the file's fault
            raise ConfigError(f"{path} on the {backend} backend: {e}") from None
        raise CheckpointError(f"{path}: invalid settings in checkpoint: {e}") from None
    except TypeError as e:
        raise CheckpointError(f"{path}: invalid settings in checkpoint: {e}") from None
    if trainer.tokenizer.chars != meta.get("vocab") or len(trainer.docs) != meta.get("num_docs"):
        raise CheckpointDataError(
            f"{path}: the training data does not match this checkpoint "
            f"(vocabulary or number of documents differ)"
        )
    if docs_hash(trainer.docs) != meta.get("docs_sha256"):
        raise CheckpointDataError(
            f"{path}: the training data has changed since this checkpoint")
    for k, p in trainer.params.items():
        for prefix, target in (("param", trainer.params), ("adam_m", trainer.m),
                               ("adam_v", trainer.v)):
            a = arrays.get(f"{prefix}/{k}")
            if a is None:
                raise CheckpointError(f"{path}: missing array {prefix}/{k}")
            if a.shape != p.shape:
                raise CheckpointError(
                    f"{path}: {prefix}/{k} has shape {a.shape}, the model needs {p.shape}"
                )
            target[k][...] = a  # in place: keep any views the trainer holds
    try:
        trainer.step_num = int(meta["step"])
        trainer.b1_t = float(meta["b1_t"])
        trainer.b2_t = float(meta["b2_t"])
        trainer.rng.setstate(_rng_state_from_json(meta["rng_state"]))
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: corrupt training state in checkpoint ({e})") from None
    trainer.last_val_loss = meta.get("last_val_loss")
    extra = meta.get("extra")
    trainer.checkpoint_extra = extra if isinstance(extra, dict) else {}
    return trainer


def checkpoint_config(path, meta: dict) -> RunConfig:
    """The run's settings from a checkpoint's metadata, validated (vocab_size included)."""
    try:
        if not isinstance(meta["config"], dict):
            raise ConfigError(f"'config' is {type(meta['config']).__name__}, not an object")
        config = RunConfig.from_dict(meta["config"])
        config.validate()
    except KeyError as e:
        raise CheckpointError(f"{path}: checkpoint metadata lacks {e.args[0]!r}") from None
    except (ConfigError, TypeError, AttributeError) as e:
        raise CheckpointError(f"{path}: invalid settings in checkpoint: {e}") from None
    return config


def _data_source(path: Path, meta: dict) -> str:
    """The recorded data source. An older checkpoint may hold a path relative to the
    folder it was trained in: if that is not found from here, try beside the checkpoint."""
    source = meta.get("data_source")
    if not isinstance(source, str) or not source:
        raise CheckpointError(f"{path}: checkpoint metadata has no valid 'data_source'")
    if source == MAKEMORE or (Path(source).name == MAKEMORE_FILE and not os.path.exists(source)):
        # (the second: an older checkpoint holding another computer's cache path)
        if not is_cached():
            raise DataError("the makemore names are not on this computer yet: download "
                            "them first (the app's Data ▸ makemore, or `microgpt train "
                            "--data makemore`), or name the file with --data")
        return str(makemore_path())
    if source.startswith("bundled:") or os.path.isabs(source) or os.path.exists(source):
        return source
    beside = path.resolve().parent / source
    return str(beside) if beside.exists() else source


def load_inference(path):
    """(Inference, rng) from a checkpoint, without its training data: the weights, the
    vocabulary and the settings are all in the file, which is all sampling needs. rng is
    the run's random generator as saved, so sampling continues where training stopped."""
    import random

    from .backends import make_backend, param_shapes
    from .data import Tokenizer
    from .sampling import Inference

    path = Path(path)
    meta, arrays = read_checkpoint(path)
    config = checkpoint_config(path, meta)
    vocab = meta.get("vocab")
    if not isinstance(vocab, list) or not all(isinstance(c, str) and len(c) == 1
                                              for c in vocab):
        raise CheckpointError(f"{path}: corrupt checkpoint metadata (bad 'vocab')")
    tokenizer = Tokenizer(vocab, bool(meta.get("bos_first", config.model.bos_first)))
    if tokenizer.vocab_size != config.model.vocab_size:
        raise CheckpointError(f"{path}: corrupt checkpoint metadata (vocabulary of "
                              f"{tokenizer.vocab_size}, settings say "
                              f"{config.model.vocab_size})")
    params = {}
    for k, shape in param_shapes(config.model).items():
        a = arrays.get(f"param/{k}")
        if a is None:
            raise CheckpointError(f"{path}: missing array param/{k}")
        if a.shape != tuple(shape):
            raise CheckpointError(
                f"{path}: param/{k} has shape {a.shape}, the model needs {tuple(shape)}")
        params[k] = np.asarray(a, dtype=np.float64)
    rng = random.Random()
    try:
        rng.setstate(_rng_state_from_json(meta["rng_state"]))
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: corrupt training state in checkpoint ({e})") from None
    backend = make_backend(config.backend, config.model, config.train)
    return Inference(config, tokenizer, backend, params), rng
