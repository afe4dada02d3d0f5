"""Plain-language read-outs of what the model is doing, for the classroom views.

Qt-free, like the rest of the engine: the GUI hands in weights (an Inference) or plain
arrays and shows the results.

- head_roles: what each attention head mostly does on the validation words.
- name_quality: how a batch of generated names compares with the dataset.
- letter_surprise: per-letter loss of one word plus the model's top guesses there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

# --- head roles --------------------------------------------------------------------------

START, PREVIOUS, ITSELF, SPREAD = "start token", "previous letter", "itself", "spread out"
ROLES = (START, PREVIOUS, ITSELF)
# "Mostly" = a majority: a head gets a role when, on average, more than half of its
# attention goes to that one key. Anything less is shared between several keys, which we
# call "spread out" (that is also what an untrained head looks like: near-uniform).
ROLE_THRESHOLD = 0.5
# Query positions 0 and 1 are skipped: at 0 the start token *is* itself, at 1 the start
# token *is* the previous letter, so those rows cannot tell the roles apart.
FIRST_QUERY = 2


@dataclass
class HeadRole:
    label: str  # one of START, PREVIOUS, ITSELF, SPREAD
    masses: dict[str, float]  # average attention mass on each role's key (0..1)
    rows: int  # how many query rows the averages are over (0 = word(s) too short)

    def text(self) -> str:
        """Short label for under a heatmap, e.g. 'previous letter (72%)'."""
        if self.label == SPREAD:
            return SPREAD
        return f"{self.label} ({self.masses[self.label]:.0%})"


def head_role_masses(maps: Iterable[np.ndarray]) -> tuple[np.ndarray, int]:
    """Average attention mass per head on (start token, previous letter, itself).

    maps: attention weights [L, H, T, T] (query rows, key columns) for one or more words;
    T may differ between words. Every query row q >= 2 of every word counts once.
    Returns (masses [L, H, 3] in ROLES order, number of rows averaged).
    """
    total, rows = None, 0
    for att in maps:
        att = np.asarray(att, dtype=np.float64)
        if att.ndim != 4 or att.shape[-1] != att.shape[-2]:
            raise ValueError(f"attention must be [layers, heads, T, T], got shape {att.shape}")
        if total is None:
            total = np.zeros(att.shape[:2] + (3,))
        elif att.shape[:2] != total.shape[:2]:
            raise ValueError("attention maps have different numbers of layers/heads")
        t = att.shape[-1]
        q = np.arange(FIRST_QUERY, t)
        if not len(q):
            continue
        total[..., 0] += att[..., q, 0].sum(axis=-1)
        total[..., 1] += att[..., q, q - 1].sum(axis=-1)
        total[..., 2] += att[..., q, q].sum(axis=-1)
        rows += len(q)
    if total is None:
        raise ValueError("no attention maps given")
    return (total / rows if rows else total), rows


def head_roles(maps: Iterable[np.ndarray], threshold: float = ROLE_THRESHOLD):
    """A HeadRole per head, as a list per layer: [[HeadRole] * n_head] * n_layer.

    Rule: average the attention over every query position >= 2 of every word; the key the
    head sends most of its attention to (start token, previous letter or itself) is its
    role if that share is above `threshold` (more than half); otherwise "spread out".
    """
    masses, rows = head_role_masses(maps)
    out = []
    for layer in masses:
        row = []
        for m in layer:
            d = dict(zip(ROLES, (float(x) for x in m), strict=True))
            best = max(ROLES, key=d.__getitem__)
            label = best if rows and d[best] > threshold else SPREAD
            row.append(HeadRole(label, d, rows))
        out.append(row)
    return out


def validation_attention(inference, words: Sequence[str], limit: int = 20) -> list[np.ndarray]:
    """Attention maps of the first `limit` words (the validation words, or any list)."""
    return [inference.attention(w)[0] for w in list(words)[:limit]]


# --- name quality ------------------------------------------------------------------------


@dataclass
class NameQuality:
    count: int
    new_share: float  # not in the dataset at all
    copy_share: float  # exact copies of training names
    heldout_share: float  # real names the model never trained on (validation names)
    distinct_share: float  # distinct names / names
    empty_share: float  # the model stopped at once (empty name)
    mean_length: float
    dataset_mean_length: float
    verdict: str = ""
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "count": self.count, "new": self.new_share, "copies": self.copy_share,
            "heldout": self.heldout_share, "distinct": self.distinct_share,
            "empty": self.empty_share, "mean_length": self.mean_length,
            "dataset_mean_length": self.dataset_mean_length, "verdict": self.verdict,
        }


def mean_length(docs: Iterable[str]) -> float:
    lengths = [len(d) for d in docs]
    return sum(lengths) / len(lengths) if lengths else 0.0


def name_quality(samples: Sequence[str], train_docs: Iterable[str], all_docs: Iterable[str],
                 dataset_mean: float | None = None) -> NameQuality:
    """Compare generated names with the data.

    new = not anywhere in the dataset; copies = exact training names; held-out = in the
    dataset but only in the validation part (real names the model was never shown).
    Empty names count as neither new nor copies. Pass dataset_mean to skip recomputing it
    on every batch (the dataset does not change during a run).
    """
    train = set(train_docs)
    every = set(all_docs) | train
    if dataset_mean is None:
        dataset_mean = mean_length(every)
    n = len(samples)
    if n == 0:
        return NameQuality(0, 0, 0, 0, 0, 0, 0.0, dataset_mean, "no names generated yet")
    empty = sum(1 for s in samples if not s)
    copies = sum(1 for s in samples if s and s in train)
    heldout = sum(1 for s in samples if s and s in every and s not in train)
    new = n - empty - copies - heldout
    q = NameQuality(
        count=n, new_share=new / n, copy_share=copies / n, heldout_share=heldout / n,
        distinct_share=len(set(samples)) / n, empty_share=empty / n,
        mean_length=mean_length(samples), dataset_mean_length=dataset_mean,
    )
    q.verdict = verdict(q)
    return q


# Verdict thresholds: chosen so a freshly initialised model ("gibberish / lengths off")
# and a badly overfit one ("mostly copies") read differently from a healthy one.
LENGTH_TOLERANCE = 0.3  # mean length within ±30 % of the dataset's counts as name-like


def verdict(q: NameQuality) -> str:
    """One line for students; the first rule that matches wins."""
    if q.count == 0:
        return "no names generated yet"
    if q.empty_share >= 0.3:
        return "many empty names: the model stops at once (still early in training?)"
    if q.copy_share >= 0.5:
        return "mostly copies of training names: memorising (overfitting?)"
    if q.distinct_share < 0.5:
        return "many repeats: little variety (try a higher temperature or top-k)"
    ds = q.dataset_mean_length or 1.0
    ratio = q.mean_length / ds
    if ratio < 1 - LENGTH_TOLERANCE:
        return "names much shorter than real ones: still learning"
    if ratio > 1 + LENGTH_TOLERANCE:
        return "names much longer than real ones: still learning"
    if q.new_share >= 0.5:
        return "mostly new names of a realistic length: generalising"
    return "a mix of new names and real ones: learning the patterns"


# --- per-letter surprise -----------------------------------------------------------------


@dataclass
class LetterSurprise:
    char: str  # the letter the model had to predict (BOS_LABEL for "end of name")
    loss: float  # -log p(char): 0 = certain, log(vocab) = a blind guess
    prob: float  # p(char)
    top: list[tuple[str, float]]  # the model's top guesses at this position
    context: str  # what the model had read so far (without the start token)


def letter_surprise(inference, word: str, top: int = 5) -> list[LetterSurprise]:
    """Per-position loss of `word` exactly as training scores it: every letter, then the
    end-of-name token, cut to block_size positions. The mean of .loss is the word's loss
    (for batch size 1 that is the step's loss). Unknown characters raise DataError."""
    losses, probs, targets = inference.position_losses(word)
    tok = inference.tokenizer
    out = []
    for i, (loss, target) in enumerate(zip(losses, targets, strict=True)):
        order = np.argsort(-probs[i], kind="stable")[:top]
        out.append(LetterSurprise(
            char=tok.token_str(int(target)), loss=float(loss), prob=float(probs[i, target]),
            top=[(tok.token_str(int(j)), float(probs[i, j])) for j in order],
            context=word[:i],
        ))
    return out


def blind_guess_loss(vocab_size: int) -> float:
    """The loss of a uniform guess over the vocabulary: the top of the surprise scale."""
    return math.log(max(vocab_size, 2))


def surprise_level(loss: float, vocab_size: int) -> float:
    """Loss scaled to 0..1 (0 = certain, 1 = no better than a blind guess or worse)."""
    if not math.isfinite(loss):
        return 1.0
    return min(max(loss / blind_guess_loss(vocab_size), 0.0), 1.0)
