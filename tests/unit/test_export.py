"""Exports (CSV, GIF, model files) and what untrusted input must never do."""

import csv
import io
import os
import pickle
import string

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from gan_core import export
from gan_core.engine import modelfile
from gan_core.engine import targets as T
from gan_core.engine.config import SPECS, RunConfig, all_target_param_names
from gan_core.engine.data_io import read_points_csv
from gan_core.engine.evaluation import Evaluator
from gan_core.engine.snapshot import run_info, take
from gan_core.engine.targets import TARGETS, DataError
from gan_core.engine.trainer import Trainer
from gan_core.live.history import History

# --- CSV -------------------------------------------------------------------------------


def recorded_history(trainer: Trainer, evaluator, frames: int = 6, steps: int = 10) -> History:
    history = History()
    history.add(take(trainer, evaluator, 0.0, 0.0))
    for _ in range(frames):
        trainer.run(steps)
        history.add(take(trainer, evaluator, 0.0, 0.0))
    return history


@pytest.fixture(scope="module")
def ring_run():
    t = Trainer(RunConfig(target="ring"))
    ev = Evaluator(t, n=500)
    return t, ev, recorded_history(t, ev)


def test_csv_round_trip(ring_run):
    _, _, history = ring_run
    text = export.history_csv(history)
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[0] == "step" and {"loss_d", "loss_g", "modes", "hq"} <= set(header)
    assert "loss_info" not in header, "a column empty for the whole run is left out"
    assert len(body) == len(history.series["step"]) == 6, "one row per recorded step"
    for key in header:
        parsed = [float(r[header.index(key)]) for r in body]
        assert parsed == history.series[key], key


def test_csv_marks_missing_values_with_empty_cells():
    series = {"step": [10.0, 20.0], "loss_d": [0.5, float("nan")], "modes": [float("nan")] * 2}
    assert export.series_csv(series) == "step,loss_d\n10,0.5\n20,\n"
    assert export.series_csv({"step": []}) == "step\n"


# --- GIF -------------------------------------------------------------------------------


def test_gif_has_a_frame_per_snapshot_up_to_the_cap(ring_run):
    trainer, ev, history = ring_run
    info = run_info(trainer, ev)
    snaps = list(history.snapshots)
    data = export.run_gif(info, snaps)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.n_frames == len(snaps) == 7
    assert Image.open(io.BytesIO(export.run_gif(info, snaps, max_frames=3))).n_frames == 3
    with pytest.raises(ValueError, match="no snapshots"):
        export.run_gif(info, [])


# --- model files -----------------------------------------------------------------------


def sample(trainer, n=20):
    return trainer.sample(n, torch.Generator().manual_seed(7))[0]


@pytest.mark.parametrize(
    "gan,target", [("gan", "ring"), ("cgan", "ring"), ("infogan", "ring"), ("cgan", "digits")]
)
def test_model_save_load_same_outputs_and_resumes_at_its_step(gan, target):
    cont = 1 if gan == "infogan" else 0
    t = Trainer(RunConfig(target=target, gan=gan, cont_codes=cont, g_width=64, d_width=64))
    t.run(30)
    data = modelfile.model_bytes(t)
    saved = modelfile.read_model(data)
    assert saved.step == 30 and saved.config == t.cfg
    loaded = modelfile.load_trainer(data)
    assert loaded.step_count == 30
    assert np.array_equal(sample(loaded), sample(t))
    x = torch.randn(10, T.TARGETS[target].dim + t.model.n_cond)
    with torch.no_grad():
        assert torch.equal(loaded.model.D(x), t.model.D(x))
    t.run(20)
    loaded.run(20)
    assert loaded.step_count == 50
    assert loaded.losses() == t.losses(), "optimiser and random states go on as if unbroken"
    assert np.array_equal(sample(loaded), sample(t))


def test_model_keeps_gs_moving_average_and_resumes_exactly():
    if "ema" not in SPECS:
        pytest.skip("needs the ema setting")
    cfg = RunConfig(target="ring", ema=0.99)
    t = Trainer(cfg)
    t.run(130)
    loaded = modelfile.load_trainer(modelfile.model_bytes(t))
    assert np.array_equal(sample(loaded), sample(t)), "samples come from the same average"
    t.run(70)
    loaded.run(70)
    assert loaded.losses() == t.losses() and np.array_equal(sample(loaded), sample(t))
    plain = Trainer(RunConfig(target="ring"))
    plain.run(10)
    averaged = modelfile.load_trainer(modelfile.model_bytes(plain), cfg)
    assert np.array_equal(sample(averaged), sample(plain)), "no average saved: it starts at G"


def test_continuing_with_other_settings_that_keep_the_shapes():
    t = Trainer(RunConfig(target="ring"))
    t.run(10)
    data = modelfile.model_bytes(t)
    other = modelfile.load_trainer(data, RunConfig(target="ring", lr_g=1e-4, loss="hinge"))
    assert other.opt_g.param_groups[0]["lr"] == 1e-4, "the new config's learning rate wins"
    assert other.step_count == 10
    other.run(5)
    sgd = modelfile.load_trainer(data, RunConfig(target="ring", optimizer="sgd"))
    sgd.run(5)
    with pytest.raises(modelfile.ModelError, match="G's 0.weight has shape"):
        modelfile.load_trainer(data, RunConfig(target="ring", z_dim=8))
    with pytest.raises(modelfile.ModelError, match="D's layers do not match"):
        modelfile.load_trainer(data, RunConfig(target="ring", d_depth=2))


def test_custom_target_model_carries_its_points():
    pts = np.random.default_rng(0).normal(size=(50, 2))
    labels = np.repeat(np.arange(5), 10)
    t = Trainer(RunConfig(target="custom", gan="cgan", custom=(pts, labels)))
    t.run(5)
    loaded = modelfile.load_trainer(modelfile.model_bytes(t))
    assert np.allclose(loaded.cfg.custom[0], pts) and (loaded.cfg.custom[1] == labels).all()
    assert np.array_equal(sample(loaded), sample(t))


class MakesAMarker:
    """Unpickling this would run ``os.system`` (the attack a model upload could carry)."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_a_pickle_that_runs_code_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "marker"
    evil = MakesAMarker(marker)
    assert not marker.exists()
    buf = io.BytesIO()
    torch.save({"format": modelfile.MODEL_FORMAT, "config": {}, "g": evil}, buf)
    for data in (pickle.dumps(evil), pickle.dumps({"format": evil}, protocol=2), buf.getvalue()):
        with pytest.raises(modelfile.ModelError, match="nothing in it was run"):
            modelfile.read_model(data)
    assert not marker.exists(), "the payload's code never ran"
    pickle.loads(pickle.dumps(evil))  # the payload is real: plain pickle does run it
    assert marker.exists()


def test_wrong_files_give_clear_messages():
    t = Trainer(RunConfig(target="ring"))
    good = modelfile.model_bytes(t)

    def saved(**changes):
        payload = torch.load(io.BytesIO(good), weights_only=True)
        payload.update(changes)
        buf = io.BytesIO()
        torch.save(payload, buf)
        return buf.getvalue()

    cases = {
        b"": "not a GAN Lab model file",
        b"x,y\n1,2\n": "not a GAN Lab model file",
        good[: len(good) // 2]: "not a GAN Lab model file",
        saved(format="other"): "expected format 'ganlab-model-1'",
        saved(config={"target": "ring", "lr_g": "9"}): "config is not valid: lr_g",
        saved(config=["ring"]): "not a table of settings",
        saved(step=-1): "step count",
        saved(g={"0.weight": torch.zeros(3)}): "G's layers do not match",
        saved(d=None): "D's weights are missing",
        saved(config={"target": "custom"}): "custom target needs its points",
    }
    for data, message in cases.items():
        with pytest.raises(modelfile.ModelError, match=message):
            modelfile.load_trainer(data)
    nan_g = {k: v.clone().fill_(float("nan")) for k, v in t.model.G.state_dict().items()}
    with pytest.raises(modelfile.ModelError, match="not all finite"):
        modelfile.load_trainer(saved(g=nan_g))
    with pytest.raises(modelfile.ModelError, match="larger than"):
        modelfile.read_model(b"0" * (modelfile.MAX_MODEL_BYTES + 1))


# --- untrusted text never raises anything but the documented error ---------------------

CSV_ALPHABET = string.digits + ",.-+eE \n\r\t\"'xyXYlabnifNI\x00;é"
csv_text = st.text(alphabet=CSV_ALPHABET, max_size=400)
numbers = st.floats(allow_nan=True, allow_infinity=True).map(repr)
csv_rows = st.lists(
    st.lists(st.one_of(numbers, st.integers().map(str), st.text(max_size=5)), max_size=4),
    max_size=30,
).map(lambda rows: "\n".join(",".join(r) for r in rows))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), csv_text, csv_rows, csv_rows.map(str.encode)))
def test_read_points_csv_raises_only_data_error(data):
    try:
        points, labels = read_points_csv(data)
    except DataError:
        return
    assert points.ndim == 2 and points.shape[1] == 2 and np.isfinite(points).all()
    assert labels.shape == (len(points),)


KEYS = sorted(set(SPECS) | all_target_param_names() | {"preset", "page", "custom", "junk"})
VALUES = st.one_of(
    st.sampled_from(list(TARGETS) + ["gan", "cgan", "infogan", "hinge", "uniform", "sgd"]),
    st.integers(-10, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=8),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), VALUES))
def test_query_parse_never_raises_and_always_gives_a_valid_config(query):
    from ui.query import parse

    cfg, errors = parse(query)
    assert isinstance(cfg, RunConfig) and isinstance(errors, list)
    assert RunConfig.from_flat(cfg.to_flat()) == cfg, "the result is itself a valid config"
