"""Probes: what the lecture draws on the plane besides the points.

- ``heatmap``: D's view of the plane (``loss.to_view`` of D's output on a grid: a
  probability for minimax/nonsaturating, the raw value for lsgan, hinge and wgan-gp).
  For a cGAN, D needs a class: the chosen ``view_code``, or else the class mixture
  (D's view averaged over the classes, weighted by their share of the training set).
- ``arrows``: where G's loss pushes each of a few generated points, −∇ₓ loss.g(D(x)),
  scaled so that the longest arrow has a fixed length (``arrow_norm`` keeps the scale).
- ``manifold``: G over a 2-D slice of latent space through the mean (the first two
  latent dims over ±2 std, or over [-1, 1] for uniform z; the others at the mean).
- ``optimal_d``: for targets with known modes, D*(x) = p_data / (p_data + p_g) from
  the lecture, on the same grid: p_data exactly per cell, p_g from a histogram of
  generated points, both smoothed by the same small Gaussian.

``compute`` returns a dict of small numpy arrays (the Snapshot's ``layers``). Grids
share one convention: ``grid`` holds the cell centres of an n × n grid covering
[-extent, extent]², and ``a[j, i]`` is the value at (grid[i], grid[j]) (row = y, as
Plotly's heatmap draws it). The worker computes probes at snapshot time only, and only
the layers a run asked for: a run without layers pays nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np
import torch
import torch.nn.functional as F

from gan_core.engine import targets as T
from gan_core.engine.trainer import Trainer

LAYERS = ("heatmap", "arrows", "manifold", "optimal_d")
GRID = 48
"""Cells per side of the heatmap and D* grids."""
ARROWS = 60
ARROW_LENGTH = 0.12
"""The longest arrow, as a share of the window's half-width."""
MANIFOLD = 17
"""Mesh lines per side of the latent grid."""
MANIFOLD_SPAN = 2.0
"""Gaussian z: the latent slice covers ±this many standard deviations."""
OPTIMAL_D_SAMPLES = 2000
SMOOTH_CELLS = 1.0
"""Standard deviation, in cells, of the Gaussian both densities of D* are smoothed by."""


def check_layers(layers: Iterable[str]) -> tuple[str, ...]:
    """The layer names in LAYERS order; ValueError names an unknown one."""
    wanted = set(layers)
    unknown = wanted - set(LAYERS)
    if unknown:
        raise ValueError(f"unknown layer {sorted(unknown)[0]!r}; one of {', '.join(LAYERS)}")
    return tuple(name for name in LAYERS if name in wanted)


def extent(cfg) -> float:
    return float(T.TARGETS[cfg.target].extent(**cfg.params))


def grid_centres(half_width: float, n: int = GRID) -> np.ndarray:
    """Centres of n equal cells covering [-half_width, half_width]."""
    step = 2 * half_width / n
    return (-half_width + step * (np.arange(n) + 0.5)).astype(np.float32)


def view_code_ok(cfg, code: int | None) -> int | None:
    """``code`` if this run has classes or codes to pick from and it is one, else None."""
    if code is None or cfg.gan == "gan":
        return None
    k = cfg.n_codes if cfg.gan in ("infogan", "selfcond") else cfg.n_classes
    return int(code) if 0 <= int(code) < k else None


@torch.no_grad()
def d_view(trainer: Trainer, points: np.ndarray, code: int | None = None) -> np.ndarray:
    """``loss.to_view`` of D at the points: for a cGAN given ``code``'s class, or the
    class mixture weighted by the classes' shares of the training set."""
    m = trainer.model
    x = torch.as_tensor(points, dtype=torch.float32)
    if not m.n_cond:
        return m.loss.to_view(m.D(x)).numpy()
    k = m.n_cond
    if code is not None:
        weights = np.eye(k)[code]
    else:
        weights = np.bincount(trainer.cond_y.numpy(), minlength=k) / len(trainer.cond_y)
    out = np.zeros(len(x), dtype=np.float64)
    for c in np.flatnonzero(weights):
        cond = F.one_hot(torch.full((len(x),), int(c)), k).float()
        out += weights[c] * m.loss.to_view(m.D(m.d_in(x, cond))).numpy()
    return out.astype(np.float32)


def heatmap(trainer: Trainer, centres: np.ndarray, code: int | None) -> dict:
    xx, yy = np.meshgrid(centres, centres)  # xx[j, i] = centres[i]: row = y
    z = d_view(trainer, np.stack([xx.ravel(), yy.ravel()], 1), code).reshape(xx.shape)
    loss = trainer.model.loss
    finite = z[np.isfinite(z)]
    if loss.boundary is not None:
        level = float(loss.boundary)
    else:
        level = float(np.median(finite)) if finite.size else 0.0
    if loss.probability:
        lo, hi = 0.0, 1.0
    else:  # symmetric about the level, so a diverging colour scale centres on it
        spread = float(np.abs(np.percentile(finite, [2, 98]) - level).max()) if finite.size else 1
        spread = spread or 1.0
        lo, hi = level - spread, level + spread
    return {
        "heatmap": z.astype(np.float32),
        "heatmap_level": np.float32(level),
        "heatmap_range": np.array([lo, hi], dtype=np.float32),
    }


def arrows(trainer: Trainer, fake: np.ndarray, codes: np.ndarray, half_width: float) -> dict:
    """(A, 4) rows of x, y, dx, dy: −∇ₓ of G's adversarial loss at A generated points."""
    m = trainer.model
    keep = np.flatnonzero(np.isfinite(fake).all(1))[:ARROWS]
    x = torch.tensor(fake[keep], dtype=torch.float32, requires_grad=True)
    cond = None
    if m.n_cond:
        cond = F.one_hot(torch.as_tensor(codes[keep], dtype=torch.long), m.n_cond).float()
    with torch.enable_grad():
        (grad,) = torch.autograd.grad(m.loss.g(m.D(m.d_in(x, cond))), x)
    push = -grad.numpy().astype(np.float64)
    norms = np.linalg.norm(push, axis=1)
    largest = float(norms.max()) if len(norms) and np.isfinite(norms).all() else 0.0
    scale = ARROW_LENGTH * half_width / largest if largest > 0 else 0.0
    rows = np.concatenate([fake[keep], push * scale], axis=1)
    return {"arrows": rows.astype(np.float32), "arrow_norm": np.float32(largest)}


@torch.no_grad()
def manifold(trainer: Trainer, code: int | None, cont: float | None) -> dict:
    """G on a MANIFOLD × MANIFOLD grid of the latent slice → (rows, cols, 2)."""
    cfg, m = trainer.cfg, trainer.model
    span = 1.0 if cfg.z_dist == "uniform" else MANIFOLD_SPAN
    axis = torch.linspace(-span, span, MANIFOLD)
    rows = MANIFOLD if cfg.z_dim >= 2 else 1
    n = rows * MANIFOLD
    z = torch.zeros(n, cfg.z_dim)
    z[:, 0] = axis.repeat(rows)
    if cfg.z_dim >= 2:
        z[:, 1] = axis.repeat_interleave(MANIFOLD)
    code_t = torch.full((n,), code or 0, dtype=torch.long)
    cont_t = torch.zeros(n, cfg.cont_codes)
    if cfg.cont_codes and cont is not None:
        cont_t[:, 0] = float(cont)
    g = getattr(trainer, "g_eval", m.G)  # the G that draws the points (its EMA, if on)
    pts = g(m.g_input(z, code_t, cont_t)).numpy()
    return {"manifold": pts.reshape(rows, MANIFOLD, 2).astype(np.float32)}


@functools.cache
def _smoother(n: int, cells: float = SMOOTH_CELLS) -> np.ndarray:
    """(n, n) matrix S: S @ a smooths a's columns by a Gaussian of ``cells`` cells."""
    i = np.arange(n)
    s = np.exp(-0.5 * ((i[:, None] - i[None, :]) / cells) ** 2)
    s[np.abs(i[:, None] - i[None, :]) > 3 * cells] = 0
    return s / s.sum(1, keepdims=True)


def _smooth(a: np.ndarray) -> np.ndarray:
    s = _smoother(a.shape[0])
    return s @ a @ s.T


def data_mass(modes: T.Modes, half_width: float, n: int = GRID) -> np.ndarray:
    """The target's probability mass in each cell (exact for isotropic Gaussians)."""
    edges = torch.linspace(-half_width, half_width, n + 1, dtype=torch.float64)[None, :]
    centres = torch.as_tensor(modes.centres, dtype=torch.float64)
    cdf_x = torch.special.ndtr((edges - centres[:, :1]) / modes.std).numpy()  # (K, n + 1)
    cdf_y = torch.special.ndtr((edges - centres[:, 1:]) / modes.std).numpy()
    px, py = np.diff(cdf_x, axis=1), np.diff(cdf_y, axis=1)
    return np.einsum("k,kj,ki->ji", modes.weights, py, px)


def optimal_d(
    data: np.ndarray, fake: np.ndarray, half_width: float, n: int = GRID, floor: float = 1e-3
) -> np.ndarray:
    """D* = p_data / (p_data + p_g) per cell, from the data's mass per cell and the
    generated points' histogram, both smoothed alike. Where neither has mass, any D is
    optimal: a small ε (``floor`` × the largest cell) added to both fades D* to 0.5."""
    fake = fake[np.isfinite(fake).all(1)]
    h, _, _ = np.histogram2d(
        fake[:, 1], fake[:, 0], bins=n, range=[[-half_width, half_width]] * 2
    )  # h[j, i]: row = y
    p_g = _smooth(h / max(len(fake), 1))
    p_data = _smooth(data)
    eps = floor * max(float((p_data + p_g).max()), 1e-12)
    return ((p_data + eps) / (p_data + p_g + 2 * eps)).astype(np.float32)


def compute(
    trainer: Trainer,
    layers: Iterable[str],
    fake: np.ndarray,
    codes: np.ndarray,
    *,
    view_code: int | None = None,
    view_cont: float | None = None,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """The asked-for layers, for the generated view points ``fake`` and their ``codes``."""
    layers = check_layers(layers)
    cfg = trainer.cfg
    half = extent(cfg)
    code = view_code_ok(cfg, view_code)
    out: dict[str, np.ndarray] = {}
    modes = T.TARGETS[cfg.target].modes(**cfg.params) if "optimal_d" in layers else None
    if "heatmap" in layers or modes is not None:
        out["grid"] = grid_centres(half)
    if "heatmap" in layers:
        d_code = code if trainer.model.n_cond else None
        out.update(heatmap(trainer, out["grid"], d_code))
    if "arrows" in layers and len(fake):
        out.update(arrows(trainer, fake, codes, half))
    if "manifold" in layers:
        out.update(manifold(trainer, code, view_cont))
    if modes is not None:
        gen = torch.Generator().manual_seed(seed)
        sample, _ = trainer.sample(OPTIMAL_D_SAMPLES, gen)
        out["optimal_d"] = optimal_d(data_mass(modes, half), sample, half)
    return out
