"""The papers' definitions of a high-quality sample (docs/metrics.md): a circle of 3σ
(VEEGAN, PacGAN, GDPP, this project) or a square of 3σ per axis (the self-conditioned
GAN's code), and a mode's spread; bench/papers.py reports them."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from gan_core.engine import metrics
from gan_core.engine.targets import TARGETS

_SPEC = importlib.util.spec_from_file_location(
    "paper_setups", Path(__file__).resolve().parents[2] / "bench" / "paper_setups.py"
)
papers = importlib.util.module_from_spec(_SPEC)  # the setups bench/papers.py runs
_SPEC.loader.exec_module(papers)

STD = 0.05
CENTRES = np.array([[0.0, 0.0], [2.0, 0.0]])


def test_circle_and_square_on_known_points():
    points = STD * np.array(
        [
            [2.9, 0.0],  # inside both
            [2.5, 2.5],  # 3.54σ away, each axis 2.5σ: the square's corner, not the circle
            [0.0, -3.1],  # outside both
            [2.0, 2.0],  # 2.83σ: inside both
        ]
    )
    points = np.concatenate([points, points + CENTRES[1]])  # the same near the other mode
    idx_c, circle = metrics.high_quality(points, CENTRES, STD, "circle")
    idx_s, square = metrics.high_quality(points, CENTRES, STD, "square")
    assert circle.tolist() == [True, False, False, True] * 2
    assert square.tolist() == [True, True, False, True] * 2
    assert idx_c.tolist() == idx_s.tolist() == [0] * 4 + [1] * 4
    with pytest.raises(ValueError, match="circle or square"):
        metrics.high_quality(points, CENTRES, STD, "diamond")


def test_theory_of_the_targets_own_hq():
    assert metrics.gaussian_hq(2) == pytest.approx(1 - math.exp(-4.5), abs=1e-12)  # 0.9889
    assert metrics.square_hq(2) == pytest.approx(0.99730020393674**2, abs=1e-12)  # 0.9946
    assert metrics.square_hq(1) == pytest.approx(metrics.gaussian_hq(1), abs=1e-12)


@pytest.mark.parametrize("shape, theory", [("circle", 1 - math.exp(-4.5)), ("square", 0.99460)])
def test_the_grids_own_samples_score_the_theory(shape, theory):
    grid = TARGETS["grid"]
    params = {"side": 5, "spacing": 2.0, "std": STD}
    n = 200_000
    real, _ = grid.sample(n, np.random.default_rng(3), **params)
    m = metrics.mode_metrics(real, grid.modes(**params), shape)
    se = math.sqrt(theory * (1 - theory) / n)
    assert m["hq"] == pytest.approx(theory, abs=4 * se)
    assert m["modes"] == 25


def test_a_modes_spread_is_one_for_the_data_and_half_for_half_as_wide():
    ring = TARGETS["ring"]
    params = {"modes": 8, "radius": 1.0, "std": 0.01}
    modes = ring.modes(**params)
    real, labels = ring.sample(5000, np.random.default_rng(0), **params)
    assert metrics.mode_spread(real, modes.centres, 0.01) == pytest.approx(1.0, abs=0.06)
    narrow = modes.centres[labels] + 0.5 * (real - modes.centres[labels])
    assert metrics.mode_spread(narrow, modes.centres, 0.01) == pytest.approx(0.5, abs=0.03)
    # a few points strewn between the modes do not move it
    rng = np.random.default_rng(1)
    strewn = np.concatenate([real, rng.uniform(-1, 1, size=(100, 2))])
    assert metrics.mode_spread(strewn, modes.centres, 0.01) == pytest.approx(1.0, abs=0.08)
    assert metrics.mode_spread(modes.centres[:3], modes.centres, 0.01) is None  # too few


def test_gdpps_ring_has_seven_distinct_modes_one_twice_as_likely():
    centres, weights = papers.centres(papers.SETUPS["gdpp"]["targets"]["ring"])
    assert len(centres) == 7
    assert sorted(weights.tolist()) == pytest.approx([1 / 8] * 6 + [2 / 8])
    assert np.sqrt((centres**2).sum(1)) == pytest.approx(np.ones(7))


def test_pacgans_setups_geometry():
    targets = papers.SETUPS["pacgan"]["targets"]
    ring, w = papers.centres(targets["ring"])
    assert len(ring) == 8 and w == pytest.approx(np.full(8, 1 / 8))
    assert np.sqrt((ring**2).sum(1)) == pytest.approx(np.ones(8))
    assert targets["ring"]["std"] == 0.01
    grid, _ = papers.centres(targets["grid"])
    assert sorted(set(grid[:, 0].tolist())) == [-4, -2, 0, 2, 4]
    assert targets["grid"]["std"] == 0.05


def test_every_setup_is_written_down():
    need = {"title", "source", "targets", "samples", "trials", "budget", "nets", "engine"}
    need |= {"hq", "hq_def", "mode_def", "rkl_def", "published"}
    for name, setup in papers.SETUPS.items():
        assert need <= set(setup), name
        assert setup["hq"] in ("circle", "square")
