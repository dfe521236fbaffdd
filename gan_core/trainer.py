"""Trainer: one run's nets, optimisers and data, and the step that trains them.

The hot loop avoids host syncs (no ``.item()``): losses stay tensors and are read, and
checked for divergence, only every ``check_every`` steps or when a view asks.
"""

from __future__ import annotations

import numpy as np
import torch

from gan_core import targets as T
from gan_core.config import RunConfig
from gan_core.gans import GAN, GAN_REGISTRY

LOSS_NAMES = ("loss_d", "loss_g", "loss_info")


class Diverged(RuntimeError):
    """Training produced a non-finite loss or weight; the message says what to try."""

    def __init__(self, step: int, what: str):
        super().__init__(
            f"training diverged at step {step}: {what} is not finite. "
            "Lower the learning rates, or try another loss (nonsaturating, or wgan-gp)."
        )
        self.step = step


def make_dataset(cfg: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """The run's fixed training set, drawn from the target with the run's seed."""
    if cfg.target == "custom":
        return cfg.custom
    rng = np.random.default_rng(cfg.seed)
    return T.TARGETS[cfg.target].sample(cfg.n_points, rng, **cfg.params)


class Trainer:
    def __init__(self, cfg: RunConfig, check_every: int = 100):
        self.cfg = cfg
        self.check_every = check_every
        self.step_count = 0
        self.gen = torch.Generator().manual_seed(cfg.seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            self.model: GAN = GAN_REGISTRY[cfg.gan](cfg)
        x, y = make_dataset(cfg)
        self.data_x = torch.as_tensor(x, dtype=torch.float32)
        self.data_y = torch.as_tensor(y, dtype=torch.long)
        self.n_classes = cfg.n_classes
        self.g_params = list(self.model.G.parameters())
        self.d_params = list(self.model.D.parameters())
        self.opt_g = self._optimizer(self.g_params, cfg.lr_g)
        self.opt_d = self._optimizer(self.d_params, cfg.lr_d)
        self.d_steps = cfg.effective_d_steps
        zero = torch.zeros(())
        self._last = {name: zero for name in LOSS_NAMES}

    def _optimizer(self, params, lr):
        cfg = self.cfg
        if cfg.optimizer == "sgd":
            return torch.optim.SGD(params, lr=lr, momentum=cfg.beta1)
        # fused: one kernel for all parameters instead of a Python loop over them
        return torch.optim.Adam(params, lr=lr, betas=(cfg.beta1, cfg.beta2), fused=True)

    # --- live changes that keep the optimisers' state ---------------------------------
    def set_lr(self, lr_g: float | None = None, lr_d: float | None = None) -> None:
        for opt, lr in ((self.opt_g, lr_g), (self.opt_d, lr_d)):
            if lr is not None:
                for group in opt.param_groups:
                    group["lr"] = float(lr)

    def set_d_steps(self, d_steps: int) -> None:
        self.d_steps = int(d_steps) or self.cfg.effective_d_steps

    # --- training ----------------------------------------------------------------------
    def _real_batch(self):
        idx = torch.randint(len(self.data_x), (self.cfg.batch,), generator=self.gen)
        return self.data_x[idx], self.data_y[idx]

    def _cond(self, labels):
        return self.model.latent(len(labels), self.gen, labels) if self.model.n_cond else None

    def d_step(self) -> None:
        m = self.model
        real, labels = self._real_batch()
        lat = m.latent(self.cfg.batch, self.gen, labels if m.n_cond else None)
        with torch.no_grad():
            fake = m.G(lat.g_in)
        loss, fake_feats = m.d_loss(real, lat.cond, lat, fake)
        info = m.info_loss(lat, fake_feats)
        total = loss if info is None else loss + self.cfg.info_weight * info
        self.opt_d.zero_grad(set_to_none=True)
        total.backward()
        self.opt_d.step()
        self._last["loss_d"] = loss.detach()
        if info is not None:
            self._last["loss_info"] = info.detach()

    def g_step(self) -> None:
        m = self.model
        labels = self.data_y[torch.randint(len(self.data_y), (self.cfg.batch,), generator=self.gen)]
        lat = m.latent(self.cfg.batch, self.gen, labels if m.n_cond else None)
        fake = m.G(lat.g_in)
        loss, feats = m.g_loss(lat, fake)
        info = m.info_loss(lat, feats)
        total = loss if info is None else loss + self.cfg.info_weight * info
        self.opt_g.zero_grad(set_to_none=True)
        # only G's gradients: D's are not needed in G's step
        total.backward(inputs=self.g_params)
        self.opt_g.step()
        self._last["loss_g"] = loss.detach()

    def step(self, mode: str = "both") -> None:
        """One training step: the configured D steps and one G step (or just one side)."""
        if mode in ("both", "d"):
            for _ in range(self.d_steps if mode == "both" else 1):
                self.d_step()
        if mode in ("both", "g"):
            self.g_step()
        self.step_count += 1
        if self.step_count % self.check_every == 0:
            self.check()

    def run(self, steps: int) -> None:
        for _ in range(steps):
            self.step()
        self.check()

    def check(self) -> None:
        """Raise Diverged if a loss or a weight is not finite (one host sync)."""
        losses = torch.stack(list(self._last.values()))
        if not bool(torch.isfinite(losses).all()):
            bad = [k for k, v in self._last.items() if not torch.isfinite(v)]
            raise Diverged(self.step_count, bad[0])
        for name, params in (("G's weights", self.g_params), ("D's weights", self.d_params)):
            if not bool(torch.isfinite(torch.stack([p.sum() for p in params])).all()):
                raise Diverged(self.step_count, name)

    def losses(self) -> dict[str, float]:
        """The latest losses as floats (a host sync; call it at view time)."""
        names = LOSS_NAMES if self.cfg.gan == "infogan" else LOSS_NAMES[:2]
        return {k: float(self._last[k]) for k in names}

    # --- sampling for views and metrics ------------------------------------------------
    @torch.no_grad()
    def sample(self, n: int, gen: torch.Generator | None = None, labels=None):
        """n generated points and their class or code (or zeros for a plain GAN)."""
        gen = gen or self.gen
        m = self.model
        lab = None
        if labels is not None:
            lab = torch.as_tensor(labels, dtype=torch.long)
        elif m.n_cond:
            lab = self.data_y[torch.randint(len(self.data_y), (n,), generator=gen)]
        lat = m.latent(n, gen, lab)
        pts = m.G(lat.g_in).numpy()
        code = lat.code.numpy() if lat.code is not None else np.zeros(n, dtype=np.int64)
        return pts, code
