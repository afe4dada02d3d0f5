"""Capture requests: what the panels asked to see of the model (attention maps,
per-letter losses), waiting in the training worker to be answered.

Several panels ask, several times a second, and after a long step (a big reference model)
many requests wait in the queue: requests for one word are merged here, so they cost one
forward pass per word, not one per request. The request for the training document (word
'', "follow") rides on the next step, which computes it anyway; a typed word is answered
from the current weights. The worker decides *when* to answer (after a step, or once idle);
what is pending and what an answer holds is this module, so the worker reads as its loop.
No Qt here.
"""

from __future__ import annotations


class CaptureRequests:
    """Pending requests by word ('' = the next training document), merged."""

    def __init__(self):
        self._by_word: dict[str, dict] = {}

    def __bool__(self) -> bool:
        return bool(self._by_word)

    def add(self, request: dict) -> None:
        """request: word (str, '' = follow the training doc), attention, positions. A
        second request for the same word asks for whatever either of them asked for."""
        word = request.get("word") or ""
        old = self._by_word.get(word, {"attention": False, "positions": False})
        self._by_word[word] = {
            "word": word,
            "attention": old["attention"] or request.get("attention", True),
            "positions": old["positions"] or request.get("positions", False),
        }

    def take(self) -> dict[str, dict]:
        """All pending requests by word; none are pending afterwards."""
        requests, self._by_word = self._by_word, {}
        return requests

    def put_back(self, requests: dict[str, dict]) -> None:
        """Requests taken for a step that was abandoned: still wanted."""
        self._by_word.update(requests)

    def clear(self) -> None:
        self._by_word.clear()


def follow_capture(stats) -> dict:
    """The answer to the follow request, from the step that computed it."""
    return {
        "step": stats.step, "word": stats.doc, "follow": True,
        "attention": stats.attention, "labels": stats.attention_labels,
        "position_losses": stats.position_losses,
    }


def capture_from_view(trainer, request: dict, word: str) -> dict:
    """The answer to one request on `word`, from the trainer's current weights (raises
    what the model raises, e.g. for a letter the vocabulary lacks)."""
    view = trainer.inference()
    out = {"step": trainer.step_num, "word": word, "follow": not request.get("word")}
    if request.get("attention", True):
        out["attention"], out["labels"] = view.attention(word)
    if request.get("positions"):
        out["position_losses"] = view.position_losses(word)[0]
    return out
