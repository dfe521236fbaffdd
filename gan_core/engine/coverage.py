"""Coverage metrics for every target, not only the built-in Gaussian mixtures.

``metrics.mode_metrics`` needs known mode centres; these need only samples. ``prdc``
compares a generated sample with a real one by k-NN balls (any dimension: 2-D points,
64-D digits); ``class_modes``/``class_mode_metrics`` turn a labelled dataset (a user's
CSV of blobs) into per-class Gaussian modes so VEEGAN-style mode counts apply to it.
numpy + scikit-learn only: no torch, no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors

from gan_core.engine.metrics import mode_summary

PRDC_KEYS = ("precision", "recall", "density", "coverage")
PRDC_K = 5
_BLOCK_ENTRIES = 4_000_000  # fake × real distances held at once (~32 MB of float64)


def _as_points(x: np.ndarray, name: str) -> np.ndarray:
    """A finite float64 (n, d) array, or a ValueError naming the argument."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(f"{name} must be a 2-D array (points × features), got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _sq_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared distances of paired rows, from the differences: the one exact yardstick.

    Radii and boundary cases both use it, so a point that *is* some ball's k-th neighbour
    lands exactly on that ball's edge, hence inside.
    """
    diff = a - b
    return (diff * diff).sum(1)


def _knn_radii_sq(x: np.ndarray, k: int) -> np.ndarray:
    """Squared distance from each point to its k-th nearest *other* point of its set."""
    _, ind = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x)
    # column 0 is the point itself; the neighbour search's distances may be rounded
    # (brute force in high dimension), so the radius is recomputed exactly
    return _sq_dist(x, x[ind[:, k]])


def _pairs_within(fake, real, fake_c, real_c, real_c_sq, fake_r2, real_r2):
    """(fake row, real row, exact squared distance) of every pair that may share a ball.

    The fast route |f|² - 2 f·r + |r|² is off by up to ~d·eps·(|f|² + |r|²), enough to
    put a ball's own k-th neighbour outside it (a 2-D set against itself: density 1.09,
    not 1.2). So it only picks candidates, on centred copies (``*_c``: smaller
    norms, smaller error) and with slack to spare; the few candidates (about k per
    point) are then measured exactly on the given coordinates, like the radii.
    """
    fake_sq = (fake_c * fake_c).sum(1)
    d2 = fake_c @ real_c.T
    d2 *= -2.0
    d2 += fake_sq[:, None]
    d2 += real_c_sq[None, :]
    slack = 8 * (fake.shape[1] + 4) * np.finfo(np.float64).eps
    slack *= float(fake_sq.max()) + float(real_c_sq.max())
    maybe = d2 <= (real_r2 + slack)[None, :]
    maybe |= d2 <= (fake_r2 + slack)[:, None]
    rows, cols = np.nonzero(maybe)
    exact = np.empty(len(rows))
    step = max(1, _BLOCK_ENTRIES // fake.shape[1])
    for s in range(0, len(rows), step):
        exact[s : s + step] = _sq_dist(fake[rows[s : s + step]], real[cols[s : s + step]])
    return rows, cols, exact


def prdc(real: np.ndarray, fake: np.ndarray, k: int = PRDC_K) -> dict:
    """Precision, recall (Kynkäänniemi et al. 2019), density, coverage (Naeem et al. 2020).

    A ball around each point reaches its k-th nearest neighbour in its own set; a point is
    inside a ball when its distance is <= the radius. Precision: share of fake points in
    some real ball. Recall: share of real points in some fake ball. Density: fake-in-real-
    ball memberships / (k · fakes), about 1 for matching sets and may exceed 1. Coverage:
    share of real balls holding at least one fake point. Distances go in blocks of fake
    rows, so memory stays bounded for large sets.
    """
    return RealBalls(real, k).prdc(fake)


class RealBalls:
    """The real side of ``prdc``, measured once: a run's evaluator compares each new
    generated sample with the same real one (its k-NN radii are a fifth of the cost)."""

    def __init__(self, real: np.ndarray, k: int = PRDC_K):
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        self.k = int(k)
        self.real = real = _as_points(real, "real")
        if len(real) < k + 1:
            raise ValueError(f"real needs at least k+1 = {k + 1} points, got {len(real)}")
        self.r2 = _knn_radii_sq(real, k)
        self.centre = real.mean(0)  # centred copies only pick candidates (_pairs_within)
        self.c = real - self.centre
        self.c_sq = (self.c * self.c).sum(1)

    def prdc(self, fake: np.ndarray) -> dict:
        """``prdc(real, fake, k)`` with this real set and k."""
        k, real, real_r2 = self.k, self.real, self.r2
        fake = _as_points(fake, "fake")
        if real.shape[1] != fake.shape[1]:
            raise ValueError(
                f"real and fake must have the same number of columns, "
                f"got {real.shape[1]} and {fake.shape[1]}"
            )
        if len(fake) < k + 1:
            raise ValueError(f"fake needs at least k+1 = {k + 1} points, got {len(fake)}")
        fake_r2 = _knn_radii_sq(fake, k)
        fake_c = fake - self.centre
        in_real_ball = np.zeros(len(fake), dtype=bool)  # precision
        real_covered = np.zeros(len(real), dtype=bool)  # coverage
        real_recalled = np.zeros(len(real), dtype=bool)  # recall
        memberships = 0  # density
        rows = max(1, min(1000, _BLOCK_ENTRIES // len(real)))
        for i in range(0, len(fake), rows):
            block = slice(i, i + rows)
            f, r, d2 = _pairs_within(
                fake[block], real, fake_c[block], self.c, self.c_sq, fake_r2[block], real_r2
            )
            in_real = d2 <= real_r2[r]
            in_real_ball[i + f[in_real]] = True
            real_covered[r[in_real]] = True
            memberships += int(in_real.sum())
            real_recalled[r[d2 <= fake_r2[i + f]]] = True
        return {
            "precision": float(in_real_ball.mean()),
            "recall": float(real_recalled.mean()),
            "density": float(memberships / (k * len(fake))),
            "coverage": float(real_covered.mean()),
        }


@dataclass(frozen=True)
class ClassModes:
    """One Gaussian mode per class of a labelled dataset (classes in np.unique order)."""

    means: np.ndarray  # (K, d)
    inv_covs: np.ndarray  # (K, d, d)
    weights: np.ndarray  # (K,), class shares in the data, sums to 1


def class_modes(points: np.ndarray, labels: np.ndarray) -> ClassModes:
    """Mean and inverse covariance of each class, for Mahalanobis mode metrics.

    A ridge of 1e-6 × (mean variance) + 1e-12 keeps a flat class (e.g. a pixel that is
    always 0) invertible. A one-point class has no spread to estimate, so it gets a tiny
    isotropic covariance (1e-6 × the whole data's mean variance + 1e-12): only fakes
    essentially on that point are near it, rather than an arbitrary wide blob.
    """
    points = _as_points(points, "points")
    labels = np.asarray(labels)
    if labels.shape != (len(points),):
        raise ValueError(
            f"labels must be 1-D with one label per point ({len(points)}), got {labels.shape}"
        )
    if len(points) == 0:
        raise ValueError("points is empty")
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    d = points.shape[1]
    eye = np.eye(d)
    pooled = np.atleast_2d(np.cov(points, rowvar=False)) if len(points) > 1 else np.zeros((d, d))
    tiny = 1e-6 * float(np.mean(np.diag(pooled))) + 1e-12
    means = np.empty((len(classes), d))
    inv_covs = np.empty((len(classes), d, d))
    for c in range(len(classes)):
        x = points[inverse == c]
        means[c] = x.mean(0)
        if len(x) >= 2:
            cov = np.atleast_2d(np.cov(x, rowvar=False))
            cov = cov + (1e-6 * float(np.mean(np.diag(cov))) + 1e-12) * eye
        else:
            cov = tiny * eye
        inv = np.linalg.inv(cov)
        inv_covs[c] = 0.5 * (inv + inv.T)
    return ClassModes(means=means, inv_covs=inv_covs, weights=counts / counts.sum())


def mahalanobis(points: np.ndarray, modes: ClassModes) -> np.ndarray:
    """(n, K) Mahalanobis distance of each point to each class mode."""
    out = np.empty((len(points), len(modes.means)))
    for c, (mean, inv) in enumerate(zip(modes.means, modes.inv_covs, strict=True)):
        diff = points - mean
        out[:, c] = np.einsum("nd,nd->n", diff @ inv, diff)
    return np.sqrt(np.maximum(out, 0.0))


def class_mode_metrics(fake: np.ndarray, modes: ClassModes, hq_stds: float = 3.0) -> dict:
    """``metrics.mode_metrics`` for labelled data: same keys, Mahalanobis distances.

    Each fake point belongs to the class with the smallest Mahalanobis distance and is
    high quality when that distance is <= hq_stds (the per-class analogue of 3 std).
    3 suits 2-D blobs (99 % of a Gaussian class lies within); in d dimensions a class's
    own points sit about √d away (64-D digits: none within 3), so pass a larger hq_stds.
    """
    fake = _as_points(fake, "fake")
    k, d = modes.means.shape
    if fake.shape[1] != d:
        raise ValueError(f"fake has {fake.shape[1]} columns but the modes have {d}")
    dist = mahalanobis(fake, modes)
    idx = dist.argmin(1)
    high = dist[np.arange(len(fake)), idx] <= hq_stds
    return mode_summary(idx, high, modes.weights)
