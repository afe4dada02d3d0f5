"""microgpt engine: a tiny character-level GPT, trained exactly as the seed script does.

Pure Python + NumPy; never imports Qt. The GUI talks to it through Trainer and plain data.
"""

from .backends import StepCancelled
from .config import PRESETS, ConfigError, GPTConfig, RunConfig, TrainConfig, preset
from .data import DataError, Dataset, Tokenizer, load_dataset, load_docs
from .trainer import StepStats, Trainer

__version__ = "0.1.0"

__all__ = [
    "ConfigError", "DataError", "Dataset", "GPTConfig", "PRESETS", "RunConfig", "StepCancelled",
    "StepStats", "Tokenizer", "TrainConfig", "Trainer", "load_dataset", "load_docs", "preset",
]
