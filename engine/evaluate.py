"""The loss of a model on many documents at once, and what the gap between training and
validation documents means, in words.

The curves show one document per step and the seed's 20 validation documents, so a gap
between them can be noise. Scored on thousands of documents of each kind (mean NLL over
every scored position: the seed's validation measure), beside the letter-pair table and
guessing on the same validation documents for scale, the numbers say whether a model
generalises or memorises. Used by the app's Run ▸ Measure the loss on all names.
"""

from __future__ import annotations

import math

from .analysis import fast_view
from .baselines import bigram_loss

CHUNK = 200  # documents between progress reports (and chances to stop)


def measure(inference, train_docs, val_docs, progress=None) -> dict:
    """Mean NLL over every scored position of the docs (the seed's validation measure),
    for the training and the validation names, plus the letter-pair table's loss on the
    same validation names. progress(done, total) after every CHUNK documents."""
    fast = fast_view(inference)  # the reference backend's numbers, ~50x faster
    total = len(train_docs) + len(val_docs)
    done = 0
    sums = {}
    for name, docs in (("train", train_docs), ("val", val_docs)):
        nll, count = 0.0, 0
        for i in range(0, len(docs), CHUNK):
            chunk = docs[i : i + CHUNK]
            for doc in chunk:
                losses = fast.doc_nll(doc)
                nll += float(losses.sum())
                count += len(losses)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        sums[name] = nll / count if count else math.nan
    cfg = inference.cfg
    pairs = (bigram_loss(inference.tokenizer, train_docs, val_docs, cfg.model.block_size)
             if val_docs and train_docs else math.nan)
    return {"train": sums["train"], "val": sums["val"], "pairs": pairs,
            "guess": math.log(inference.tokenizer.vocab_size)}


def verdict(train: float, val: float, pairs: float) -> str:
    """What the numbers say, in one or two plain sentences."""
    if math.isnan(val):
        return ("There are no validation names (this preset trains on all of them), so "
                "only the training loss can be measured.")
    gap = val - train
    if gap < 0.05:
        out = (f"Validation ({val:.2f}) is about the same as training ({train:.2f}): the "
               "model does as well on names it never trained on. It generalises.")
    elif gap < 0.2:
        out = (f"Validation is {gap:.2f} above training: the model does a little worse "
               "on names it never trained on. It is starting to memorise.")
    else:
        out = (f"Validation is {gap:.2f} above training: much worse on names it never "
               "trained on. It memorises the training names (overfitting).")
    if not math.isnan(pairs):
        out += (" It has learned more than which letter follows which (below the "
                "letter-pair table)." if val < pairs else " It is not yet better than a "
                "table of which letter follows which (the letter-pair line).")
    return out
