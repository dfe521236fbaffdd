"""Loss variants: each is a pair of functions on D's raw outputs (logits).

``d(real, fake)`` is what D minimises, ``g(fake)`` what G minimises. Everything is
computed on logits (softplus, never log(sigmoid)) so it stays finite when D is sure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


@dataclass(frozen=True)
class Loss:
    name: str
    title: str
    d: Callable[[Tensor, Tensor], Tensor]
    g: Callable[[Tensor], Tensor]
    to_view: Callable[[Tensor], Tensor]
    """Maps D's output to the value the views show (a probability, or the critic)."""
    critic: bool = False
    """True when D is a critic (no probability): the heatmap shows raw values."""
    penalty: bool = False
    """True when the gradient penalty is added to D's loss (WGAN-GP)."""
    default_d_steps: int = 1
    probability: bool = False
    """True when ``to_view`` gives a probability in [0, 1] (D is a classifier)."""
    boundary: float | None = 0.5
    """The view value halfway between "real" and "fake" (the heatmap's contour); None
    when the values have no fixed origin (the Wasserstein critic: the median is used)."""
    d_joint: Callable[[Tensor, int], Tensor] | None = None
    """Optional fast form of ``d``: ``d_joint(out, n)`` on D's outputs for n real then n
    fake points in one (2n, 1) column; the same value as ``d`` in fewer ops."""


LOSS_REGISTRY: dict[str, Loss] = {}


def register(loss: Loss) -> Loss:
    LOSS_REGISTRY[loss.name] = loss
    return loss


def _bce_d(real: Tensor, fake: Tensor) -> Tensor:
    # -log D(x) - log(1 - D(G(z))) = softplus(-l_real) + softplus(l_fake)
    return F.softplus(-real).mean() + F.softplus(fake).mean()


@functools.cache
def _bce_labels(n: int) -> tuple[Tensor, Tensor]:
    """Labels 1 (real) then 0 (fake), and the weight 1/n that makes the sum two means."""
    labels = torch.cat([torch.ones(n, 1), torch.zeros(n, 1)])
    return labels, torch.full((2 * n, 1), 1 / n)


def _bce_d_joint(out: Tensor, n: int) -> Tensor:
    # the same loss, as the binary cross-entropy of [real; fake] with labels [1; 0]: one
    # op and one backward node instead of two softplus, two means and their sum
    labels, weight = _bce_labels(n)
    return F.binary_cross_entropy_with_logits(out, labels, weight=weight, reduction="sum")


register(
    Loss(
        "minimax",
        "Minimax (saturating): G minimises log(1 − D(G(z)))",
        _bce_d,
        # log(1 - sigmoid(l)) = -softplus(l)
        lambda fake: -F.softplus(fake).mean(),
        torch.sigmoid,
        probability=True,
        d_joint=_bce_d_joint,
    )
)
register(
    Loss(
        "nonsaturating",
        "Non-saturating: G maximises log D(G(z))",
        _bce_d,
        lambda fake: F.softplus(-fake).mean(),
        torch.sigmoid,
        probability=True,
        d_joint=_bce_d_joint,
    )
)
register(
    Loss(
        "lsgan",
        "Least squares (LSGAN)",
        lambda real, fake: 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean(),
        lambda fake: 0.5 * ((fake - 1) ** 2).mean(),
        lambda out: out,
    )
)
register(
    Loss(
        "hinge",
        "Hinge",
        lambda real, fake: F.relu(1 - real).mean() + F.relu(1 + fake).mean(),
        lambda fake: -fake.mean(),
        lambda out: out,
        critic=True,
        boundary=0.0,
    )
)
register(
    Loss(
        "wgan-gp",
        "Wasserstein with gradient penalty",
        lambda real, fake: fake.mean() - real.mean(),
        lambda fake: -fake.mean(),
        lambda out: out,
        critic=True,
        penalty=True,
        default_d_steps=5,
        boundary=None,
    )
)


def gradient_penalty(
    critic: Callable[[Tensor], Tensor],
    real: Tensor,
    fake: Tensor,
    gen: torch.Generator | None = None,
) -> Tensor:
    """WGAN-GP: (‖∇D(x̂)‖ − 1)² on random interpolates x̂ of real and fake points."""
    alpha = torch.rand(real.shape[0], 1, generator=gen)  # the run's generator: reproducible
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()
