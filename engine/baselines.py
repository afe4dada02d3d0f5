"""Reference lines for the loss: what no learning at all, or a table of letter pairs, scores.

A loss of 2.6 means little on its own. Two baselines give it a scale:
- guessing: every token equally likely, ln(vocab size) (3.30 for 26 letters + BOS);
- letter pairs (a bigram model, the start of Karpathy's makemore): count how often each
  token follows each other token in the training documents, add one to every count
  (so nothing is impossible), and score the validation documents with those
  frequencies. A GPT that uses more than the previous letter must end up below it.

Both are scored exactly like the GPT's validation loss: the same first val_docs
validation documents, the same positions (BOS + the first block_size characters, as
Trainer.step and Inference.doc_nll cut them) and the same mean over positions. The pair
counts come from the same positions of the training documents, at most MAX_DOCS of
them (they are shuffled: a fair sample), so a file of millions of lines costs well
under a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_DOCS = 200_000  # training documents counted for the letter-pair table
SMOOTHING = 1.0  # added to every pair count (Laplace); makemore adds 1 too


@dataclass(frozen=True)
class Baselines:
    guessing: float  # ln(vocab size)
    bigram: float  # validation loss of the letter-pair table (NaN without validation)
    counted_docs: int  # training documents the table was counted from


def scored_pairs(tokenizer, docs, block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(previous token, next token) of every position the GPT is trained and scored on,
    for docs: per document BOS + its first block_size characters + BOS, and the first
    min(block_size, tokens - 1) of its pairs. Vectorized: one string, one lookup."""
    if not docs:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    cut = [d[:block_size] for d in docs]
    if "\n" in tokenizer.chars:  # a document with a newline: "\n" cannot separate them
        pairs = [(t[i], t[i + 1]) for d in cut
                 for t in [tokenizer.doc_tokens(d)] for i in range(min(block_size, len(t) - 1))]
        a = np.array(pairs, dtype=np.intp).reshape(-1, 2)
        return a[:, 0], a[:, 1]
    codes = np.frombuffer("\n".join(cut).encode("utf-32-le"), dtype=np.uint32)
    keys = np.array([ord(c) for c in tokenizer.chars], dtype=np.uint32)
    order = np.argsort(keys)
    where = np.searchsorted(keys[order], codes).clip(0, max(len(keys) - 1, 0))
    ids = np.array([tokenizer.encode(c)[0] for c in tokenizer.chars], dtype=np.intp)[order]
    seq = np.empty(len(codes) + 2, dtype=np.intp)
    seq[0] = seq[-1] = tokenizer.bos_id
    inner = seq[1:-1]
    if len(keys):
        inner[:] = ids[where]
    inner[codes == 10] = tokenizer.bos_id  # the separators: each doc's end and next start
    prev, nxt = seq[:-1], seq[1:]
    # A document cut at block_size characters is scored up to its last character: the
    # pair (last character -> BOS) is not one of its positions. Its end-BOS sits at
    # (its BOS index) + length + 1 in seq; pair k is (seq[k], seq[k + 1]).
    lengths = np.fromiter(map(len, cut), dtype=np.intp, count=len(cut))
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))  # each doc's BOS
    full = lengths >= block_size
    keep = np.ones(len(prev), dtype=bool)
    keep[(starts + lengths)[full]] = False
    return prev[keep], nxt[keep]


def bigram_loss(tokenizer, train_docs, docs, block_size: int,
                smoothing: float = SMOOTHING) -> float:
    """Mean NLL of docs' scored positions under the smoothed frequencies of the pairs in
    train_docs' scored positions. Only the pairs seen are counted (a sorted array, not a
    vocab x vocab table: a text of 20,000 distinct characters would need 3 GB)."""
    V = tokenizer.vocab_size
    prev, nxt = scored_pairs(tokenizer, docs, block_size)
    if len(prev) == 0:
        return math.nan
    t_prev, t_nxt = scored_pairs(tokenizer, train_docs, block_size)
    seen, counts = np.unique(t_prev.astype(np.int64) * V + t_nxt, return_counts=True)
    wanted = prev.astype(np.int64) * V + nxt
    at = np.searchsorted(seen, wanted).clip(0, max(len(seen) - 1, 0))
    pair = np.where(seen[at] == wanted, counts[at], 0) if len(seen) else np.zeros(len(prev))
    row = np.bincount(t_prev, minlength=V)[prev]  # how often each previous token was seen
    return float(-np.log((pair + smoothing) / (row + smoothing * V)).mean())


def baselines(trainer) -> Baselines:
    """The two reference losses for a Trainer's data and validation settings."""
    cfg = trainer.config
    block, V = cfg.model.block_size, trainer.tokenizer.vocab_size
    counted = trainer.train_docs[:MAX_DOCS]
    val = trainer.val_docs[: cfg.train.val_docs]
    return Baselines(math.log(V), bigram_loss(trainer.tokenizer, counted, val, block),
                     len(counted))
