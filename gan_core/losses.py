"""Loss variants: each is a pair of functions on D's raw outputs (logits).

``d(real, fake)`` is what D minimises, ``g(fake)`` what G minimises. Everything is
computed on logits (softplus, never log(sigmoid)) so it stays finite when D is sure.
"""

from __future__ import annotations

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


LOSS_REGISTRY: dict[str, Loss] = {}


def register(loss: Loss) -> Loss:
    LOSS_REGISTRY[loss.name] = loss
    return loss


def _bce_d(real: Tensor, fake: Tensor) -> Tensor:
    # -log D(x) - log(1 - D(G(z))) = softplus(-l_real) + softplus(l_fake)
    return F.softplus(-real).mean() + F.softplus(fake).mean()


register(
    Loss(
        "minimax",
        "Minimax (saturating): G minimises log(1 − D(G(z)))",
        _bce_d,
        # log(1 - sigmoid(l)) = -softplus(l)
        lambda fake: -F.softplus(fake).mean(),
        torch.sigmoid,
    )
)
register(
    Loss(
        "nonsaturating",
        "Non-saturating: G maximises log D(G(z))",
        _bce_d,
        lambda fake: F.softplus(-fake).mean(),
        torch.sigmoid,
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
    )
)


def gradient_penalty(critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor) -> Tensor:
    """WGAN-GP: (‖∇D(x̂)‖ − 1)² on random interpolates x̂ of real and fake points."""
    alpha = torch.rand(real.shape[0], 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()
