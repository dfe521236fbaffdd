"""Unrolled GAN (``unroll`` k, Metz et al. 2017), in its first-order form.

G's step scores its fake points against D_k, a copy of D advanced k steps: each step
D's own loss (with the gradient penalty and InfoGAN's λ·info, as D's step has them) on
the G step's batch, real points from G's stream and G's fake points held fixed, and a
plain gradient step with D's learning rate, θ ← θ − lr_d·∇θ L_D. D itself does not move.
First-order: G's gradient flows through D_k's forward pass but not back through the k
steps (D_k's weights are constants), which costs k D steps instead of their second
derivatives.

In a cohort the copy is the D side's ``[N, T]`` rows (stacked.py), so each run's steps
are elementwise on its own row and its numbers are those it has alone (cohort.py).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import torch

from gan_core.engine import nets, spectral
from gan_core.engine.gans import Nets
from gan_core.engine.stacked import forward, layers_of

if TYPE_CHECKING:
    from gan_core.engine.cohort import Cohort

Tensor = torch.Tensor


def unrolled(cohort: Cohort, b: dict[str, Tensor], fake: Tensor, lr: Tensor) -> Nets:
    """The cohort's nets with D replaced by D_k, k = the runs' ``unroll``; ``lr``: each
    run's D learning rate ``[N, 1]``."""
    rows = cohort.d_side.p.detach()
    fake = fake.detach()
    for _ in range(cohort.unroll):
        rows = rows.detach().requires_grad_(True)
        loss, q = cohort.kind.d_loss(_nets(cohort, rows), b, fake, cohort.gp_weight)
        total = cohort._with_info(loss, cohort.kind.info_loss(q, b))
        (grad,) = torch.autograd.grad(total, rows, cohort._ones)
        with torch.no_grad():
            rows = rows - lr * grad
    return _nets(cohort, rows)


def _nets(cohort: Cohort, rows: Tensor) -> Nets:
    """G and a D whose weights are views of ``rows`` (spectral norm from the runs' u,
    which the copy does not move)."""
    layers = layers_of(rows, cohort.d_side.shapes)
    if cohort.sn is not None:
        spectral.normalise(layers, cohort.sn.u, False)
    d = cohort.members[0].model.D
    trunk = forward(d.trunk, SimpleNamespace(layers=layers), nets.ops(d.act))
    return Nets(cohort.nets.g, nets.stacked_d(trunk, layers[-1], d.mbstd))
