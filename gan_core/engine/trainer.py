"""Trainer: one run's nets, optimisers, data and random streams; and one GAN step.

One step, as on the lecture's slide (one run, batch B, the minimax loss; the D part
``d_steps`` times, then the G part once):

    # D: maximise log D(x) + log(1 − D(G(z)))
    x = a batch of the training set                    [B, dim]
    z = noise                                          [B, z_dim]
    fake = G(z).detach()                               [B, dim]  (no gradient into G)
    loss_d = −mean log D(x) − mean log(1 − D(fake))    []
    opt_d.zero_grad(); loss_d.backward(); opt_d.step()
    # G: minimise log(1 − D(G(z)))  (non-saturating: maximise log D(G(z)))
    z = noise                                          [B, z_dim]
    loss_g = mean log(1 − D(G(z)))                     []
    opt_g.zero_grad(); loss_g.backward(); opt_g.step()

The engine runs exactly this for N runs of one shape at once, every tensor with a
leading run dimension (cohort.py: ``Cohort._d_step``, ``Cohort._g_step``):

- x and z come from each run's own random streams (streams.py): ``[N, B, dim]``,
  ``[N, B, z_dim]``; a cGAN's label and an InfoGAN's code are part of G's input;
- G and D are stacked MLPs (stacked.py): a linear layer is ``baddbmm`` of ``[N, B, in]``
  and weights ``[N, in, out]``;
- D reads the real and the fake batch in one pass, ``[N, 2B, dim]``, to logits
  ``[N, 2B]``; the loss (gans.py, losses.py) is computed from logits with softplus
  (log D(x) = −softplus(−l)) and is one value per run, ``[N]``;
- backward starts from a gradient of 1 for every run's loss, so each run's slice of the
  gradients is its own; D's step reaches only D's weights, G's only G's;
- each run's own Adam step (fused_adam.py) on its row of the stacked parameters, and
  G's moving average when ``ema`` is on.

A run alone is a cohort of one: the same code and the same numbers (``step``, ``run``).
Everything that is per run stays here: the config, G's and D's modules (whose weights
are views of the cohort's stacked tensors while it trains there), its optimisers and
their states, its data, its random streams, its step count, its latest losses and G's
moving average.

The hot loop avoids host syncs (no ``.item()``): losses stay tensors and are read, and
checked for divergence, only every ``check_every`` steps or when a view asks.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from gan_core.engine import targets as T
from gan_core.engine.cohort import LOSS_NAMES
from gan_core.engine.config import RunConfig
from gan_core.engine.divergence import Diverged
from gan_core.engine.gans import GAN, GAN_REGISTRY
from gan_core.engine.streams import Stream, block_size
from gan_core.engine.together import new_cohort


def make_dataset(cfg: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """The run's fixed training set, drawn from the target with the run's seed."""
    if cfg.target == "custom":
        return cfg.custom
    target = T.TARGETS[cfg.target]
    if target.fixed is not None:
        x, y = target.fixed()
        return x.copy(), y.copy()  # (the cached set stays read-only)
    rng = np.random.default_rng(cfg.seed)
    return target.sample(cfg.n_points, rng, **cfg.params)


class Trainer:
    """One run: what it trains, how, and where it stands (see the module's walk-through)."""

    def __init__(self, cfg: RunConfig, check_every: int = 100):
        self.cfg = cfg
        self.check_every = check_every
        self.step_count = 0
        self.gen = torch.Generator().manual_seed(cfg.seed)
        """For ``sample`` without a generator of its own (views pass theirs)."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            self.model: GAN = GAN_REGISTRY[cfg.gan](cfg)
        x, y = make_dataset(cfg)
        self.data_x = torch.as_tensor(x, dtype=torch.float32)
        self.data_y = torch.as_tensor(y, dtype=torch.long)
        self.cond_y = self.data_y
        """The labels G and D are conditioned on: the classes (cGAN), or the clusters of
        a self-conditioned GAN (selfcond.py; all 0 before its first clustering)."""
        if cfg.gan == "selfcond":
            self.cond_y = torch.zeros_like(self.data_y)
        self.n_classes = cfg.n_classes
        self.g_params = list(self.model.G.parameters())
        self.d_params = list(self.model.D.parameters())
        self.opt_g = self._optimizer(self.g_params, cfg.lr_g)
        self.opt_d = self._optimizer(self.d_params, cfg.lr_d)
        # ``ema``: a moving average of G's weights, which ``sample`` draws from
        self.g_ema = None
        self._g_updates = 0
        if cfg.ema > 0:
            self.g_ema = copy.deepcopy(self.model.G).requires_grad_(False)
        self.d_steps = cfg.effective_d_steps
        data = (self.data_x, self.cond_y)
        block = block_size(cfg)
        # (``unroll``: G's stream draws a real batch too, for the unrolled D's steps)
        self.streams = {
            "d": Stream(self.model, data, 4 * cfg.seed + 1, True, block, cfg.batch),
            "g": Stream(self.model, data, 4 * cfg.seed + 2, cfg.unroll > 0, block, cfg.batch),
        }
        self.own_losses = {name: torch.zeros(()) for name in LOSS_NAMES}
        """The latest losses when the run is not in a standing stack (see ``_last``)."""
        self.cohort = None
        """The Cohort this run trains in (cohort.py), or None until it first trains."""

    def _optimizer(self, params, lr):
        cfg = self.cfg
        if cfg.optimizer == "sgd":
            return torch.optim.SGD(params, lr=lr, momentum=cfg.beta1)
        # fused: one kernel for all parameters; the cohort calls it for many runs at once
        opt = torch.optim.Adam(params, lr=lr, betas=(cfg.beta1, cfg.beta2), fused=True)
        for p in params:  # the state Adam would create at its first step
            opt.state[p] = {
                "step": torch.zeros((), dtype=torch.float32),
                "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format),
            }
        return opt

    # --- live changes that keep the optimisers' state ---------------------------------
    def set_lr(self, lr_g: float | None = None, lr_d: float | None = None) -> None:
        for opt, lr in ((self.opt_g, lr_g), (self.opt_d, lr_d)):
            if lr is not None:
                for group in opt.param_groups:
                    group["lr"] = float(lr)
        if self.cohort is not None:
            self.cohort.regroup()

    def set_d_steps(self, d_steps: int) -> None:
        self.d_steps = int(d_steps) or self.cfg.effective_d_steps
        if self.cohort is not None:
            self.cohort.regroup()

    @property
    def _last(self) -> dict[str, torch.Tensor]:
        """The latest losses (0-d tensors, no sync): its cohort's, or its own."""
        stacked = self.cohort.losses_of(self) if self.cohort is not None else None
        return stacked or self.own_losses

    # --- training ----------------------------------------------------------------------
    def step(self, mode: str = "both") -> None:
        """One training step: the configured D steps and one G step (or just one side).

        In its cohort, alone if it has none; raises Diverged at a check that fails.
        """
        if self.cohort is None:
            new_cohort(self.cfg).add(self)
        diverged = self.cohort.train({self: mode})
        if diverged:
            raise diverged[0][1]

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
    @property
    def g_eval(self) -> torch.nn.Module:
        """The G that samples, views and metrics use: the EMA copy when ``ema`` is on."""
        return self.g_ema if self.g_ema is not None else self.model.G

    @torch.no_grad()
    def sample(self, n: int, gen: torch.Generator | None = None, labels=None, cont=None):
        """n generated points and their class or code (or zeros for a plain GAN).

        ``labels``: the class (cGAN) or code (InfoGAN) of each point; ``cont``: a value
        for InfoGAN's first continuous code (the others keep their draws).
        """
        gen = gen or self.gen
        m = self.model
        lab = None
        if labels is not None:
            lab = torch.as_tensor(labels, dtype=torch.long)
        elif m.n_cond:
            lab = self.cond_y[torch.randint(len(self.cond_y), (n,), generator=gen)]
        lat = m.latent(n, gen, lab)
        g_in = lat.g_in
        if cont is not None and lat.cont is not None:
            lat.cont[:, 0] = float(cont)
            g_in = m.g_input(g_in[:, : self.cfg.z_dim], lat.code, lat.cont)
        pts = self.g_eval(g_in).numpy()
        code = lat.code.numpy() if lat.code is not None else np.zeros(n, dtype=np.int64)
        return pts, code
