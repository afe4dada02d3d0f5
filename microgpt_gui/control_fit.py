"""Does a run's config fit the window's fields? misfits() lists the settings it cannot show.

A spin box or slider clamps or rounds a value it cannot hold, silently: a lesson with a
seed of -1 would run with 0, and the run would not be the lesson's. So opening a lesson
refuses such values (lesson_actions.py), and opening a checkpoint warns about them
(checkpoints.py). Kept apart from both because it is the same check for either.
"""

from __future__ import annotations


def _num(x) -> str:
    """A spin box limit for people: 1,000,000 rather than 1e+06 or 1000000.0."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def misfits(window, cfg) -> list[str]:
    """Settings of cfg that the window's fields cannot show as they are (a spin box or
    slider would clamp or round them), each as '"name" is value; ... offers lo to hi'."""
    out = []
    for name, box in window.controls.fields.items():
        value = getattr(cfg.model if hasattr(cfg.model, name) else cfg.train, name)
        lo, hi = box.minimum(), box.maximum()
        decimals = box.decimals() if hasattr(box, "decimals") else 0
        if not lo <= value <= hi:
            out.append(f'"{name}" is {value}; this window offers {_num(lo)} to {_num(hi)}')
        elif decimals and abs(round(value, decimals) - value) > 1e-12 * abs(value):
            out.append(f'"{name}" is {value}; this window works with at most {decimals} '
                       "decimals")
    sampling = window.panels.get("sampling")
    if sampling is None:
        return out
    from .sampling_panel import T_STEP

    t = cfg.train.temperature
    lo, hi = sampling.temperature.minimum() * T_STEP, sampling.temperature.maximum() * T_STEP
    if not lo - 1e-9 <= t <= hi + 1e-9 or abs(round(t / T_STEP) * T_STEP - t) > 1e-9:
        out.append(f'"temperature" is {t}; the sampling slider offers '
                   f"{_num(round(lo, 4))} to {_num(round(hi, 4))} in steps of {_num(T_STEP)}")
    n, box = cfg.train.num_samples, sampling.count
    if not box.minimum() <= n <= box.maximum():
        out.append(f'"num_samples" is {n}; the sampling panel makes {_num(box.minimum())} '
                   f"to {_num(box.maximum())} names at once")
    return out

