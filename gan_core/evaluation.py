"""Evaluating a trainer at a point of its run: the fixed reference sample and metrics."""

from __future__ import annotations

import numpy as np
import torch

from gan_core import metrics
from gan_core import targets as T
from gan_core.trainer import Trainer


class Evaluator:
    """Holds the target's reference sample and latents, so every evaluation is comparable."""

    def __init__(self, trainer: Trainer, n: int = metrics.EVAL_SAMPLES):
        cfg = trainer.cfg
        target = T.TARGETS[cfg.target]
        self.trainer = trainer
        self.n = n
        self.extent = target.extent(**cfg.params)
        self.modes = target.modes(**cfg.params)
        rng = np.random.default_rng(cfg.seed + 1)
        if cfg.target == "custom":
            self.real = cfg.custom[0]
        else:
            self.real = target.sample(max(n, 10_000), rng, **cfg.params)[0]
        self.seed = cfg.seed + 2

    def __call__(self) -> dict:
        gen = torch.Generator().manual_seed(self.seed)
        fake, _ = self.trainer.sample(self.n, gen)
        if not np.isfinite(fake).all():
            return {"finite": False}
        return metrics.evaluate(fake, self.real, self.extent, self.modes)
