"""The main window: opening, training on the worker thread, Pause/Step/Reset, closing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gui.helpers import train_to_end

pytest.importorskip("pytestqt")


def test_window_opens_ready_to_train_on_bundled_names_and_closes(qtbot, tmp_path):
    from microgpt_gui.main_window import MainWindow
    from microgpt_gui.settings import Settings

    w = MainWindow(settings=Settings(str(tmp_path / "s.ini")))
    qtbot.addWidget(w)
    w.show()
    assert "microgpt" in w.windowTitle()
    from microgpt_gui.app import app_icon

    assert not app_icon().isNull()
    qtbot.waitUntil(lambda: w.controller.info is not None, timeout=15_000)
    info = w.controller.info
    assert info.dataset_source.startswith("bundled")
    assert info.config.model.n_embd == 16 and info.num_steps == 500  # the optimized preset
    assert w.act["train"].isEnabled() and w.controller.state == "paused"
    assert set(w.panels) >= {"controls", "curves", "attention", "sampling"}
    w.close()
    assert not w.controller.worker_thread.isRunning()


def test_train_n_steps_fills_the_curves(qtbot, make_window):
    w = make_window(num_steps=30)
    c = w.controller
    train_to_end(qtbot, w)
    assert c.history.step == 30 and len(c.history) == 30
    w.curves.refresh()
    x, y = w.curves.raw.getData()
    assert len(x) == 30 and x[-1] == 30
    assert y[-1] == pytest.approx(c.history.last.loss)
    assert len(w.curves.smooth.getData()[0]) == 30
    assert not w.act["train"].isEnabled() and not w.act["step"].isEnabled()
    w.status.refresh()
    assert w.status.progress.value() == 30 and w.status.progress.maximum() == 30


def test_pause_step_reset_change_the_state(qtbot, make_window):
    w = make_window(num_steps=100_000, speed=20)
    c = w.controller
    assert c.state == "paused" and w.act["step"].isEnabled()
    w.act["train"].trigger()
    qtbot.waitUntil(lambda: c.state == "running" and c.history.step >= 2, timeout=10_000)
    assert not w.act["step"].isEnabled() and w.act["train"].text() == "&Pause"
    w.act["train"].trigger()
    qtbot.waitUntil(lambda: c.state == "paused", timeout=5_000)
    done = c.history.step
    qtbot.wait(200)
    assert c.history.step == done  # paused means no more steps
    with qtbot.waitSignal(c.stats_batch, timeout=5_000):
        w.act["step"].trigger()
    assert c.history.step == done + 1 and c.state == "paused"
    with qtbot.waitSignal(c.reset_done, timeout=10_000):
        w.act["reset"].trigger()
    assert c.history.step == 0 and len(c.history) == 0 and c.state == "paused"


def test_speed_limit_is_honoured(qtbot, make_window):
    w = make_window(num_steps=100_000, speed=5)
    c = w.controller
    w.act["train"].trigger()
    qtbot.wait(1100)
    w.act["train"].trigger()
    qtbot.waitUntil(lambda: c.state == "paused", timeout=5_000)
    assert 3 <= c.history.step <= 8


def test_needs_reset_is_shown_for_shape_changes_but_not_for_live_lr(qtbot, make_window):
    w = make_window()
    assert w.controls.needs_reset.isHidden()
    w.controls.fields["learning_rate"].setValue(0.02)
    assert w.controls.needs_reset.isHidden()  # live: no Reset needed
    w.controls.fields["n_embd"].setValue(32)
    assert not w.controls.needs_reset.isHidden()
    assert "n_embd" in w.controls.needs_reset.text()
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):
        w.reset()
    assert w.controls.needs_reset.isHidden()
    assert w.controller.info.config.model.n_embd == 32


def test_another_preset_is_said_in_words_and_reset_brings_its_sampling(qtbot, make_window):
    """Choosing 'original' listed ~20 config names (block_size, init_std, zero_init, ...,
    temperature, top_k), and the Reset kept the sliders at the seed's top-k 5 and 0.6:
    the original preset did not sample like Karpathy's script."""
    w = make_window()
    sampling = w.sampling
    sampling.set_temperature(0.8)  # the user's own choice, kept while the recipe is
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):
        w.reset()
    assert sampling.temperature_value() == 0.8 and sampling.top_k_value() == 5
    w.controls.preset.setCurrentText("original")
    text = w.controls.needs_reset.text()
    assert "the original preset" in text and "init_std" not in text, text
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):
        w.reset()
    assert sampling.temperature_value() == 0.5 and sampling.top_k_value() is None


def test_invalid_sizes_are_explained_inline_and_block_reset(qtbot, make_window):
    w = make_window()
    w.controls.fields["n_embd"].setValue(18)  # not divisible by 4 heads
    assert "divisible" in w.controls.problem.text() and not w.controls.problem.isHidden()
    assert not w.act["reset"].isEnabled()
    w.controls.fields["n_head"].setValue(3)
    assert w.controls.problem.isHidden() and w.act["reset"].isEnabled()


def test_learning_rate_change_is_live(qtbot, make_window):
    w = make_window(num_steps=1000, speed=0)
    c = w.controller
    with qtbot.waitSignal(c.stats_batch, timeout=5_000):
        w.act["step"].trigger()
    w.controls.fields["learning_rate"].setValue(0.05)
    with qtbot.waitSignal(c.stats_batch, timeout=5_000):
        w.act["step"].trigger()
    from engine.trainer import lr_at

    cfg = c.info.config.train
    cfg.learning_rate = 0.05
    assert c.history.last.lr == pytest.approx(lr_at(cfg, 1))
    assert c.history.events and c.history.events[-1][1] == "lr 0.05"


def test_worker_error_becomes_a_message_and_pauses_without_killing_the_thread(qtbot,
                                                                               make_window):
    w = make_window(num_steps=1000)
    c = w.controller

    def boom(**_kw):
        raise RuntimeError("simulated failure")

    done = []
    c.call_in_worker(lambda t: setattr(t, "step", boom), on_result=done.append)
    qtbot.waitUntil(lambda: len(done) == 1, timeout=5_000)
    with qtbot.waitSignal(c.error, timeout=5_000) as blocker:
        w.act["train"].trigger()
    assert "simulated failure" in blocker.args[0]
    qtbot.waitUntil(lambda: c.state == "paused", timeout=5_000)
    assert c.worker_thread.isRunning()
    assert any("simulated failure" in text for _kind, text in w.messages)
    with qtbot.waitSignal(c.reset_done, timeout=10_000):  # Reset recovers
        w.reset()
    with qtbot.waitSignal(c.stats_batch, timeout=5_000):
        w.act["step"].trigger()
    assert c.history.step == 1


def test_closing_mid_training_stops_the_thread(qtbot, make_window):
    w = make_window(num_steps=1_000_000)
    c = w.controller
    w.act["train"].trigger()
    qtbot.waitUntil(lambda: c.state == "running" and c.history.step > 5, timeout=10_000)
    w.close()
    assert not c.worker_thread.isRunning()
    assert w.tasks.active == 0


def test_bad_dataset_file_is_a_message_and_keeps_the_run(qtbot, make_window, tmp_path):
    w = make_window()
    info = w.controller.info
    bad = tmp_path / "empty.txt"
    bad.write_text("\n\n")
    with qtbot.waitSignal(w.datasets.failed, timeout=5_000):
        w.datasets.load_path(str(bad))
    assert any("blank" in text for _kind, text in w.messages)
    assert w.controller.info is info and w.datasets.dataset is not None


def test_settings_are_remembered(qtbot, tmp_path):
    from microgpt_gui.main_window import MainWindow
    from microgpt_gui.settings import Settings

    path = str(tmp_path / "remember.ini")
    w = MainWindow(settings=Settings(path), autostart=False)
    qtbot.addWidget(w)
    w.controls.fields["seed"].setValue(7)
    w.controls.set_speed(20)
    w.close()
    w2 = MainWindow(settings=Settings(path), autostart=False)
    qtbot.addWidget(w2)
    assert w2.controls.fields["seed"].value() == 7
    assert w2.controller.speed == 20
    w2.close()


def test_divergence_pauses_with_a_reason_and_reset_recovers(qtbot, make_window):
    w = make_window(num_steps=1000, learning_rate=10.0)
    c = w.controller
    with qtbot.waitSignal(c.notice, timeout=10_000) as blocker:
        w.act["train"].trigger()
    assert "learning rate" in blocker.args[0]
    qtbot.waitUntil(lambda: c.state == "paused", timeout=5_000)
    stopped = c.history.step
    qtbot.wait(100)
    assert c.history.step == stopped < 1000
    w.curves.refresh(force=True)  # huge or NaN values must not break the plots
    w.controls.fields["learning_rate"].setValue(0.01)
    with qtbot.waitSignal(c.reset_done, timeout=10_000):
        w.reset()
    with qtbot.waitSignal(c.stats_batch, timeout=5_000):
        w.act["step"].trigger()
    assert c.history.last.loss < 10


def test_capture_requests_from_several_panels_are_merged(qtbot):
    """Attention (one panel) and per-position losses (another) ride on the same step."""
    from engine import Trainer, load_dataset, preset
    from microgpt_gui.worker import TrainingWorker

    docs = Path(__file__).resolve().parents[1] / "data" / "docs.txt"
    worker = TrainingWorker()  # driven directly: no thread, so no timing in the test
    worker.trainer = Trainer(preset("optimized"), load_dataset(str(docs)))
    worker._running = True
    got = []
    worker.capture_ready.connect(got.append)
    worker.request_capture({"word": "", "attention": True})
    worker.request_capture({"word": "", "attention": False, "positions": True})
    worker.request_capture({"word": "emma", "attention": True})
    assert got == []  # while running, requests wait for the next step
    stats = worker._one_step()
    assert len(got) == 2
    follow, word = got
    assert follow["follow"] and follow["word"] == stats.doc
    assert follow["attention"] is not None and follow["position_losses"] is not None
    assert word["word"] == "emma" and word["attention"].shape[-1] == 5
    worker._one_step()
    assert len(got) == 2  # answered once, not on every step


def test_about_names_the_project_version_and_credits(qtbot, make_window):
    from microgpt_gui import __version__

    w = make_window()
    box = w.about()
    qtbot.waitUntil(box.isVisible, timeout=2_000)
    text = box.text()
    assert "microgpt-gui" in text and __version__ in text
    assert "Karpathy" in text and "optimized" in text
    box.close()


def test_overlapping_loads_the_latest_wins(qtbot, make_window, tmp_path):
    w = make_window()
    slow, fast = tmp_path / "slow.txt", tmp_path / "fast.txt"
    slow.write_text("\n".join(f"name{i % 97}" for i in range(300_000)), encoding="utf-8")
    fast.write_text("ann\nbob\ncid\ndan\neve\nfay\ngus\nhal\nida\njon\n", encoding="utf-8")
    loaded = []
    w.datasets.loaded.connect(loaded.append)
    w.datasets.load_path(str(slow))
    w.datasets.load_path(str(fast))
    assert w.datasets.busy
    qtbot.waitUntil(lambda: not w.datasets.busy, timeout=10_000)
    qtbot.wait(300)  # the slow one may finish later: it must not win
    assert [d.name for d in loaded] == ["fast.txt"]
    assert w.datasets.dataset.name == "fast.txt"
