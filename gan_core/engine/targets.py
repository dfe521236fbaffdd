"""Target distributions: one registry entry per target.

Each target is a ``Target`` with a ``sample(n, rng, **params) -> (points, labels)``
function, its parameters with ranges, and (for Gaussian mixtures) the mode centres
that the coverage metrics need. Labels exist for every target so cGAN works on all.
Most are 2-D point clouds; ``digits`` is scikit-learn's 8×8 digits (64 values a sample,
``image`` says how to draw one), a fixed set of real images rather than a sampler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from sklearn import datasets


@dataclass(frozen=True)
class Param:
    """One numeric parameter of a target, with the range the UI and config allow."""

    default: float
    lo: float
    hi: float
    integer: bool = False
    help: str = ""


@dataclass(frozen=True)
class Modes:
    """Known Gaussian modes: the metrics' reference (docs/metrics.md)."""

    centres: np.ndarray  # (K, 2)
    std: float
    weights: np.ndarray  # (K,), sums to 1


@dataclass(frozen=True)
class Target:
    name: str
    title: str
    sample: Callable[..., tuple[np.ndarray, np.ndarray]]
    params: dict[str, Param] = field(default_factory=dict)
    n_classes: Callable[..., int] = lambda **p: 1
    modes: Callable[..., Modes | None] = lambda **p: None
    extent: Callable[..., float] = lambda **p: 3.0
    """Half-width of the square window the views and the kl/js grid use."""
    dim: int = 2
    """Values per sample: G's output, D's input."""
    image: tuple[int, int] | None = None
    """(rows, columns) when a sample is a small picture (digits), not a point on the plane."""
    fixed: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None
    """A fixed real set (digits): the training set and the metrics' reference are it,
    whole, not a sample of it (repeated images would make nearest-neighbour balls empty)."""
    g_out: str = "linear"
    """G's output activation: ``tanh`` for data in [-1, 1] (digits)."""

    @property
    def planar(self) -> bool:
        """Points on the plane: the heatmap, arrows, manifold and D* layers apply."""
        return self.image is None and self.dim == 2


TARGETS: dict[str, Target] = {}


def register(target: Target) -> Target:
    TARGETS[target.name] = target
    return target


def _mixture(centres: np.ndarray, std: float, n: int, rng: np.random.Generator):
    labels = rng.integers(0, len(centres), size=n)
    points = centres[labels] + std * rng.standard_normal((n, 2))
    return points, labels


def _ring_centres(modes: int, radius: float) -> np.ndarray:
    angles = 2 * np.pi * np.arange(int(modes)) / int(modes)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _grid_centres(side: int, spacing: float) -> np.ndarray:
    axis = (np.arange(int(side)) - (int(side) - 1) / 2) * spacing
    xx, yy = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def _seed(rng: np.random.Generator) -> int:
    """A seed for scikit-learn's makers, drawn from our generator so runs stay reproducible."""
    return int(rng.integers(0, 2**31 - 1))


def _moons(n, rng, noise):
    x, y = datasets.make_moons(n, noise=noise, random_state=_seed(rng))
    return x - np.array([0.5, 0.25]), y


def _circles(n, rng, noise, factor):
    x, y = datasets.make_circles(n, noise=noise, factor=factor, random_state=_seed(rng))
    return 2.0 * x, y


def _spiral(n, rng, arms, noise):
    arms = int(arms)
    labels = rng.integers(0, arms, size=n)
    t = np.sqrt(rng.uniform(0.02, 1.0, size=n))
    theta = 3.0 * np.pi * t + 2 * np.pi * labels / arms
    r = 2.5 * t
    pts = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    return pts + noise * rng.standard_normal((n, 2)), labels


def _swissroll(n, rng, noise, segments):
    x, t = datasets.make_swiss_roll(n, noise=noise, random_state=_seed(rng))
    pts = x[:, [0, 2]] / 5.0
    edges = np.quantile(t, np.linspace(0, 1, int(segments) + 1)[1:-1])
    return pts, np.searchsorted(edges, t)


def _checkerboard(n, rng, side, noise):
    side = int(side)
    cells = [(i, j) for i in range(side) for j in range(side) if (i + j) % 2 == 0]
    labels = rng.integers(0, len(cells), size=n)
    corner = np.array(cells, dtype=float)[labels]
    pts = corner + rng.uniform(0, 1, size=(n, 2))
    pts = (pts - side / 2) * (4.0 / side)
    return pts + noise * rng.standard_normal((n, 2)), labels


def _pinwheel(n, rng, arms, radial_std, tangential_std, rate):
    """The pinwheel of Johnson et al. (2016): Gaussian blobs sheared into arms."""
    arms = int(arms)
    labels = rng.integers(0, arms, size=n)
    feats = rng.standard_normal((n, 2)) * np.array([radial_std, tangential_std])
    feats[:, 0] += 1.0
    angles = 2 * np.pi * labels / arms + rate * np.exp(feats[:, 0])
    rot = np.stack(
        [np.cos(angles), -np.sin(angles), np.sin(angles), np.cos(angles)], axis=1
    ).reshape(-1, 2, 2)
    return 1.2 * np.einsum("ni,nij->nj", feats, rot), labels


register(
    Target(
        "moons",
        "Double moon",
        _moons,
        {"noise": Param(0.05, 0.0, 0.5, help="Gaussian noise added to the moons")},
        n_classes=lambda **p: 2,
        extent=lambda **p: 2.0,
    )
)
register(
    Target(
        "ring",
        "Ring of Gaussians",
        lambda n, rng, modes, radius, std: _mixture(_ring_centres(modes, radius), std, n, rng),
        {
            "modes": Param(8, 2, 32, integer=True, help="Gaussians on the circle"),
            "radius": Param(2.0, 0.5, 10.0, help="radius of the circle"),
            "std": Param(0.02, 0.001, 1.0, help="standard deviation of each Gaussian"),
        },
        n_classes=lambda modes, **p: int(modes),
        modes=lambda modes, radius, std: Modes(
            _ring_centres(modes, radius), std, np.full(int(modes), 1 / int(modes))
        ),
        extent=lambda radius, std, **p: 1.5 * radius + 4 * std,
    )
)
register(
    Target(
        "grid",
        "Grid of Gaussians",
        lambda n, rng, side, spacing, std: _mixture(_grid_centres(side, spacing), std, n, rng),
        {
            "side": Param(5, 2, 10, integer=True, help="modes per side (side × side modes)"),
            "spacing": Param(2.0, 0.5, 5.0, help="distance between neighbouring modes"),
            "std": Param(0.05, 0.001, 1.0, help="standard deviation of each Gaussian"),
        },
        n_classes=lambda side, **p: int(side) ** 2,
        modes=lambda side, spacing, std: Modes(
            _grid_centres(side, spacing), std, np.full(int(side) ** 2, 1 / int(side) ** 2)
        ),
        extent=lambda side, spacing, **p: (int(side) - 1) / 2 * spacing + spacing,
    )
)
register(
    Target(
        "circles",
        "Two circles",
        _circles,
        {
            "noise": Param(0.03, 0.0, 0.5, help="Gaussian noise added to the circles"),
            "factor": Param(0.5, 0.1, 0.9, help="inner radius / outer radius"),
        },
        n_classes=lambda **p: 2,
        extent=lambda **p: 2.6,
    )
)
register(
    Target(
        "spiral",
        "Spiral",
        _spiral,
        {
            "arms": Param(2, 1, 8, integer=True, help="number of spiral arms"),
            "noise": Param(0.05, 0.0, 0.5, help="Gaussian noise added to the arms"),
        },
        n_classes=lambda arms, **p: int(arms),
        extent=lambda **p: 3.0,
    )
)
register(
    Target(
        "swissroll",
        "Swiss roll",
        _swissroll,
        {
            "noise": Param(0.3, 0.0, 2.0, help="noise of scikit-learn's swiss roll"),
            "segments": Param(4, 1, 10, integer=True, help="labels: segments along the roll"),
        },
        n_classes=lambda segments, **p: int(segments),
        extent=lambda **p: 3.0,
    )
)
register(
    Target(
        "checkerboard",
        "Checkerboard",
        _checkerboard,
        {
            "side": Param(4, 2, 8, integer=True, help="cells per side"),
            "noise": Param(0.0, 0.0, 0.5, help="Gaussian noise added to the squares"),
        },
        n_classes=lambda side, **p: (int(side) ** 2 + 1) // 2,
        extent=lambda **p: 2.5,
    )
)
register(
    Target(
        "pinwheel",
        "Pinwheel",
        _pinwheel,
        {
            "arms": Param(5, 2, 10, integer=True, help="number of arms"),
            "radial_std": Param(0.3, 0.01, 1.0, help="spread along an arm"),
            "tangential_std": Param(0.1, 0.01, 1.0, help="spread across an arm"),
            "rate": Param(0.25, 0.0, 1.0, help="how much the arms twist"),
        },
        n_classes=lambda arms, **p: int(arms),
        extent=lambda **p: 3.0,
    )
)


@lru_cache(maxsize=1)
def digits_data() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 digits: images (1797, 64) float32 in [-1, 1], labels int64.

    Pixels in [0, 16] become x / 8 - 1, the range of a tanh generator. The single
    source of that scaling (the digits target samples from here). Read-only, as the
    arrays are shared by every caller.
    """
    d = datasets.load_digits()
    x = (d.data / 8.0 - 1.0).astype(np.float32)
    y = d.target.astype(np.int64)
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y


def _digits(n, rng):
    x, y = digits_data()
    idx = rng.integers(0, len(x), size=n)
    return x[idx], y[idx]


register(
    Target(
        "digits",
        "Digits (8×8, like MNIST)",
        _digits,
        n_classes=lambda **p: 10,
        extent=lambda **p: 1.0,
        dim=64,
        image=(8, 8),
        fixed=digits_data,
        g_out="tanh",
    )
)


# --- custom data -------------------------------------------------------------------

CUSTOM_MIN_POINTS = 10
CUSTOM_MAX_POINTS = 100_000
CUSTOM_MAX_CLASSES = 20


class DataError(ValueError):
    """Custom data the app cannot train on; the message is meant for the user."""


def check_custom(points, labels=None) -> tuple[np.ndarray, np.ndarray]:
    """Validate user points (N, 2) and optional integer labels; return clean arrays."""
    try:
        pts = np.asarray(points, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"points must be numbers: {exc}") from None
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise DataError(f"points must have exactly 2 columns (x, y), got shape {pts.shape}")
    if not np.isfinite(pts).all():
        bad = int((~np.isfinite(pts)).any(axis=1).sum())
        raise DataError(f"{bad} point(s) contain NaN or infinity")
    n = len(pts)
    if n < CUSTOM_MIN_POINTS:
        raise DataError(f"need at least {CUSTOM_MIN_POINTS} points, got {n}")
    if n > CUSTOM_MAX_POINTS:
        raise DataError(f"at most {CUSTOM_MAX_POINTS} points, got {n}")
    if labels is None:
        return pts, np.zeros(n, dtype=np.int64)
    lab = np.asarray(labels)
    if lab.shape != (n,):
        raise DataError(f"labels must be one per point: {lab.shape} for {n} points")
    try:
        lab_f = lab.astype(float)
    except (TypeError, ValueError):
        raise DataError("labels must be integers") from None
    if not np.isfinite(lab_f).all() or (lab_f != np.round(lab_f)).any():
        raise DataError("labels must be integers")
    classes, lab = np.unique(lab_f.astype(np.int64), return_inverse=True)
    if len(classes) > CUSTOM_MAX_CLASSES:
        raise DataError(f"at most {CUSTOM_MAX_CLASSES} classes, got {len(classes)}")
    return pts, lab.astype(np.int64)


def _custom_extent(points: np.ndarray) -> float:
    return float(np.abs(points).max() * 1.15 + 1e-3)


register(
    Target(
        "custom",
        "Your own points",
        lambda n, rng, points, labels: (lambda idx: (points[idx], labels[idx]))(
            rng.integers(0, len(points), size=n)
        ),
        n_classes=lambda points, labels: int(labels.max()) + 1,
        extent=lambda points, labels: _custom_extent(points),
    )
)
