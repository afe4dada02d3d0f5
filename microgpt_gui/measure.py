"""Run ▸ Measure the loss on all names (M): the honest numbers behind the noisy curves.

The faint loss curve is one name per step and the red dots are 20 validation names (the
seed's choice), so a gap between them can be noise. This measures the current weights
on many names of both kinds at once, off the training thread (on a frozen copy, so it
works while training runs), and says in words what the two numbers mean: a model as
good on names it never trained on generalises; one much worse on them memorises. The
letter-pair table and guessing, measured on the same validation names, give the scale.

At most MAX_DOCS names of each kind (the first ones in the run's shuffled order: a
random sample): 10,000 names pin a loss down to about ±0.01 and take a second, while a
5-million-line file would take minutes.
"""

from __future__ import annotations

import math

from engine.evaluate import measure, verdict

MAX_DOCS = 10_000


def _take(trainer):
    """On the worker thread, between steps: a frozen copy and the names to score."""
    if trainer is None:
        return None
    dots = min(trainer.config.train.val_docs, len(trainer.val_docs))  # the red dots' names
    return (trainer.snapshot(), trainer.step_num, list(trainer.train_docs[:MAX_DOCS]),
            len(trainer.train_docs), list(trainer.val_docs[:MAX_DOCS]),
            len(trainer.val_docs), (trainer.last_val_loss, dots))


def report(r: dict, step: int, n_train: int, all_train: int, n_val: int, all_val: int,
           dots: tuple) -> str:
    """dots: the last red dot's loss (None before the first) and its number of names."""
    def names(n, of):
        return f"all {of:,}" if n == of else f"{n:,} of {of:,}, a random sample"

    lines = [f"The loss at step {step:,}, measured on the current weights:",
             f"  training names: {r['train']:.3f}  ({names(n_train, all_train)})"]
    if n_val:
        lines.append(f"  validation names: {r['val']:.3f}  ({names(n_val, all_val)})")
        dot, dot_names = dots
        if dot is not None and not math.isnan(dot):
            lines.append(f"  (the last red dot, {dot_names:,} validation names: {dot:.3f})")
        lines.append(f"  letter pairs: {r['pairs']:.3f} · guessing: {r['guess']:.3f}")
    lines.append("")
    lines.append(verdict(r["train"], r["val"], r["pairs"]))
    return "\n".join(lines)


class Measure:
    """The command: take the names and a copy between steps, score them in the
    background, say the result."""

    def __init__(self, window):
        self.window = window
        self.busy = False

    def start(self) -> None:
        w = self.window
        if self.busy:
            w.statusBar().showMessage("Still measuring the loss on all names…", 4000)
            return
        if w.controller.info is None:
            w.show_message("There is no model yet: press Reset (R) first, then measure.")
            return
        self.busy = True
        w.statusBar().showMessage("Measuring the loss on all names…")
        w.controller.call_in_worker(_take, self._score, self._failed)

    def _score(self, taken) -> None:
        if taken is None:
            self.busy = False
            self.window.show_message("There is no model yet: press Reset (R) first.")
            return
        inference, step, train, all_train, val, all_val, dots = taken

        def progress_message(done, total):
            self.window.statusBar().showMessage(
                f"Measuring the loss on all names… {100 * done // max(total, 1)}%")

        def done(result) -> None:
            self.busy = False
            self.window.show_message(report(result, step, len(train), all_train, len(val),
                                            all_val, dots))

        self.window.tasks.run(lambda progress: measure(inference, train, val, progress),
                              done, self._failed, progress_message)

    def _failed(self, message) -> None:
        self.busy = False
        self.window.show_error(f"Measuring the loss failed: {message}")


def install(window) -> Measure:
    m = Measure(window)
    window.measure = m
    action = window.add_action(
        "measure", "&Measure the loss on all names", "M", m.start, menu="run",
        tip="Training and validation loss on thousands of names at once, with what they "
            "mean (M)")
    window.addAction(action)  # works with the menu bar hidden (projector mode)
    return m
