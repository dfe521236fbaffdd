"""Cohort: runs whose networks have the same shapes, trained as one stacked model.

At the lecture's sizes a step costs Python and dispatch overhead, not arithmetic, so N
runs done one by one waste the machine. A cohort trains N runs with one forward and one
backward pass per step. The pieces:

- stacked.py: each side (G, D, G's average) keeps its parameters, gradients and Adam
  moments for all runs in flat ``[N, T]`` rows; each layer's stacked weights are views
  of them, applied with ``torch.baddbmm``;
- fused_adam.py: each run's optimiser step on those rows, one fused Adam call for all
  runs that share their hyperparameters and step count;
- streams.py: each run's random draws, stacked ``[N, block, batch, …]``;
- divergence.py: one check for all runs, every ``check_every`` steps;
- this module: who is in the stack (``add``, ``remove``), building it, and a step.

The invariants, which every piece keeps:

1. A run's numbers are bitwise those it has alone (a cohort of one). Everything per run
   stays per run (trainer.py): its random streams (drawn from its own generators, so
   its numbers do not depend on its company), data, learning rates, D steps, step mode,
   λ, gradient-penalty weight, EMA and step count; each run's slice of every batched op
   is computed as it is alone (nets.py and losses.py say what that takes).
   tests/unit/test_cohort.py checks it.
2. While the stack stands, a run's modules' parameters, its optimiser states, its stream
   blocks and its latest losses are views of the cohort's tensors, so probes, samples
   and exports read the newest values. ``remove`` gives them storage of their own.
3. The stream positions and latest losses live in the cohort while the stack stands;
   ``sync`` writes them back to the runs (before the stack changes, or a run is saved).
4. Runs join and leave only between steps; the stack is then rebuilt at the next step
   (``_dirty``). A change of learning rate or D steps regroups the optimiser calls and
   the step plan (``regroup``), without a rebuild.
5. ``train(plan)`` takes each run's step mode for this step ("both", "d" or "g"); runs
   not in the plan wait: their slices are computed and not applied, and neither their
   weights, moments, step counts nor stream positions move.

A cohort holds at most MAX_STACK runs; more runs of one shape make more cohorts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.autograd.variable import Variable

from gan_core.engine import fused_adam, nets, selfcond, spectral, unroll
from gan_core.engine.config import RunConfig
from gan_core.engine.divergence import Diverged, check_runs
from gan_core.engine.gans import GAN_REGISTRY, Nets
from gan_core.engine.stacked import Side, forward, linears
from gan_core.engine.streams import StackedStream
from gan_core.engine.targets import TARGETS

if TYPE_CHECKING:  # (a trainer knows its cohort, a cohort its trainers: types only here)
    from gan_core.engine.trainer import Trainer

Tensor = torch.Tensor
LOSS_NAMES = ("loss_d", "loss_g", "loss_info")

MAX_STACK = int(os.environ.get("GANLAB_MAX_STACK", "16"))
"""Runs stacked in one cohort. Past about 16 runs of the lecture's shapes the stack's
activations outgrow the CPU's cache and the stack trains no faster in all
(bench/cohort.py measures it)."""


def shape_key(cfg: RunConfig) -> tuple:
    """What must be equal for runs to share a stacked model."""
    kind = GAN_REGISTRY[cfg.gan]
    target = TARGETS[cfg.target]
    return (
        cfg.gan,
        cfg.loss,
        target.dim,
        target.g_out,
        cfg.z_dim,
        cfg.g_depth,
        cfg.g_width,
        cfg.d_depth,
        cfg.d_width,
        cfg.activation,
        cfg.batch,
        kind.cond_size(cfg),
        kind.g_extra(cfg),
        kind.q_size(cfg),
        cfg.cont_codes,
        cfg.pack,
        cfg.mbstd,
        cfg.spectral_norm,
        cfg.unroll,
        cfg.arch,
    )


class Cohort:
    """Runs with one shape key (at most MAX_STACK), trained as one stacked model."""

    def __init__(self, fused: bool = True):
        self.members: list[Trainer] = []
        self.key: tuple | None = None
        self.fused = fused
        """Adam's fused kernel called for many runs at once; False: each run's opt.step()."""
        self._dirty = True
        self._draws: dict[str, StackedStream] = {}

    def __len__(self) -> int:
        return len(self.members)

    def fits(self, cfg: RunConfig) -> bool:
        """Whether a run of this config could join now."""
        return len(self.members) < MAX_STACK and (not self.members or shape_key(cfg) == self.key)

    # --- membership --------------------------------------------------------------------
    def add(self, t: Trainer) -> None:
        if t.cohort is self:
            return
        if self.members and shape_key(t.cfg) != self.key:
            raise ValueError("a cohort's runs must have the same network shapes")
        if len(self.members) >= MAX_STACK:
            raise ValueError(f"a cohort holds at most {MAX_STACK} runs")
        if t.cohort is not None:
            t.cohort.remove(t)
        self.sync()
        self.key = shape_key(t.cfg)
        self.members.append(t)
        t.cohort = self
        self._dirty = True

    def remove(self, t: Trainer) -> None:
        """Take a run out; its tensors get storage of their own (the stack is rebuilt)."""
        if t.cohort is not self:
            return
        self.sync()
        self.members.remove(t)
        t.cohort = None
        for p in t.g_params + t.d_params + _ema_params(t):
            p.data = p.data.clone()
            p.grad = None
        spectral.own_storage(t.model.D)
        for opt in (t.opt_g, t.opt_d):
            for state in opt.state.values():
                for key, value in state.items():
                    if isinstance(value, Tensor):
                        state[key] = value.clone()
        for stream in t.streams.values():
            stream.fields = {k: v.clone() for k, v in stream.fields.items()}
        self._dirty = True

    def sync(self) -> None:
        """Write the stream positions and latest losses back to the runs (before the stack
        changes, or a run is saved)."""
        if self._dirty or not self._draws:
            return
        for draws in self._draws.values():
            draws.write_back()
        for i, t in enumerate(self.members):
            t.own_losses = {k: v[i].detach().clone() for k, v in self.last.items()}

    def losses_of(self, t: Trainer) -> dict[str, Tensor] | None:
        """A run's latest losses while the stack stands (else None: the run's own)."""
        if self._dirty:
            return None
        i = self.index[t]
        return {k: v[i].detach() for k, v in self.last.items()}

    def regroup(self) -> None:
        """A run's learning rate or D steps changed: regroup at the next step."""
        self._groups = None
        self._plan = None

    # --- building the stack ------------------------------------------------------------
    def _build(self) -> None:
        ms = self.members
        self.kind = ms[0].model
        D = [t.model.D for t in ms]
        opts_g, opts_d = [t.opt_g for t in ms], [t.opt_d for t in ms]
        fused_g = [self.fused and fused_adam.fused_adam_ok(opt) for opt in opts_g]
        fused_d = [self.fused and fused_adam.fused_adam_ok(opt) for opt in opts_d]
        self.g_side = Side([linears(t.model.G) for t in ms], opts_g, fused_g)
        heads = [[d.head] + ([d.q] if d.q is not None else []) for d in D]
        self.d_side = Side(
            [linears(d.trunk) + [h] for d, h in zip(D, heads, strict=True)], opts_d, fused_d
        )
        trunk = forward(D[0].trunk, self.d_side, nets.ops(D[0].act))
        self.nets = Nets(
            forward(ms[0].model.G, self.g_side),
            nets.stacked_d(trunk, self.d_side.layers[-1], D[0].mbstd),
        )
        self.sn = spectral.StackedSN(D, self.d_side.layers) if D[0].sn else None
        # G's moving average, for the runs that keep one
        self._ema_rows = [i for i, t in enumerate(ms) if t.g_ema is not None]
        if self._ema_rows:
            self.ema_side = Side([linears(ms[i].g_ema) for i in self._ema_rows], None)
            every = len(self._ema_rows) == len(ms)
            self._ema_index = None if every else torch.tensor(self._ema_rows)
        self._draws = {kind: StackedStream([t.streams[kind] for t in ms]) for kind in ("d", "g")}
        # latest losses (the runs read them from here while the stack stands), weights
        self.last = {k: torch.stack([t.own_losses[k] for t in ms]) for k in LOSS_NAMES}
        self._ones = torch.ones(len(ms))
        self.gp_weight = torch.tensor([t.cfg.gp_weight for t in ms])
        weights = [t.cfg.info_weight for t in ms]
        # λ = 1 (the default) adds the info loss as it is: the same numbers, one op less
        self.info_weight = None if set(weights) == {1.0} else torch.tensor(weights)
        self.index = {t: i for i, t in enumerate(ms)}
        self.unroll = ms[0].cfg.unroll
        self._groups = None
        self._plan = None
        self._dirty = False

    # --- training ----------------------------------------------------------------------
    def train(self, plan: dict[Trainer, str]) -> list[tuple[Trainer, Diverged]]:
        """One step for each run in ``plan`` (its mode: "both", "d" or "g"); the runs
        whose check found non-finite numbers, with the reason (they stay members)."""
        if not self.members:
            return []
        if self._dirty:
            self._build()
        if self._groups is None:
            self._groups = fused_adam.optimiser_groups(self.members, self.fused)
            lrs = [[t.opt_d.param_groups[0]["lr"]] for t in self.members]
            self._lr_d = torch.tensor(lrs)  # (the unrolled D's steps)
        if self._plan is None or self._plan[0] != plan:
            self._plan = (dict(plan), *self._masks(plan))
        _, d_masks, g_mask, stepped = self._plan
        for mask in d_masks:
            self._d_step(mask)
        if g_mask is not False:
            self._g_step(g_mask)
        due = False
        for t in stepped:
            t.step_count += 1
            due = due or t.step_count % t.check_every == 0
            if selfcond.due(t):
                self._relabel(t)
        return self.check() if due else []

    def _relabel(self, t: Trainer) -> None:
        """A self-conditioned run's new clusters (selfcond.py); its streams draw their
        blocks anew, so every draw from here on has the new labels."""
        selfcond.recluster(t)
        i = self.index[t]
        for kind, draws in self._draws.items():
            t.streams[kind].refill()
            draws.pos[i] = 0
            draws.same_pos = bool((draws.pos == draws.pos[0]).all())

    def _masks(self, plan: dict[Trainer, str]):
        """The runs in each D step and in the G step of a plan, and the runs it steps."""
        n = len(self.members)
        d_count = np.zeros(n, dtype=np.int64)
        g_on = np.zeros(n, dtype=bool)
        for t, mode in plan.items():
            i = self.index[t]
            d_count[i] = t.d_steps if mode == "both" else int(mode == "d")
            g_on[i] = mode != "d"
        d_masks = [_all_or_mask(d_count > j) for j in range(int(d_count.max(initial=0)))]
        g_mask = _all_or_mask(g_on) if g_on.any() else False
        stepped = [self.members[i] for i in np.flatnonzero((d_count > 0) | g_on)]
        return d_masks, g_mask, stepped

    def _d_step(self, mask: np.ndarray | None) -> None:
        """D's step (trainer.py's walk-through), for the runs in ``mask`` (None: all)."""
        b = self._draws["d"].next(mask)
        if self.sn is not None:
            self.sn.refresh(True, mask)
        with torch.no_grad():
            fake = self.nets.g(b["g_in"])
        loss, q = self.kind.d_loss(self.nets, b, fake, self.gp_weight)
        info = self.kind.info_loss(q, b)
        total = self._with_info(loss, info)
        self.d_side.g.zero_()
        _backward(total, self._ones, None)
        fused_adam.update(self.d_side, self._groups["d"], self.members, "d", mask)
        self._record("loss_d", loss, mask)
        if info is not None:
            self._record("loss_info", info, mask)

    def _g_step(self, mask: np.ndarray | None) -> None:
        """G's step (trainer.py's walk-through), for the runs in ``mask`` (None: all)."""
        b = self._draws["g"].next(mask)
        if self.sn is not None:
            self.sn.refresh(False)
        fake = self.nets.g(b["g_in"])
        against = unroll.unrolled(self, b, fake, self._lr_d) if self.unroll else self.nets
        loss, q = self.kind.g_loss(against, b, fake)
        info = self.kind.info_loss(q, b)
        total = self._with_info(loss, info)
        self.g_side.g.zero_()
        # only G's gradients: D's are not needed in G's step
        _backward(total, self._ones, self.g_side.leaves)
        fused_adam.update(self.g_side, self._groups["g"], self.members, "g", mask)
        self._record("loss_g", loss, mask)
        if self._ema_rows:
            self._ema_update(mask)

    def _with_info(self, loss: Tensor, info: Tensor | None) -> Tensor:
        """loss + λ·info, each run with its own λ."""
        if info is None:
            return loss
        return loss + (info if self.info_weight is None else self.info_weight * info)

    def _record(self, name: str, value: Tensor, mask: np.ndarray | None) -> None:
        """Keep the step's losses (not detached: one op less; their graph is spent)."""
        if mask is not None:
            with torch.no_grad():
                value = torch.where(torch.from_numpy(mask), value, self.last[name])
        self.last[name] = value

    def _ema_update(self, mask: np.ndarray | None) -> None:
        """EMA ← EMA + (1 − decay)·(G − EMA) for the runs that took a G step. The decay
        is (1 + t)/(10 + t) at G's t-th update until it reaches ``ema``: the average soon
        forgets G's start."""
        weights = []
        for i in self._ema_rows:
            t = self.members[i]
            if mask is None or mask[i]:
                weights.append(ema_weight(t))
            else:
                weights.append(0.0)
        g = self.g_side.p
        with torch.no_grad():
            src = g if self._ema_index is None else g.index_select(0, self._ema_index)
            self.ema_side.p.lerp_(src, torch.tensor(weights)[:, None])

    def check(self) -> list[tuple[Trainer, Diverged]]:
        """Every run's losses and weights finite? One host sync for the whole cohort;
        the runs that fail, with the reason (``Trainer.check`` names it)."""
        if self._dirty:
            return check_runs(self.members)
        return check_runs(self.members, self.last, (self.g_side, self.d_side))


def ema_weight(t: Trainer) -> float:
    """The run's next G update counted, and its moving average's weight for it: 1 − the
    decay, which is (1 + u)/(10 + u) at G's u-th update until it reaches ``ema``."""
    t._g_updates += 1
    u = t._g_updates
    return 1.0 - min(t.cfg.ema, (1 + u) / (10 + u))


def _all_or_mask(mask: np.ndarray) -> np.ndarray | None:
    """None when every run is in the mask (the fast path)."""
    return None if mask.all() else mask


def _backward(total: Tensor, ones: Tensor, inputs: list[Tensor] | None) -> None:
    """``torch.autograd.backward(total, ones, inputs=inputs)`` without its Python-side
    checks, which cost a noticeable share of a step at these sizes: the engine call it
    makes."""
    Variable._execution_engine.run_backward(
        (total,),
        (ones,),
        False,
        False,
        tuple(inputs or ()),
        allow_unreachable=True,
        accumulate_grad=True,
    )


def _ema_params(t: Trainer) -> list[Tensor]:
    return list(t.g_ema.parameters()) if t.g_ema is not None else []
