"""RunInfo: plain facts about the current run, built on the worker thread after a reset.

Qt-free on purpose (like History): panels read it to size themselves (vocabulary, layers,
heads) without ever touching the Trainer, which belongs to the worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def doc_set(docs, batch: int = 65536) -> frozenset:
    """frozenset(docs), built a batch at a time: one frozenset() call over millions of
    documents holds the GIL for seconds, and the GUI thread with it."""
    seen: set = set()
    for i in range(0, len(docs), batch):
        seen.update(docs[i : i + batch])
    return frozenset(seen)


@dataclass(frozen=True)
class RunInfo:
    config: object  # engine RunConfig (a copy: the trainer's own may change, e.g. its lr)
    dataset_name: str
    dataset_source: str
    num_docs: int
    num_train: int
    num_val: int
    num_params: int
    vocab: tuple[str, ...]  # label per token id (BOS shown as engine.data.BOS_LABEL)
    bos_id: int
    start_step: int  # steps already done (non-zero after loading a checkpoint)
    train_docs: frozenset[str] = field(repr=False, default=frozenset())
    val_docs: tuple[str, ...] = field(repr=False, default=())  # in the trainer's order

    @property
    def num_steps(self) -> int:
        """The run's length: read from the config, which a live change of Steps updates
        (RunController.set_num_steps)."""
        return self.config.train.num_steps

    @property
    def n_layer(self) -> int:
        return self.config.model.n_layer

    @property
    def n_head(self) -> int:
        return self.config.model.n_head

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @classmethod
    def from_trainer(cls, trainer) -> RunInfo:
        """Called on the worker thread, where the trainer lives."""
        ds = trainer.dataset
        return cls(
            config=trainer.config.copy(),
            dataset_name=ds.name,
            dataset_source=ds.source,
            num_docs=len(trainer.docs),
            num_train=len(trainer.train_docs),
            num_val=len(trainer.val_docs),
            num_params=trainer.num_params,
            vocab=tuple(trainer.tokenizer.labels()),
            bos_id=trainer.tokenizer.bos_id,
            start_step=trainer.step_num,
            train_docs=doc_set(trainer.train_docs),
            val_docs=tuple(trainer.val_docs),
        )
