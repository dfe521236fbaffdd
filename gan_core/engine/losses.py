"""Loss variants: each is a pair of functions on D's raw outputs (logits).

``d(real, fake)`` is what D minimises, ``g(fake)`` what G minimises. Everything is
computed on logits (softplus, never log(sigmoid)) so it stays finite when D is sure.
Logits are ``[..., batch]``: a loss is the mean over the last dimension, one value per
run of a stack (cohort.py) or a single value for one batch.

softplus is only ever applied to D's output as given, never to a tensor computed from
it: in a stack D's output is a strided view, which PyTorch computes element by element
alike for every run, while a computed (contiguous) tensor would be split into vector
lanes and a scalar tail whose last bits differ, and a run's numbers would depend on its
company (nets.py). Hence softplus(−l) is written softplus(l) − l.
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
    fake points in one ``[..., 2n]`` row; the same loss as ``d`` in fewer ops."""


LOSS_REGISTRY: dict[str, Loss] = {}


def register(loss: Loss) -> Loss:
    LOSS_REGISTRY[loss.name] = loss
    return loss


def _mean(t: Tensor) -> Tensor:
    """The mean over the batch: one value per run."""
    return t.mean(-1)


def _bce_d(real: Tensor, fake: Tensor) -> Tensor:
    # -log D(x) - log(1 - D(G(z))) = softplus(-l_real) + softplus(l_fake)
    return _mean(F.softplus(real)) - _mean(real) + _mean(F.softplus(fake))


@functools.cache
def _real_rows(n: int) -> Tensor:
    return torch.cat([torch.ones(n), torch.zeros(n)])


def _bce_d_joint(out: Tensor, n: int) -> Tensor:
    # the same loss on [real; fake] in one row: softplus(l) − l·y with y 1 for the real
    # points, 0 for the fake ones, summed over 2n and divided by n (two means of n)
    return 2 * _mean(F.softplus(out) - out * _real_rows(n))


register(
    Loss(
        "minimax",
        "Minimax (saturating): G minimises log(1 − D(G(z)))",
        _bce_d,
        # log(1 - sigmoid(l)) = -softplus(l)
        lambda fake: -_mean(F.softplus(fake)),
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
        lambda fake: _mean(F.softplus(fake) - fake),
        torch.sigmoid,
        probability=True,
        d_joint=_bce_d_joint,
    )
)
register(
    Loss(
        "lsgan",
        "Least squares (LSGAN)",
        lambda real, fake: 0.5 * _mean((real - 1) ** 2) + 0.5 * _mean(fake**2),
        lambda fake: 0.5 * _mean((fake - 1) ** 2),
        lambda out: out,
    )
)
register(
    Loss(
        "hinge",
        "Hinge",
        lambda real, fake: _mean(F.relu(1 - real)) + _mean(F.relu(1 + fake)),
        lambda fake: -_mean(fake),
        lambda out: out,
        critic=True,
        boundary=0.0,
    )
)
register(
    Loss(
        "wgan-gp",
        "Wasserstein with gradient penalty",
        lambda real, fake: _mean(fake) - _mean(real),
        lambda fake: -_mean(fake),
        lambda out: out,
        critic=True,
        penalty=True,
        default_d_steps=5,
        boundary=None,
    )
)


def gradient_penalty(
    critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor, alpha: Tensor, pack: int = 1
) -> Tensor:
    """WGAN-GP: (‖∇D(x̂)‖ − 1)² on interpolates x̂ = α·real + (1 − α)·fake, α drawn from
    the run's own generator (``[..., batch, 1]``); the mean over the batch. With ``pack``
    m, ∇D is taken with respect to D's input, m samples side by side."""
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    if pack > 1:
        grad = grad.reshape(*grad.shape[:-2], grad.shape[-2] // pack, pack * grad.shape[-1])
    return ((grad.norm(dim=-1) - 1) ** 2).mean(-1)
