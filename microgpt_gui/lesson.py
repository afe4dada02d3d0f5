"""Lesson files: a teacher's prepared demo as a small JSON file (format in docs/lessons.md).

A lesson names a preset and lists only the settings that differ from it, so the file
stays short and says what the lesson is about ("the original, but with clipping on").
Same settings + same seed + same data = the same starting weights and the same losses,
so opening a lesson reproduces the run the teacher rehearsed.

Qt-free on purpose: the window maps a Lesson onto its widgets; this module only reads,
checks and writes files. Every problem becomes a LessonError whose message names the file
and what is wrong, never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from engine.config import PRESETS, ConfigError, GPTConfig, RunConfig, TrainConfig, preset
from engine.download import MAKEMORE, MAKEMORE_FILE
from engine.safe_write import write_safely

from .history import SMOOTHING_DECIMALS, SMOOTHING_MAX
from .special_files import special_file_problem

FORMAT_KEY = "microgpt_lesson"
FORMAT_VERSION = 1
SPEEDS = (1, 5, 20, 100, "max")  # the GUI's speed choices (steps per second)
# vocab_size comes from the data, never from a lesson.
NOT_SETTINGS = {"vocab_size"}
SETTING_NAMES = {
    f.name for klass in (GPTConfig, TrainConfig) for f in dataclasses.fields(klass)
} - NOT_SETTINGS
VIEW_KEYS = ("smoothing", "log_y")  # what "view" may hold (the curves' display settings)


class LessonError(ValueError):
    """A lesson file that cannot be used; str() names the file and the problem."""


@dataclass
class Lesson:
    title: str = ""
    notes: str = ""  # for the teacher: what to point at, what to ask
    # "bundled:FILE", "makemore" (downloaded/cached on each machine), or a path (relative =
    # to the lesson's folder)
    dataset: str = "bundled:names.txt"
    preset: str = "optimized"
    backend: str = "numpy"
    settings: dict = field(default_factory=dict)  # differences from the preset
    speed: int | str = 20  # steps per second, or "max"
    probe_word: str = ""  # the word the attention/surprise views follow ("" = training doc)
    view: dict = field(default_factory=dict)  # e.g. {"smoothing": 0.9, "log_y": false}
    layout: dict = field(default_factory=dict)  # panel layout, as the window records it
    projector: bool = False

    # --- settings <-> RunConfig ------------------------------------------------------------
    def run_config(self) -> RunConfig:
        """The preset with this lesson's settings applied (validated)."""
        cfg = preset(self.preset, backend=self.backend, **self.settings)
        cfg.validate()
        return cfg

    @classmethod
    def from_run_config(cls, cfg: RunConfig, preset_name: str = "optimized", **kw) -> Lesson:
        """A lesson holding cfg as (preset + the settings that differ from it)."""
        base = preset(preset_name)
        diff = {}
        for part, base_part in ((cfg.model, base.model), (cfg.train, base.train)):
            for f in dataclasses.fields(part):
                value = getattr(part, f.name)
                if f.name not in NOT_SETTINGS and value != getattr(base_part, f.name):
                    diff[f.name] = value
        return cls(preset=preset_name, backend=cfg.backend, settings=diff, **kw)

    def dataset_source(self, lesson_path: str | os.PathLike | None = None) -> str:
        """What engine.load_dataset() takes: bundled names as-is, relative paths resolved
        against the lesson file's folder (so a lesson and its data travel together), or
        MAKEMORE: the makemore names, from this machine's cache or downloaded.

        Lessons saved before MAKEMORE existed hold the cache path of the machine they were
        made on; where that file does not exist, a path ending in the cache's own file name
        (makemore-names.txt) means MAKEMORE too: the same download, not other data."""
        if self.dataset.startswith("bundled:") or self.dataset in ("bundled", MAKEMORE):
            return self.dataset
        p = Path(self.dataset).expanduser()
        if not p.is_absolute() and lesson_path is not None:
            p = Path(lesson_path).resolve().parent / p
        if p.name == MAKEMORE_FILE and not p.exists():
            return MAKEMORE
        return str(p)

    # --- JSON -------------------------------------------------------------------------------
    def to_json(self) -> dict:
        d = {FORMAT_KEY: FORMAT_VERSION}
        d.update(dataclasses.asdict(self))
        return d

    @classmethod
    def from_json(cls, d, where: str = "lesson") -> Lesson:
        """Check every field; errors read like '<where>: "speed" must be ...'."""
        def bad(msg):
            return LessonError(f"{where}: {msg}")

        if not isinstance(d, dict):
            raise bad("not a lesson (expected a JSON object {...})")
        version = d.get(FORMAT_KEY)
        if version is None:
            raise bad(f'not a lesson file (no "{FORMAT_KEY}" version key)')
        if version != FORMAT_VERSION or isinstance(version, bool):
            raise bad(f"lesson format version {version!r} is not supported "
                      f"(this app reads version {FORMAT_VERSION})")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known - {FORMAT_KEY})
        if unknown:
            raise bad(f"unknown key(s): {', '.join(unknown)} "
                      f"(known: {', '.join(sorted(known))})")
        types = {"title": str, "notes": str, "dataset": str, "preset": str, "backend": str,
                 "settings": dict, "probe_word": str, "view": dict, "layout": dict,
                 "projector": bool}
        for key, typ in types.items():
            if key in d and not isinstance(d[key], typ):
                want = {str: "text", dict: "an object {...}", bool: "true or false"}[typ]
                raise bad(f'"{key}" must be {want}, got {json.dumps(d[key])}')
        lesson = cls(**{k: v for k, v in d.items() if k != FORMAT_KEY})
        if lesson.preset not in PRESETS:
            raise bad(f'"preset" must be one of {", ".join(PRESETS)}, got {lesson.preset!r}')
        if not lesson.dataset.strip():
            raise bad('"dataset" is empty (use "bundled:names.txt", "makemore" or a file '
                      "path)")
        if lesson.speed not in SPEEDS or isinstance(lesson.speed, bool):
            raise bad(f'"speed" must be one of {", ".join(map(str, SPEEDS))}, '
                      f"got {json.dumps(lesson.speed)}")
        unknown = sorted(set(lesson.settings) - SETTING_NAMES)
        if unknown:
            raise bad(f'unknown setting(s) in "settings": {", ".join(unknown)}')
        for key, value in lesson.settings.items():  # JSON allows Infinity and NaN
            if isinstance(value, float) and not math.isfinite(value):
                raise bad(f'"settings.{key}" must be a finite number, got {value}')
        try:
            lesson.run_config()
        except (ConfigError, TypeError, ValueError) as e:
            raise bad(f"bad settings: {e}") from None
        unknown = sorted(set(lesson.view) - set(VIEW_KEYS))
        if unknown:
            raise bad(f'unknown key(s) in "view": {", ".join(unknown)} '
                      f"(known: {', '.join(VIEW_KEYS)})")
        sm = lesson.view.get("smoothing")
        if sm is not None and (isinstance(sm, bool) or not isinstance(sm, int | float)
                               or not 0 <= sm <= SMOOTHING_MAX
                               or round(sm, SMOOTHING_DECIMALS) != sm):
            raise bad(f'"view.smoothing" must be a number from 0 to {SMOOTHING_MAX} with at '
                      f"most {SMOOTHING_DECIMALS} decimals (the Smoothing field), got "
                      f"{json.dumps(sm)}")
        log_y = lesson.view.get("log_y")
        if log_y is not None and not isinstance(log_y, bool):
            raise bad(f'"view.log_y" must be true or false, got {json.dumps(log_y)}')
        return lesson


def load_lesson(path: str | os.PathLike) -> Lesson:
    """Read and check a lesson file; LessonError names the file and the problem."""
    p = Path(path)
    problem = special_file_problem(p)  # a named pipe would block the window for ever
    if problem:
        raise LessonError(problem)
    try:
        text = p.read_text(encoding="utf-8-sig")  # a BOM (Windows Notepad) is fine
    except FileNotFoundError:
        raise LessonError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise LessonError(f"{p}: is a folder, not a lesson file") from None
    except UnicodeDecodeError:
        raise LessonError(f"{p}: not a text file (not valid UTF-8)") from None
    except OSError as e:
        raise LessonError(f"{p}: cannot read ({e.strerror or e})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise LessonError(f"{p}: line {e.lineno}, column {e.colno}: not valid JSON "
                          f"({e.msg})") from None
    return Lesson.from_json(data, where=str(p))


def save_lesson(lesson: Lesson, path: str | os.PathLike) -> None:
    """Write the lesson as indented JSON. Dataset paths inside the lesson's folder are
    stored relative to it so the folder can be copied to the classroom machine."""
    p = Path(path)
    d = lesson.to_json()
    if not lesson.dataset.startswith("bundled") and lesson.dataset != MAKEMORE:
        data = Path(lesson.dataset).expanduser().resolve()
        try:
            d["dataset"] = data.relative_to(p.resolve().parent).as_posix()
        except ValueError:
            d["dataset"] = str(data)
    if p.is_dir():
        raise LessonError(f"{p}: is a folder, need a file name")
    text = json.dumps(d, indent=2, ensure_ascii=False) + "\n"
    # A temp file renamed over the old one: no half-written lesson after a crash, and a
    # special file (/dev/null, a pipe) is written into, not replaced.
    write_safely(p, lambda f: f.write(text.encode("utf-8")), LessonError)


def bundled_lessons() -> list[Path]:
    """The example lessons shipped in resources/lessons/, sorted by file name."""
    from engine.data import bundled_path

    folder = bundled_path("lessons")
    return sorted(folder.glob("*.json")) if folder.is_dir() else []
