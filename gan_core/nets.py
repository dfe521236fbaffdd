"""The multilayer perceptrons G and D are made of."""

from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leakyrelu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
}


def mlp(n_in: int, n_out: int, depth: int, width: int, activation: str) -> nn.Sequential:
    """`depth` hidden layers of `width` units, then a linear output layer."""
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(n_in if i == 0 else width, width), ACTIVATIONS[activation]()]
    layers.append(nn.Linear(width, n_out))
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
