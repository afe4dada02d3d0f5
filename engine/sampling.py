"""Sampling and inference on a fixed set of weights: next-token distributions, temperature
and top-k sampling with the seed's RNG use, attention maps and per-letter losses.

`Inference` is what the GUI samples from: Trainer.snapshot() hands it a copy of the
weights, so it works while training runs and never touches the training RNG.
"""

from __future__ import annotations

import heapq
import math
import random
import unicodedata

import numpy as np

from .data import Tokenizer

CONFIG = object()  # "use the run's configured value" (None already means "off" for top_k)

# Characters a message cannot show as themselves: named instead.
CHAR_NAMES = {" ": "space", "\t": "tab", "\n": "line break", "\r": "carriage return",
              "\u00a0": "no-break space", "\u200b": "zero-width space",
              "\u3000": "ideographic space", "\ufeff": "byte order mark"}
MAX_KNOWN_SHOWN = 80  # characters of the vocabulary listed in a message


def char_name(ch: str) -> str:
    """One character as a message can show it: “#” between quotes, or by name when it
    would be invisible or confusing on its own (space, tab, a combining accent, ...)."""
    if ch in CHAR_NAMES:
        return CHAR_NAMES[ch]
    if ch.isspace() or not ch.isprintable() or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        name = unicodedata.name(ch, "")
        return f"{name.lower()} (U+{ord(ch):04X})" if name else f"U+{ord(ch):04X}"
    return f"“{ch}”"


def _known(chars) -> str:
    """The vocabulary as a message lists it: visible characters, runs of consecutive ones
    as "a–z", then invisible ones by name."""
    visible = sorted(c for c in chars if char_name(c) == f"“{c}”")
    runs: list[list[str]] = []
    for c in visible:
        if runs and ord(c) == ord(runs[-1][-1]) + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    shown = " ".join(f"{r[0]}–{r[-1]}" if len(r) >= 3 else " ".join(r) for r in runs)
    if len(shown) > MAX_KNOWN_SHOWN:
        shown = shown[:MAX_KNOWN_SHOWN].rstrip() + " …"
    named = [char_name(c) for c in chars if char_name(c) != f"“{c}”"]
    return ", ".join(([shown] if shown else []) + named)


def _case_swapped(c: str, known: set) -> str | None:
    """c in the other case when only that one is in the dataset, else None."""
    return next((x for x in (c.lower(), c.upper()) if x != c and x in known), None)


def context_problem(prefix: str, block_size: int) -> str:
    """Why a prefix leaves nothing to generate ('' if it does not): the model reads BOS +
    at most block_size - 1 characters, and a name has at most block_size."""
    if len(prefix) < block_size:
        return ""
    return (f"The prefix is {len(prefix)} characters; this model reads at most "
            f"{block_size - 1} after the start token (its context is {block_size} tokens), "
            f"so there is nothing left to generate. Shorten the prefix to {block_size - 1} "
            "characters or fewer.")


def prefix_problem(prefix: str, chars, block_size: int) -> str:
    """Why names cannot be generated after `prefix` ('' if they can), in words a user can
    act on: unknown characters shown visibly (named when invisible), a case mismatch with
    the form that would work, a prefix that fills the model's context."""
    chars = [c for c in chars if len(c) == 1]
    known = set(chars)
    missing = [c for c in dict.fromkeys(prefix) if c not in known]  # in prefix order
    parts = []
    if missing:
        names = []
        for c in missing:
            where = ""
            if c.isspace() and prefix.strip():
                where = (" (at the end of the prefix)" if prefix.endswith(c) else
                         " (at the start of the prefix)" if prefix.startswith(c) else "")
            names.append(char_name(c) + where)
        parts.append(f"Not in this dataset's characters: {', '.join(names)}.")
        swapped = {c: _case_swapped(c, known) for c in missing}
        other = [c for c in missing if swapped[c] is None]
        letters = [c for c in chars if c.isalpha()]
        case = ("lower" if letters and all(c.islower() for c in letters) else
                "upper" if letters and all(c.isupper() for c in letters) else "")
        if len(other) < len(missing):  # some only in the other case
            fixed = "".join(swapped.get(c) or c for c in prefix)
            hint = f"This dataset has only {case}-case letters" if case else "Mind the case"
            parts.append(f"{hint}: try “{fixed}”." if not other else f"{hint}.")
        if other:
            parts.append(f"It has: {_known(chars)}.")
    too_long = context_problem(prefix, block_size)
    if too_long:
        parts.append(too_long)
    return " ".join(parts)


def prefix_note(prefix: str, block_size: int) -> str:
    """What a user might not expect from a valid prefix ('' if nothing)."""
    if prefix and len(prefix) == block_size - 1:
        return (f"After a {len(prefix)}-character prefix only one more letter fits: this "
                f"model's names are at most {block_size} characters.")
    return ""


def token_weights(logits, temperature: float, top_k: int | None):
    """Candidate ids and their (unnormalised) weights, computed as the seed does.

    top_k set (the seed): the k largest logits by a stable descending sort, weights
    exp(l/T - max). top_k None (Karpathy's original): softmax(l/T) over the whole vocab.
    A top_k of the vocabulary's size or more keeps every token, but still in the seed's
    sorted order: the same random number picks a different token from a list in another
    order, and the seed with --top-k 27 draws from its sorted list.
    """
    row = logits.tolist() if isinstance(logits, np.ndarray) else [float(x) for x in logits]
    if top_k is not None:
        # = sorted(..., reverse=True)[:top_k], ties included (Python documents nlargest
        # so), without sorting a big vocabulary (3,000 characters: 0.8 ms a letter).
        ids = heapq.nlargest(top_k, range(len(row)), key=row.__getitem__)
        scaled = [row[i] / temperature for i in ids]
        mx = max(scaled)
        return ids, [math.exp(s - mx) for s in scaled]
    scaled = [x / temperature for x in row]
    mx = max(scaled)
    exps = [math.exp(s - mx) for s in scaled]
    total = sum(exps)
    return list(range(len(row))), [e / total for e in exps]


def next_token_probs(logits, temperature: float, top_k: int | None) -> np.ndarray:
    """Probability of every vocabulary id under temperature/top-k; zero outside the top k."""
    ids, w = token_weights(logits, temperature, top_k)
    probs = np.zeros(len(logits))
    probs[ids] = w
    return probs / probs.sum()


def nll_rows(logits: np.ndarray, targets) -> np.ndarray:
    """-log softmax(logits)[target] per row, via a shifted log-sum-exp."""
    mx = logits.max(axis=1, keepdims=True)
    shifted = logits - mx
    lse = np.log(np.exp(shifted).sum(axis=1))
    return lse - shifted[np.arange(len(targets)), targets]


class Inference:
    """A model's weights plus what you can ask of them without training."""

    def __init__(self, cfg, tokenizer: Tokenizer, backend, params: dict[str, np.ndarray]):
        self.cfg = cfg  # RunConfig
        self.tokenizer = tokenizer
        self.backend = backend
        self.params = params

    def _settings(self, temperature, top_k):
        t = self.cfg.train
        temperature = t.temperature if temperature is CONFIG or temperature is None else temperature
        top_k = t.top_k if top_k is CONFIG else top_k
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature!r}")
        if top_k is not None and top_k <= 0:
            raise ValueError(f"top_k must be positive or None, got {top_k!r}")
        return temperature, top_k

    def prefix_tokens(self, prefix: str) -> list[int]:
        return [self.tokenizer.bos_id, *self.tokenizer.encode(prefix)]

    def next_logits(self, tokens: list[int]) -> np.ndarray:
        return self.backend.logits(self.params, tokens)[-1]

    def next_token_probs(self, prefix: str = "", temperature=CONFIG, top_k=CONFIG) -> np.ndarray:
        """The distribution the sampler draws the next character from after BOS + prefix."""
        temperature, top_k = self._settings(temperature, top_k)
        tokens = self.prefix_tokens(prefix)[: self.cfg.model.block_size]
        return next_token_probs(self.next_logits(tokens), temperature, top_k)

    def sample(self, n: int, temperature=CONFIG, top_k=CONFIG, prefix: str = "",
               rng: random.Random | None = None) -> list[str]:
        """n names, each: start at BOS (+ prefix), draw one token per position with
        rng.choices until BOS or block_size positions. rng defaults to a fresh one.
        A prefix of block_size characters or more raises ValueError (nothing would be
        drawn: every name would be the prefix)."""
        temperature, top_k = self._settings(temperature, top_k)
        rng = rng if rng is not None else random.Random()
        bos, block = self.tokenizer.bos_id, self.cfg.model.block_size
        too_long = context_problem(prefix, block)
        if too_long:  # every "name" would be the prefix itself
            raise ValueError(too_long)
        start = self.prefix_tokens(prefix)
        out = []
        for _ in range(n):
            tokens = list(start)
            for _pos in range(len(tokens) - 1, block):
                ids, w = token_weights(self.next_logits(tokens), temperature, top_k)
                token_id = rng.choices(ids, weights=w)[0]
                if token_id == bos:
                    break
                tokens.append(token_id)
            out.append(self.tokenizer.decode(tokens[1:]))
        return out

    def doc_inputs(self, doc: str) -> list[int]:
        """BOS + chars of a word, cut to block_size positions (what the model reads)."""
        return self.prefix_tokens(doc)[: self.cfg.model.block_size]

    def attention(self, doc: str):
        """(weights [n_layer, n_head, T, T], token labels) for one word."""
        tokens = self.doc_inputs(doc)
        labels = [self.tokenizer.token_str(t) for t in tokens]
        return self.backend.attention(self.params, tokens), labels

    def _scored(self, doc: str):
        """Logits and targets of a document as training sees it (BOS+chars+BOS, first
        min(block_size, len-1) positions)."""
        tokens = self.tokenizer.doc_tokens(doc)
        n = min(self.cfg.model.block_size, len(tokens) - 1)
        return self.backend.logits(self.params, tokens[:n]), tokens[1 : n + 1]

    def doc_nll(self, doc: str) -> np.ndarray:
        """Per-position loss of a document [n] (no probabilities: validation's hot path)."""
        # The model reads only the first block_size characters: cut before encoding, as
        # Trainer.step does, so a 10 MB line is not encoded at every validation. (The same
        # positions and targets; position_losses, for typed words, still checks them all.)
        logits, targets = self._scored(doc[: self.cfg.model.block_size])
        return nll_rows(logits, targets)

    def position_losses(self, doc: str):
        """Per-position loss of a document with the model's predictions:
        (losses [n], probs [n, vocab], target ids)."""
        logits, targets = self._scored(doc)
        mx = logits.max(axis=1, keepdims=True)
        e = np.exp(logits - mx)
        probs = e / e.sum(axis=1, keepdims=True)
        return nll_rows(logits, targets), probs, targets

    def mean_nll(self, docs: list[str], check=None) -> float:
        """Mean NLL over every scored position of docs (the seed's validation loss).
        check(): called before each document (it may raise to give up)."""
        total, count = 0.0, 0
        for doc in docs:
            if check is not None:
                check()
            losses = self.doc_nll(doc)
            total += float(losses.sum())
            count += len(losses)
        return total / count if count else float("nan")
