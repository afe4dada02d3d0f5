"""When training pauses by itself because the loss blew up, and the words that say why.

inf/NaN pause at once; a finite but absurd loss only when it lasts. The worker only acts
on the verdict (pause, tell the user); the rule lives here so it can be read, and tested,
without a thread. No Qt here.
"""

from __future__ import annotations

EXPLODED_STEPS = 5  # a finite blow-up must last this many steps in a row to pause


class BlowUpWatch:
    """Called with every step's StepStats: pause now? At once for inf/NaN; for a finite
    but absurd loss only when it lasts EXPLODED_STEPS steps: a long healthy run can spike
    once (a loss of 223 at step 375,917 of a 1M-step run at lr 0.01) and recover, while
    lr 10 stays absurd."""

    def __init__(self):
        self.in_a_row = 0  # steps in a row with an absurd (finite) loss

    def reset(self) -> None:
        """A new run: the old run's absurd steps do not count towards it."""
        self.in_a_row = 0

    def __call__(self, stats) -> bool:
        if stats.diverged:
            return True
        if getattr(stats, "exploded", False):
            self.in_a_row += 1
        else:
            self.in_a_row = 0
        return self.in_a_row >= EXPLODED_STEPS


def diverged_text(stats) -> str:
    """Why training paused by itself, and what to do about it."""
    return (f"Training paused at step {stats.step}: the loss became {stats.loss:g} "
            f"(gradient norm {stats.grad_norm:g}). The learning rate is probably too "
            "high - lower it and press Reset.")
