"""Divergence: a run whose losses or weights are no longer finite stops, with a reason.

The hot loop never syncs with the host to look; every ``check_every`` steps (and at the
end of a run) one check reads all of a cohort's losses and weight sums at once, and only
the runs it flags are examined one by one (``Trainer.check`` names what is not finite).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from gan_core.engine.stacked import Side
    from gan_core.engine.trainer import Trainer


class Diverged(RuntimeError):
    """Training produced a non-finite loss or weight; the message says what to try."""

    def __init__(self, step: int, what: str):
        super().__init__(
            f"training diverged at step {step}: {what} is not finite. "
            "Lower the learning rates, or try another loss (nonsaturating, or wgan-gp)."
        )
        self.step = step
        self.what = what


def check_runs(
    members: list[Trainer],
    last: dict[str, torch.Tensor] | None = None,
    sides: tuple[Side, ...] = (),
) -> list[tuple[Trainer, Diverged]]:
    """The runs whose losses or weights are not finite, each with the reason.

    ``last`` (each loss ``[N]``) and ``sides`` (their ``p`` rows ``[N, T]``): a standing
    stack's tensors, read in one host sync; without them every run checks its own."""
    if last is None:
        return [(t, e) for t in members if (e := check_one(t))]
    rows = [torch.isfinite(v) for v in last.values()]
    rows += [torch.isfinite(side.p.sum(1)) for side in sides]
    ok = torch.stack(rows).all(0).numpy()
    return [(members[i], e) for i in np.flatnonzero(~ok) if (e := check_one(members[i]))]


def check_one(t: Trainer) -> Diverged | None:
    """The run's reason to stop, or None."""
    try:
        t.check()
    except Diverged as exc:
        return exc
    return None
