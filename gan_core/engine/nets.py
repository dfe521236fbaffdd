"""The multilayer perceptrons G and D are made of, and their stacked form for cohorts.

A cohort (cohort.py) trains N runs' nets as one: each linear layer's weights stacked as
``[N, in, out]`` and applied with ``torch.baddbmm`` (stacked.py). Each run's slice of every op must
be bitwise what it is alone; two things would break that, and are handled here:
- a layer with one output column takes another BLAS path for one run than for many:
  stacked layers have at least two outputs (stacked.py pads D's head);
- an elementwise op with a vector path (tanh, softplus, …) computes the last few
  elements of a tensor in a scalar tail whose results differ in the last bit; in a
  stack those elements fall elsewhere: ``per_run`` pads each run's row to a multiple
  of the vector length, so every element is computed the same way alone or in company.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

Tensor = torch.Tensor

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leakyrelu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
}
ALIGN = 64
"""Elements per run row in ``per_run``: a multiple of every vector loop's stride."""


def mlp(
    n_in: int, n_out: int, depth: int, width: int, activation: str, out: str = "linear"
) -> nn.Sequential:
    """`depth` hidden layers of `width` units, then a linear output layer (``out="tanh"``:
    squashed into [-1, 1], for data that lives there)."""
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(n_in if i == 0 else width, width), ACTIVATIONS[activation]()]
    layers.append(nn.Linear(width, n_out))
    if out != "linear":
        layers.append(ACTIVATIONS[out]())
    return nn.Sequential(*layers)


class Discriminator(nn.Module):
    """D's trunk with a real/fake head and, for InfoGAN, a Q head sharing the trunk."""

    def __init__(self, n_in: int, depth: int, width: int, activation: str, n_q: int = 0):
        super().__init__()
        self.trunk = mlp(n_in, width, depth - 1, width, activation) if depth > 1 else None
        if self.trunk is None:
            self.trunk = nn.Linear(n_in, width)
        self.act = ACTIVATIONS[activation]()
        self.head = nn.Linear(width, 1)
        self.q = nn.Linear(width, n_q) if n_q else None

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.trunk(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x)).squeeze(1)


# --- the stacked form ------------------------------------------------------------------


def per_run(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """``fn`` (elementwise) on a stack ``[N, …]`` with each run's row padded to ALIGN
    elements, so no run's elements land in a vector loop's scalar tail. Below three
    dimensions (one run's batch, as the probes use) it is just ``fn(x)``."""
    if x.dim() < 3:
        return fn(x)
    rows = x.reshape(x.shape[0], -1)
    pad = -rows.shape[1] % ALIGN
    if not pad:
        return fn(rows).view(x.shape)
    return fn(F.pad(rows, (0, pad)))[:, : rows.shape[1]].view(x.shape)


def ops(module: nn.Module) -> list:
    """The module's forward as a list of nn.Linear modules and stack-safe activations."""
    if type(module) is nn.Sequential:
        return [op for m in module for op in ops(m)]
    if type(module) is nn.Linear:
        return [module]
    if type(module) is nn.ReLU:
        return [torch.relu]
    if type(module) is nn.LeakyReLU:
        return [lambda x, s=module.negative_slope: F.leaky_relu(x, s)]
    if type(module) is nn.Tanh:
        return [lambda x: per_run(torch.tanh, x)]
    raise TypeError(f"cannot stack {type(module).__name__}")


def chain(fns: list) -> Callable[[Tensor], Tensor]:
    """The ops applied in turn: one forward of a stacked net."""
    fns = tuple(fns)

    def forward(x: Tensor) -> Tensor:
        for f in fns:
            x = f(x)
        return x

    return forward
