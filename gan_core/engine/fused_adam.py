"""Each run's optimiser step on a stacked side (stacked.py), as few kernel calls as can be.

Every run keeps its own optimiser, learning rate and step count. For the runs whose
optimiser is a plain fused Adam, the cohort calls Adam's fused kernel itself on the
side's rows: one call per group of runs that share their hyperparameters, or one call
on the whole ``[N, T]`` block when every run steps and all share their step count. Any
other optimiser (SGD, Adam with hooks or options the kernel does not take) steps itself,
``opt.step()``, on the views of its run's row. Either way a run's update is the one its
own ``opt.step()`` would make alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from gan_core.engine.stacked import Side

if TYPE_CHECKING:
    from gan_core.engine.trainer import Trainer

Groups = tuple[list[tuple[tuple, list[int]]], list[int]]
"""One side's runs: ``[(hyperparameters, rows), …]`` for the fused kernel, and the rows
whose own ``opt.step()`` updates them."""


def fused_adam_ok(opt) -> bool:
    """Whether the cohort may call the fused Adam kernel itself for this optimiser."""
    if not (isinstance(opt, torch.optim.Adam) and hasattr(torch, "_fused_adam_")):
        return False
    if len(opt.param_groups) != 1 or opt._optimizer_step_pre_hooks:
        return False
    if opt._optimizer_step_post_hooks:
        return False
    g = opt.param_groups[0]
    return bool(g["fused"]) and not (
        g["amsgrad"]
        or g["maximize"]
        or g["capturable"]
        or g["differentiable"]
        or g.get("decoupled_weight_decay", False)
    )


def optimiser_groups(members: list[Trainer], fused: bool) -> dict[str, Groups]:
    """Per side ("g", "d"): runs whose Adam the fused kernel can update, grouped by their
    hyperparameters (one call per group), and the others (their own opt.step())."""
    out = {}
    for side in ("g", "d"):
        groups: dict[tuple, list[int]] = {}
        slow = []
        for i, t in enumerate(members):
            opt = t.opt_g if side == "g" else t.opt_d
            if fused and fused_adam_ok(opt):
                g = opt.param_groups[0]
                hyper = (g["lr"], *g["betas"], g["eps"], g["weight_decay"])
                groups.setdefault(hyper, []).append(i)
            else:
                slow.append(i)
        out[side] = (list(groups.items()), slow)
    return out


def update(
    side: Side, groups: Groups, members: list[Trainer], which: str, mask: np.ndarray | None
) -> None:
    """Each run's optimiser step on side ``which`` for the runs in ``mask`` (None: all)."""
    fused, slow = groups
    with torch.no_grad():
        if mask is None and not slow:
            side.s.add_(1)
            side.steps += 1
        else:  # (a run's own opt.step() counts its steps itself)
            counted = np.ones(len(members), dtype=bool) if mask is None else mask.copy()
            counted[slow] = False
            side.s.add_(torch.from_numpy(counted))
            side.steps += counted
            side.same_steps = bool((side.steps == side.steps[0]).all())
        for hyper, rows in fused:
            if mask is None and len(rows) == len(members) and side.same_steps:
                tensors = side.whole  # one call for all rows
            else:  # one row per run, each with its own step count
                chosen = rows if mask is None else [i for i in rows if mask[i]]
                if not chosen:
                    continue
                tensors = tuple(
                    [x[i] for i in chosen] for x in (side.p, side.g, side.m, side.v, side.s)
                )
            lr, beta1, beta2, eps, weight_decay = hyper
            torch._fused_adam_(
                *tensors[:4],
                [],
                tensors[4],
                amsgrad=False,
                lr=lr,
                beta1=beta1,
                beta2=beta2,
                weight_decay=weight_decay,
                eps=eps,
                maximize=False,
                grad_scale=None,
                found_inf=None,
            )
    for i in slow:
        if mask is None or mask[i]:
            t = members[i]
            (t.opt_g if which == "g" else t.opt_d).step()
