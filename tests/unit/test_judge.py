import subprocess
import sys
import warnings

import numpy as np
import pytest

from gan_core.engine import judge as judge_mod
from gan_core.engine.judge import COVER_SHARE, judge
from gan_core.engine.targets import digits_data


@pytest.fixture(scope="module")
def real():
    return digits_data()


@pytest.fixture(scope="module")
def right(real):
    """Indices of the real images, per digit, that the judge classifies correctly."""
    x, y = real
    pred = judge().proba(x).argmax(1)
    return {d: np.flatnonzero((y == d) & (pred == d)) for d in range(10)}


def test_digits_data_scaled_to_tanh_range(real):
    x, y = real
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == -1.0 and x.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    assert digits_data() is real, "cached: one copy shared by the judge and the target"
    with pytest.raises(ValueError):
        x[0, 0] = 0.0  # read-only, so no caller can spoil the shared copy


def test_judge_is_accurate_and_cached():
    j = judge()
    assert j.accuracy >= 0.95
    assert judge() is j


def test_fit_is_deterministic_and_converges():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning would fail here
        a, b = judge_mod._fit(), judge_mod._fit()
    assert a.accuracy == b.accuracy
    np.testing.assert_array_equal(a.model.coef_, b.model.coef_)


def test_importing_the_judge_pulls_neither_torch_nor_streamlit():
    code = (
        "import sys, gan_core.engine.judge; "
        "bad = {'torch', 'streamlit'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_real_digits_cover_every_digit(real):
    x, y = real
    m = judge().metrics(x, codes=y)
    assert m["modes"] == 10 and m["modes_total"] == 10
    assert m["hq"] > 0.8
    assert m["effective_modes"] > 9.5 and not m["collapsed"]
    assert m["rkl"] == pytest.approx(np.log(10) - np.log(m["effective_modes"]))
    assert sum(m["mode_counts"]) == len(x) and len(m["mode_counts"]) == 10
    assert sum(m["hq_counts"]) == round(m["hq"] * len(x))
    assert all(isinstance(c, int) for c in m["mode_counts"] + m["hq_counts"])
    assert m["purity"] >= 0.95
    table = np.array(m["code_table"])
    assert table.shape == (10, 10) and table.sum() == len(x)
    diag = np.diag(table)
    assert (diag > table.sum(1) - diag).all(), "each label is mostly judged as itself"


def test_collapse_onto_ones_and_sevens(real):
    x, y = real
    fake = np.tile(x[(y == 1) | (y == 7)], (5, 1))
    m = judge().metrics(fake)
    assert m["modes"] == 2
    assert m["effective_modes"] < 2.2
    assert m["collapsed"]
    assert m["rkl"] > np.log(10) - np.log(2.2)
    codes = np.random.default_rng(0).integers(0, 10, len(fake))
    assert judge().metrics(fake, codes=codes)["purity"] < 0.6, "codes unrelated to digits"


def test_purity_and_code_table_by_hand(real, right):
    x, _ = real
    # code 0: four 3s and a 5; code 1: two 0s and two 8s; code 2: three 9s
    rows = [(0, 3, 4), (0, 5, 1), (1, 0, 2), (1, 8, 2), (2, 9, 3)]
    fake = np.concatenate([x[right[d][:k]] for _, d, k in rows])
    codes = np.concatenate([np.full(k, c) for c, _, k in rows])
    m = judge().metrics(fake, codes=codes)
    expected = np.zeros((3, 10), dtype=int)
    for c, d, k in rows:
        expected[c, d] = k
    assert m["code_table"] == expected.tolist()
    assert m["purity"] == (4 + 2 + 3) / 12
    assert m["mode_counts"] == expected.sum(0).tolist()


def test_a_digit_needs_a_share_of_confident_samples_to_count(real, right):
    x, _ = real
    p = judge().proba(x)
    sure = {d: right[d][p[right[d]].max(1) >= 0.99] for d in range(10)}
    n = 1000
    stray = int(COVER_SHARE * n) - 1  # one short of the share
    fours = x[sure[4][:1]].repeat(n - 2 * stray - 1, 0)
    sixes = x[sure[6][:1]].repeat(stray + 1, 0)
    fake = np.concatenate([fours, x[sure[2][:stray]], sixes])
    assert len(fake) == n
    m = judge().metrics(fake)
    assert m["hq_counts"][2] == stray and m["hq_counts"][6] == stray + 1
    assert m["modes"] == 2, "4 and 6 reach 1 % of the samples, 2 does not"


def test_confident_threshold(real):
    x, _ = real
    j = judge()
    top = j.proba(x).max(1)
    assert j.metrics(x, confident=0.0)["hq"] == 1.0
    assert j.metrics(x, confident=0.5)["hq"] == pytest.approx((top >= 0.5).mean())
    assert j.metrics(x, confident=1.01)["hq"] == 0.0
    assert j.metrics(x, confident=1.01)["modes"] == 0


def test_non_finite_rows_are_never_confident(real):
    x, _ = real
    fake = x[:6].astype(np.float64)
    fake[1, 3] = np.nan
    fake[2, :] = np.inf
    fake[3, 0] = -np.inf
    p = judge().proba(fake)
    assert np.isfinite(p).all() and np.allclose(p.sum(1), 1.0)
    np.testing.assert_allclose(p[1:4], 0.1)
    m = judge().metrics(fake)
    assert sum(m["mode_counts"]) == 6
    assert sum(m["hq_counts"]) <= 3


def test_out_of_range_pixels_are_clipped(real):
    x, _ = real
    wild = x[:20] * 3.0
    np.testing.assert_allclose(judge().proba(wild), judge().proba(np.clip(wild, -1, 1)))


@pytest.mark.parametrize("shape", [(64,), (5, 63), (5, 8, 8), (5, 65)])
def test_wrong_shape_is_refused_clearly(shape):
    with pytest.raises(ValueError, match=r"\(n, 64\) array"):
        judge().proba(np.zeros(shape))
    with pytest.raises(ValueError, match=r"\(n, 64\) array"):
        judge().metrics(np.zeros(shape))


def test_bad_codes_are_refused(real):
    x, y = real
    with pytest.raises(ValueError, match="one int per image"):
        judge().metrics(x[:10], codes=y[:9])
    with pytest.raises(ValueError, match="one int per image"):
        judge().metrics(x[:10], codes=y[:10].astype(float))
    with pytest.raises(ValueError, match="≥ 0"):
        judge().metrics(x[:10], codes=y[:10] - 5)


def test_empty_sample(real):
    m = judge().metrics(np.empty((0, 64)), codes=np.empty(0, dtype=np.int64))
    assert m["modes"] == 0 and m["hq"] == 0.0
    assert m["mode_counts"] == [0] * 10
    assert m["code_table"] == [] and m["purity"] == 0.0
