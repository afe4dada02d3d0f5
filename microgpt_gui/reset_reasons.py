"""What a Reset would change, in the words on the screen ("⟳ Press Reset to apply: ...").

Switching the preset from optimized to original changes some twenty settings at once
(block_size, init_std, zero_init, beta1, ...); listed one by one under their config
names they told a learner nothing. The preset is one item, the Controls' fields go by
their labels, and the seed's changes (the Optimizations tab's switches) by their titles.
No Qt here: plain configs in, plain strings out.
"""

from __future__ import annotations

from engine.ablate import CHANGES, base_preset

# (part, field) -> the title of the seed's change that switches it
CHANGE_TITLES = {field: c.title for c in CHANGES for field in c.fields}


def reset_reasons(want, have, labels: dict[str, str], live=frozenset(),
                  data_changed: bool = False) -> list[str]:
    """What differs between `want` (the settings on screen) and `have` (the run's
    RunConfig) that only a Reset applies. `labels`: field -> its label on the Controls
    panel; `live`: fields that reach the running trainer without a Reset."""
    wd, hd = want.to_dict(), have.to_dict()
    new_preset = base_preset(want) != base_preset(have)
    out = [f"the {base_preset(want)} preset"] if new_preset else []
    if wd["backend"] != hd["backend"]:
        out.append(f"Backend ({wd['backend']})")
    for part in ("model", "train"):
        for field, value in wd[part].items():
            if field in live or field == "vocab_size" or value == hd[part][field]:
                continue
            if field in labels:
                out.append(f"{labels[field]} ({field})")
            elif new_preset:
                continue  # one of the preset's own settings: said by "the ... preset"
            else:
                out.append(CHANGE_TITLES.get((part, field), field))
    if data_changed:
        out.append("the data")
    return list(dict.fromkeys(out))  # (two fields of one change: said once)
