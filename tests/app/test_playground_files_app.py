"""Playground: downloads (CSV, GIF, model), loading a model file, your own points."""

import csv
import io
import pickle
import time

import numpy as np
import pytest

from gan_core.engine import modelfile
from gan_core.engine.config import RunConfig
from tests.e2e.server import wait_for
from ui import custom_data, exports


def train(app):
    app.button(key="pg_train").click().run()
    handle = app.session_state["job:playground"]
    wait_for(lambda: handle.step > 0 and len(handle.snapshots()) >= 3, timeout=60, what="training")
    return handle


def uploader(app, key):
    return next(u for u in app.get("file_uploader") if u.proto.id.endswith(key))


def test_downloads_exist_and_give_correct_bytes(app):
    app.query_params.update({"target": "ring", "gan": "cgan"})
    app.run()
    labels = [b.label for b in app.download_button]
    assert labels == ["Curves (CSV)", "Run (GIF)", "Model", "Notebook"]
    run_downloads = app.download_button[:3]
    assert all(b.proto.disabled for b in run_downloads), "nothing to save before Train"
    handle = train(app)
    app.run()
    assert not any(b.proto.disabled for b in app.download_button)
    assert all(b.proto.deferred_file_id or b.proto.url is not None for b in app.download_button)

    rows = list(csv.reader(io.StringIO(exports.curves_csv(handle).decode())))
    assert rows[0][:3] == ["step", "loss_d", "loss_g"] and len(rows) >= 2
    assert all(float(r[0]) > 0 for r in rows[1:])

    gif = exports.run_gif(handle)
    assert gif[:6] in (b"GIF89a", b"GIF87a") and gif.endswith(b";")

    model = exports.model_file(handle)
    saved = modelfile.read_model(model)
    assert saved.config == handle.config and saved.step > 0


def model_file(**cfg) -> bytes:
    from gan_core.engine.trainer import Trainer

    trainer = Trainer(RunConfig(**cfg))
    for _ in range(7):
        trainer.step()
    return modelfile.model_bytes(trainer)


def test_a_good_model_file_continues_training(app):
    data = model_file(target="grid", gan="cgan", seed=5)
    app.run()
    uploader(app, "pg_model_file").upload("m.pt", data).run()
    assert not app.exception and not app.error
    assert any("trained 7 steps" in s.value for s in app.success)
    app.button(key="pg_m_go").click().run()
    handle = app.session_state["job:playground"]
    assert handle.opts["init_state"] == data
    assert (handle.config.target, handle.config.gan, handle.config.seed) == ("grid", "cgan", 5)
    assert app.selectbox(key="pg_cfg_target").value == "grid", "widgets show the file's config"
    wait_for(lambda: handle.step > 7, timeout=60, what="training goes on from step 7")
    assert not app.info, "no Reset asked for: the widgets match the model"


def test_inspecting_a_model_starts_paused(app):
    data = model_file(target="ring", seed=2)
    app.run()
    uploader(app, "pg_model_file").upload("m.pt", data).run()
    app.button(key="pg_m_look").click().run()
    handle = app.session_state["job:playground"]
    wait_for(lambda: handle.history.latest() is not None, timeout=60, what="first frame")
    time.sleep(1.0)
    assert handle.step == 7 and handle.state == "paused"


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("kind", ["garbage", "pickle", "torch-pickle", "wrong-format"])
def test_a_bad_model_file_is_refused_with_a_message(app, tmp_path, kind):
    import torch

    marker = tmp_path / "pwned"
    if kind == "garbage":
        data = b"\x00not a model at all"
    elif kind == "pickle":
        data = pickle.dumps(Payload(marker))
    elif kind == "torch-pickle":
        buf = io.BytesIO()
        torch.save({"format": modelfile.MODEL_FORMAT, "evil": Payload(marker)}, buf)
        data = buf.getvalue()
    else:
        buf = io.BytesIO()
        torch.save({"format": "something-else"}, buf)
        data = buf.getvalue()
    assert not marker.exists()
    app.run()
    uploader(app, "pg_model_file").upload("m.pt", data).run()
    assert not app.exception
    assert any("Cannot use this model file" in e.value for e in app.error)
    assert not marker.exists(), "nothing in the file was run"
    assert "job:playground" not in app.session_state
    assert not [b for b in app.button if b.key in ("pg_m_go", "pg_m_look")]


def test_a_csv_upload_becomes_the_custom_target(app):
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(40, 2)) * 3
    text = "x,y,label\n" + "".join(f"{x},{y},{i % 2}\n" for i, (x, y) in enumerate(pts))
    app.run()
    uploader(app, "pg_custom_csv").upload("pts.csv", text.encode(), "text/csv").run()
    assert not app.exception and not app.error
    cfg = app.session_state["pg_config"]
    assert cfg.target == "custom" and cfg.custom[0].shape == (40, 2)
    assert cfg.n_classes == 2
    assert np.allclose(cfg.custom[0], pts)
    assert any("40 points from the file, 2 class(es)" in c.value for c in app.caption)
    assert any("cannot hold the points" in c.value for c in app.caption)
    assert "target" in app.query_params and app.query_params["target"] != "custom"
    app.selectbox(key="pg_cfg_gan").set_value("cgan").run()
    handle = train(app)
    assert handle.config.target == "custom" and handle.config.gan == "cgan"
    app.toggle(key="pg_custom_use").set_value(False).run()
    assert app.session_state["pg_config"].target == "moons"


@pytest.mark.parametrize(
    "text,message",
    [
        ("x,y\n1,foo\n", "row 1, column 2: 'foo' is not a number"),
        ("a,b\n1,2\n", "header must start with x,y"),
        ("x,y\n1,2\n3,4\n", "need at least 10 points"),
        ("", "file is empty"),
    ],
)
def test_a_bad_csv_gives_a_clear_message(app, text, message):
    app.run()
    uploader(app, "pg_custom_csv").upload("bad.csv", text.encode(), "text/csv").run()
    assert not app.exception
    assert any(message in e.value for e in app.error), [e.value for e in app.error]
    assert app.session_state["pg_config"].target == "moons"


def test_selected_plane_points_are_added_with_their_label():
    rows = []
    selection = [
        {"x": 1.0, "y": 2.0, "curve_number": 0, "point_index": 3},
        {"x": 0.5, "y": 0.5, "curve_number": 1, "point_index": 0},  # a drawn point: skipped
    ]
    custom_data.add_selection(rows, selection, 3)
    assert rows == [(1.0, 2.0, 3)]


def test_drawn_points_with_labels_become_the_custom_target(app):
    app.run()
    rows = [(float(i % 5), float(i // 5), 0 if i < 6 else 4) for i in range(12)]
    app.session_state["pg_custom_drawn"] = rows
    app.session_state["pg_custom_use"] = True
    app.run()
    cfg = app.session_state["pg_config"]
    assert cfg.target == "custom" and cfg.custom[0].shape == (12, 2) and cfg.n_classes == 2
    assert any("12 drawn point(s)" in c.value for c in app.caption)
    app.button(key="pg_custom_clear").click().run()
    assert app.session_state["pg_config"].target == "moons"
