"""The target's own hq: what its own samples score, and how the app reads an hq above it."""

import math

import numpy as np
import pytest

from gan_core.engine import metrics
from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.evaluation import Evaluator
from gan_core.engine.snapshot import Snapshot, preview_info, run_info
from gan_core.engine.trainer import Trainer
from gan_core.figures import curves, plots
from ui import compare

RING = 1 - math.exp(-4.5)


def test_gaussian_hq_is_the_chi_square_cdf():
    assert metrics.gaussian_hq(2) == pytest.approx(RING, abs=1e-12)
    assert metrics.gaussian_hq(1) == pytest.approx(math.erf(3 / math.sqrt(2)), abs=1e-12)
    assert metrics.gaussian_hq(2, 1.0) == pytest.approx(1 - math.exp(-0.5), abs=1e-12)
    assert metrics.gaussian_hq(64) < 1e-10  # (64-D: a Gaussian's own points sit ~8σ out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_rings_own_samples_score_its_own_hq(seed):
    cfg = RunConfig(target="ring", seed=seed)
    target = T.TARGETS["ring"]
    real, _ = target.sample(metrics.EVAL_SAMPLES, np.random.default_rng(seed), **cfg.params)
    measured = metrics.mode_metrics(real, target.modes(**cfg.params))["hq"]
    info = preview_info(cfg)
    assert info.data_hq == pytest.approx(0.989, abs=5e-4)
    assert measured == pytest.approx(info.data_hq, abs=0.005)
    assert not info.narrower(measured)  # the data itself never reads as narrower


def test_narrower_needs_more_than_sampling_noise():
    own = metrics.gaussian_hq(2)
    assert metrics.narrower_than_data(1.0, own)
    assert not metrics.narrower_than_data(own + 0.005, own)  # inside 3 standard errors
    assert metrics.narrower_than_data(own + 0.007, own)
    assert not metrics.narrower_than_data(0.93, own)
    assert not metrics.narrower_than_data(1.0, 1.0)  # nothing passes a perfect 1
    # measured on few data points, the data's own figure is noisier: a wider margin
    assert not metrics.narrower_than_data(0.95, 0.9, n_data=100)
    assert metrics.narrower_than_data(0.95, 0.9, n_data=10_000)


def test_labelled_custom_data_is_scored_by_its_own_rule():
    rng = np.random.default_rng(0)
    centres = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    labels = np.repeat(np.arange(3), 400)
    blobs = centres[labels] + rng.uniform(-0.3, 0.3, (1200, 2))  # uniform: not Gaussian
    cfg = RunConfig(target="custom", gan="cgan", custom=(blobs, labels))
    info = run_info(trainer := Trainer(cfg), Evaluator(trainer))
    assert info.data_hq == 1.0  # a uniform square's points are all within Mahalanobis 3
    assert info.data_hq_n == 1200
    assert preview_info(cfg).data_hq == 1.0


def test_digits_have_no_own_hq():
    assert preview_info(RunConfig(target="digits")).data_hq is None


def _snap(hq: float) -> Snapshot:
    metrics_ = {"modes": 8, "modes_total": 8, "hq": hq, "effective_modes": 7.9}
    return Snapshot(1200, 5.0, 100.0, np.zeros((4, 2)), np.zeros(4), {}, metrics_)


def test_status_line_reads_an_hq_above_the_datas_own_as_narrower_modes():
    info = preview_info(RunConfig(target="ring"))
    above = plots.status_text(info, _snap(1.0))
    assert "hq 100% (data 99%: modes narrower than the data's)" in above
    for hq in (0.93, 0.99):  # below, or within noise of, the data's own: the plain figure
        text = plots.status_text(info, _snap(hq))
        assert f"hq {hq:.0%} ·" in text and "narrower" not in text


def test_compare_chart_and_caption_show_the_datas_own_hq():
    caption = compare.coverage_caption(RING)
    assert "data's own hq (98.9%" in caption and "narrower than the data's" in caption
    assert "Above it now" not in caption
    assert compare.coverage_caption(RING, ["InfoGAN"]).endswith("Above it now: InfoGAN")
    assert "own hq" not in compare.coverage_caption(None)  # digits, or no modes
    fig = curves.compare_coverage_figure({"GAN": {"step": []}}, 8, data_hq=RING)
    (line,) = fig.layout.shapes
    assert line.yref == "y2" and line.y0 == line.y1 == RING
    assert "data's own hq 98.9%" in fig.layout.annotations[0].text
    assert not curves.compare_coverage_figure({"GAN": {"step": []}}, 8).layout.shapes
