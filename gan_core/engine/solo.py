"""SoloCohort: a cohort of one run whose nets are not stacked MLPs (``arch`` dcgan).

Convolutions with batchnorm do not stack into batched products whose slices are bitwise
each run's alone, so a convolutional run trains in a cohort of its own: the same step
as cohort.py's (the same draws from its streams, the same losses from gans.py on
``[1, batch, …]`` tensors), with its own modules and its own ``opt.step()``. Runs of one
convolutional shape train one after another; each gets exactly the numbers it gets
alone, in any company (``train --seeds`` as ``train --seed``).

D reads the real and the fake batch as two batches (``groups``), so batchnorm's
statistics are each batch's own, as in DCGAN's reference code. The modules are in
training mode only inside a step; samples and views use the running statistics.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from gan_core.engine.cohort import LOSS_NAMES, Cohort, ema_weight
from gan_core.engine.divergence import Diverged, check_runs
from gan_core.engine.gans import Nets
from gan_core.engine.streams import StackedStream

Tensor = torch.Tensor


def solo_nets(g: nn.Module, d: nn.Module) -> Nets:
    """One run's G and D as functions of ``[1, batch, …]`` tensors, as a stack's nets."""

    return Nets(lambda x: g(x[0])[None], lambda x, groups=1: _grouped(d.scores, x, groups))


class SoloCohort(Cohort):
    """A cohort that holds one run and steps its own modules and optimisers."""

    def fits(self, cfg) -> bool:
        return False

    def add(self, t) -> None:
        if self.members and t not in self.members:
            raise ValueError("a convolutional run trains in a cohort of its own")
        super().add(t)

    def _build(self) -> None:
        (t,) = self.members
        self.kind = t.model
        self.nets = solo_nets(t.model.G, t.model.D)
        self.g_side = self.d_side = self.sn = None
        self._ema_rows = [0] if t.g_ema is not None else []
        self._draws = {kind: StackedStream([t.streams[kind]]) for kind in ("d", "g")}
        self.last = {k: t.own_losses[k][None] for k in LOSS_NAMES}
        self._ones = torch.ones(1)
        self.gp_weight = torch.tensor([t.cfg.gp_weight])
        self.info_weight = None if t.cfg.info_weight == 1.0 else torch.tensor([t.cfg.info_weight])
        self.index = {t: 0}
        self.unroll = t.cfg.unroll
        self._groups = {}
        self._lr_d = None
        self._plan = None
        self._dirty = False

    def regroup(self) -> None:
        self._plan = None

    def train(self, plan) -> list[tuple[object, Diverged]]:
        """Cohort.train with the nets in training mode for the step only."""
        if not self.members:
            return []
        model = self.members[0].model
        model.G.train(), model.D.train()
        try:
            return super().train(plan)
        finally:
            model.G.eval(), model.D.eval()

    def _d_step(self, mask: np.ndarray | None) -> None:
        t = self.members[0]
        b = self._draws["d"].next(mask)
        with torch.no_grad():
            fake = self.nets.g(b["g_in"])
        loss, q = self.kind.d_loss(self.nets, b, fake, self.gp_weight)
        info = self.kind.info_loss(q, b)
        t.opt_d.zero_grad(set_to_none=False)
        self._with_info(loss, info).sum().backward(inputs=t.d_params)
        t.opt_d.step()
        self._record("loss_d", loss, mask)
        if info is not None:
            self._record("loss_info", info, mask)

    def _g_step(self, mask: np.ndarray | None) -> None:
        t = self.members[0]
        b = self._draws["g"].next(mask)
        fake = self.nets.g(b["g_in"])
        against = self._unrolled(t, b, fake) if self.unroll else self.nets
        loss, q = self.kind.g_loss(against, b, fake)
        info = self.kind.info_loss(q, b)
        t.opt_g.zero_grad(set_to_none=False)
        self._with_info(loss, info).sum().backward(inputs=t.g_params)
        t.opt_g.step()
        self._record("loss_g", loss, mask)
        if self._ema_rows:
            self._ema_update(mask)

    def _unrolled(self, t, b: dict[str, Tensor], fake: Tensor) -> Nets:
        """G and D_k: D advanced ``unroll`` plain gradient steps on this batch (first
        order, as unroll.py), its weights held in a dict for ``functional_call``."""
        d = t.model.D
        lr = t.opt_d.param_groups[0]["lr"]
        weights = {k: v.detach() for k, v in d.named_parameters()}
        fake = fake.detach()
        for _ in range(self.unroll):
            weights = {k: v.detach().requires_grad_(True) for k, v in weights.items()}
            nets = self._with_weights(d, weights)
            loss, q = self.kind.d_loss(nets, b, fake, self.gp_weight)
            total = self._with_info(loss, self.kind.info_loss(q, b)).sum()
            grads = torch.autograd.grad(total, list(weights.values()), allow_unused=True)
            with torch.no_grad():
                weights = {
                    k: w if g is None else w - lr * g
                    for (k, w), g in zip(weights.items(), grads, strict=True)
                }
        return self._with_weights(d, weights)

    def _with_weights(self, d: nn.Module, weights: dict[str, Tensor]) -> Nets:
        def scores(x: Tensor) -> Tensor:
            return torch.func.functional_call(d, weights, (x,), {"all_scores": True}, strict=False)

        return Nets(self.nets.g, lambda x, groups=1: _grouped(scores, x, groups))

    def _ema_update(self, mask: np.ndarray | None) -> None:
        """G's moving average (cohort.py's schedule), parameters and batchnorm's buffers."""
        t = self.members[0]
        weight = ema_weight(t)
        with torch.no_grad():
            for avg, p in zip(t.g_ema.parameters(), t.model.G.parameters(), strict=True):
                avg.lerp_(p, weight)
            for avg, b in zip(t.g_ema.buffers(), t.model.G.buffers(), strict=True):
                avg.copy_(b)

    def check(self):
        if self._dirty:
            return check_runs(self.members)
        return check_runs(self.members, self.last)


def _grouped(scores: Callable[[Tensor], Tensor], x: Tensor, groups: int) -> Tensor:
    """D's scores of ``[1, rows, …]`` with each of the ``groups`` equal parts of the rows
    read as a batch of its own."""
    parts = x[0].chunk(groups) if groups > 1 else (x[0],)
    return torch.cat([scores(part) for part in parts])[None]
