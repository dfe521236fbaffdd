"""Evaluating a trainer at a point of its run: the fixed reference sample and metrics.

Which metrics a run gets depends on what its target knows (docs/metrics.md):
- every target: precision, recall, density and coverage (k-NN, coverage.py);
- Gaussian mixtures (ring, grid): modes, hq, rkl, effective modes from the centres;
- a labelled custom set: the same, with one mode per label (mean and covariance);
- digits: the same, judged by a classifier fitted on the real digits (judge.py), and the
  purity of the label/code × digit table for cGAN and InfoGAN;
- points on the plane: kl and js of smoothed grid histograms.
"""

from __future__ import annotations

import numpy as np
import torch

from gan_core.engine import coverage, metrics
from gan_core.engine import targets as T
from gan_core.engine.trainer import Trainer

RESULT_KEYS = (
    "modes",
    "modes_total",
    "hq",
    "rkl",
    "effective_modes",
    "kl",
    "js",
    "purity",
    *coverage.PRDC_KEYS,
)
"""The metrics a run's JSON carries (None where its target has no such figure): the
CLI's ``train --json``, a sweep's rows."""

PRDC_SAMPLES = 1000
"""Real and generated samples the k-NN metrics use (each side): the evaluation runs about
once a second for every live run, and 1,000 × 1,000 distances cost a few milliseconds
where 2,500 × 10,000 cost a quarter of a second. The mode metrics keep 2,500."""


def count_modes(cfg, labels: np.ndarray | None) -> int | None:
    """How many modes the coverage figures count to: a mixture's centres, a labelled
    custom set's classes, the digits; None when the target has none. ``labels``: the
    custom set's (ignored for other targets)."""
    target = T.TARGETS[cfg.target]
    modes = target.modes(**cfg.params)
    if modes is not None:
        return len(modes.centres)
    if cfg.target == "custom":
        classes = len(np.unique(labels))
        return classes if classes > 1 else None
    return cfg.n_classes if target.image is not None else None


def data_hq(modes, class_modes, real: np.ndarray) -> tuple[float | None, int]:
    """The target's own hq and the samples it was measured on (0: exact), or (None, 0).

    A Gaussian mixture's own samples score metrics.gaussian_hq in the data's dimension
    (0.989 for the ring and grid); a labelled custom set's points are scored by the
    same Mahalanobis rule as G's (they need not be Gaussian); the digits have none (the
    judge was fitted on the real digits, so its confidence on them is no reference)."""
    if modes is not None:
        return metrics.gaussian_hq(modes.centres.shape[1]), 0
    if class_modes is not None:
        return coverage.class_mode_metrics(real, class_modes)["hq"], len(real)
    return None, 0


class Evaluator:
    """Holds the target's reference sample and latents, so every evaluation is comparable."""

    def __init__(self, trainer: Trainer, n: int = metrics.EVAL_SAMPLES):
        cfg = trainer.cfg
        target = T.TARGETS[cfg.target]
        self.trainer = trainer
        self.n = n
        self.extent = target.extent(**cfg.params)
        self.modes = target.modes(**cfg.params)
        self.planar = target.planar
        self.judged = target.image is not None  # digits: the judge's metrics
        rng = np.random.default_rng(cfg.seed + 1)
        labels = None
        if cfg.target == "custom":
            self.real, labels = cfg.custom
        elif target.fixed is not None:
            self.real = target.fixed()[0]
        else:
            self.real = target.sample(max(n, 10_000), rng, **cfg.params)[0]
        self.modes_total = count_modes(cfg, labels)
        self.class_modes = None
        if labels is not None and self.modes_total:
            self.class_modes = coverage.class_modes(self.real, labels)
        self.data_hq, self.data_hq_n = data_hq(self.modes, self.class_modes, self.real)
        pick = rng.permutation(len(self.real))[:PRDC_SAMPLES]
        self.balls = coverage.RealBalls(
            self.real[np.sort(pick)] if not target.fixed else self.real, coverage.PRDC_K
        )
        self.seed = cfg.seed + 2

    def __call__(self) -> dict:
        gen = torch.Generator().manual_seed(self.seed)
        fake, codes = self.trainer.sample(self.n, gen)
        if not np.isfinite(fake).all():
            return {"finite": False}
        out = {}
        if self.planar:
            out.update(metrics.kl_js(self.real, fake, self.extent))
        if self.modes is not None:
            out.update(metrics.mode_metrics(fake, self.modes))
        elif self.class_modes is not None:
            out.update(coverage.class_mode_metrics(fake, self.class_modes))
        elif self.judged:
            from gan_core.engine.judge import judge

            coded = self.trainer.cfg.gan in ("cgan", "infogan", "selfcond")
            out.update(judge().metrics(fake, codes if coded else None))
        out.update(self.balls.prdc(fake[:PRDC_SAMPLES]))
        return out
