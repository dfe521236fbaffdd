"""Mode-coverage and distribution metrics (definitions in docs/metrics.md).

``modes``/``hq``/``rkl``/``effective_modes`` follow the VEEGAN and PacGAN papers so
our numbers stand beside theirs; ``kl``/``js`` compare smoothed grid histograms.
"""

from __future__ import annotations

import math

import numpy as np

from gan_core.engine.targets import Modes

EVAL_SAMPLES = 2500
HQ_STDS = 3.0
NARROWER_Z = 3.0
"""How many binomial standard errors a run's hq must pass the data's own by to read as
"modes narrower than the data's" (one-sided: about 1 evaluation in 700 by chance)."""


def gaussian_hq(dim: int, stds: float = HQ_STDS) -> float:
    """The share of a Gaussian's own samples within ``stds`` standard deviations of its
    mean in ``dim`` dimensions: the chi-square CDF at stds², P(dim/2, stds²/2). In 2-D
    1 − e^(−stds²/2): 0.989 at 3σ. A mixture's own samples score this hq (its modes far
    apart): the most a generator that draws the target itself scores."""
    a, x = dim / 2, stds**2 / 2
    term = total = 1.0 / a
    n = 0
    while term > 1e-16 * total:  # (the series of the lower regularised gamma function)
        n += 1
        term *= x / (a + n)
        total += term
    return min(1.0, math.exp(a * math.log(x) - x - math.lgamma(a)) * total)


def narrower_than_data(hq: float, data_hq: float, n: int = EVAL_SAMPLES, n_data: int = 0):
    """Whether ``hq`` (measured on ``n`` samples) is above the data's own hq by more than
    sampling noise: by NARROWER_Z binomial standard errors (``n_data``: the samples the
    data's figure was measured on; 0: exact). Then G's samples sit closer to the mode
    centres than the data's do: its modes are narrower than the data's, not better."""
    var = data_hq * (1 - data_hq) * (1 / n + (1 / n_data if n_data else 0.0))
    return hq > data_hq + NARROWER_Z * math.sqrt(var) + 1e-12


def nearest_mode(points: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of, and distance to, each point's nearest mode centre."""
    d2 = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    idx = d2.argmin(1)
    return idx, np.sqrt(d2[np.arange(len(points)), idx])


def mode_metrics(points: np.ndarray, modes: Modes, shape: str = "circle") -> dict:
    """modes, modes_total, hq, rkl, effective_modes and the per-mode counts (``shape``:
    which high-quality rule, see ``high_quality``)."""
    idx, high = high_quality(points, modes.centres, modes.std, shape)
    return mode_summary(idx, high, modes.weights)


def high_quality(
    points: np.ndarray, centres: np.ndarray, std: float, shape: str = "circle"
) -> tuple[np.ndarray, np.ndarray]:
    """Each point's nearest mode and whether it is high quality: within HQ_STDS σ of that
    mode's centre, as a ``circle`` (the distance; VEEGAN's, PacGAN's and GDPP's code, and
    this project) or a ``square`` (every coordinate; the self-conditioned GAN's code)."""
    idx, dist = nearest_mode(points, centres)
    if shape == "circle":
        return idx, dist <= HQ_STDS * std
    if shape == "square":
        return idx, (np.abs(points - centres[idx]) <= HQ_STDS * std).all(1)
    raise ValueError(f"unknown high-quality shape {shape!r}: circle or square")


def square_hq(dim: int, stds: float = HQ_STDS) -> float:
    """``gaussian_hq`` for the square rule: the share of a Gaussian's own samples within
    ``stds`` σ of its mean on every axis, P(|N(0, 1)| ≤ stds)^dim; 0.9946 at 3σ in 2-D."""
    return math.erf(stds / math.sqrt(2)) ** dim


def mode_spread(points: np.ndarray, centres: np.ndarray, std: float, min_points: int = 10):
    """How wide G draws its modes: the median over modes of a mode's spread ÷ σ, or None.

    A mode's points are those nearest to it and within half the distance to the nearest
    other centre; its spread is 1.4826 × the median absolute deviation from their median,
    per axis, averaged over the axes (a Gaussian's σ, robust to the few points between
    modes). Modes with fewer than ``min_points`` points are left out. The target's own
    samples score about 1; a generator whose modes are narrower than the data's, below 1.
    """
    gaps = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(gaps, np.inf)
    reach = gaps.min(1) / 2
    idx, dist = nearest_mode(points, centres)
    ratios = []
    for k in range(len(centres)):
        own = points[(idx == k) & (dist <= reach[k])]
        if len(own) >= min_points:
            mad = np.median(np.abs(own - np.median(own, 0)), 0)
            ratios.append(1.4826 * float(mad.mean()) / std)
    return float(np.median(ratios)) if ratios else None


def mode_summary(idx: np.ndarray, high: np.ndarray, weights: np.ndarray, min_share=0.0) -> dict:
    """The mode metrics from each sample's mode (``idx``) and whether it is high quality.

    A mode is covered when it holds a high-quality sample (the papers' rule) and, with
    ``min_share``, at least that share of all samples (the digits' judge: one stray
    confident image is not a digit learnt).
    """
    k, n = len(weights), len(idx)
    counts = np.bincount(idx, minlength=k)
    hq_counts = np.bincount(idx[high], minlength=k)
    p_hat = counts / max(n, 1)
    nz = p_hat > 0
    entropy = -(p_hat[nz] * np.log(p_hat[nz])).sum()
    rkl = (p_hat[nz] * np.log(p_hat[nz] / weights[nz])).sum()
    covered = (hq_counts > 0) & (hq_counts >= min_share * n)
    return {
        "modes": int(covered.sum()),
        "modes_total": int(k),
        "hq": float(high.mean()) if n else 0.0,
        "rkl": float(rkl),
        "effective_modes": float(np.exp(entropy)),
        "collapsed": bool(np.exp(entropy) <= k / 2),
        "mode_counts": counts.tolist(),
        "hq_counts": hq_counts.tolist(),
        "covered": covered.tolist(),
    }


def histogram(points: np.ndarray, extent: float, bins: int = 40, alpha: float = 0.5):
    """Normalised histogram on the square [-extent, extent]², smoothed so no bin is 0.

    Points outside the window count in the edge bins, so mass never disappears.
    """
    pts = np.clip(points, -extent, extent * (1 - 1e-9))
    h, _, _ = np.histogram2d(
        pts[:, 0], pts[:, 1], bins=bins, range=[[-extent, extent], [-extent, extent]]
    )
    h = h + alpha
    return h / h.sum()


def kl_js(real: np.ndarray, fake: np.ndarray, extent: float, bins: int = 40) -> dict:
    """KL(p_data ‖ p_g) and JS between the two smoothed histograms (nats)."""
    p = histogram(real, extent, bins)
    q = histogram(fake, extent, bins)
    m = 0.5 * (p + q)
    kl = float((p * np.log(p / q)).sum())
    js = float(0.5 * (p * np.log(p / m)).sum() + 0.5 * (q * np.log(q / m)).sum())
    return {"kl": kl, "js": js}


def code_purity(points: np.ndarray, codes: np.ndarray, real: np.ndarray, labels: np.ndarray):
    """How well codes (or classes) follow the target's classes, in [0, 1].

    Each generated point takes the class of its nearest real point; the purity is the
    share of points whose class is the most common one of their code. 1: every code
    draws from one class only (the two moons, one each); about 1/classes: no relation.
    """
    nearest = np.empty(len(points), dtype=np.int64)
    rr = (real**2).sum(1)
    for i in range(0, len(points), 500):  # (500 × len(real) distances at a time)
        p = points[i : i + 500]
        d2 = rr[None, :] - 2 * p @ real.T
        nearest[i : i + 500] = d2.argmin(1)
    cls = labels[nearest]
    k = int(labels.max()) + 1
    table = np.zeros((int(codes.max()) + 1, k), dtype=np.int64)
    np.add.at(table, (codes, cls), 1)
    return float(table.max(1).sum() / max(len(points), 1))
