"""microgpt-gui: watch a tiny character-level GPT learn, live.

Everything Qt lives in this package; the model and training live in `engine`, which the
GUI only reaches through `engine.Trainer` and the plain data it returns.
"""

__version__ = "0.1.0"
APP_NAME = "microgpt-gui"
