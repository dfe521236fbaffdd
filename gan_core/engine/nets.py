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

from gan_core.engine import spectral

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
    """D's trunk with a real/fake head and, for InfoGAN, a Q head sharing the trunk.

    The settings against mode collapse change its shape: ``pack`` m (PacGAN) makes the
    trunk read m samples' inputs side by side and Q guess each of the m codes; ``mbstd``
    gives the heads one more input, the minibatch std feature (``minibatch_std``);
    ``spectral_norm`` divides each layer's weights by their σ (spectral.py).
    """

    def __init__(
        self,
        n_in: int,
        depth: int,
        width: int,
        activation: str,
        n_q: int = 0,
        pack: int = 1,
        mbstd: bool = False,
        spectral_norm: bool = False,
    ):
        super().__init__()
        self.pack, self.mbstd, self.sn = pack, mbstd, spectral_norm
        n_in *= pack
        self.trunk = mlp(n_in, width, depth - 1, width, activation) if depth > 1 else None
        if self.trunk is None:
            self.trunk = nn.Linear(n_in, width)
        self.act = ACTIVATIONS[activation]()
        self.n_features = width
        """D's penultimate features per row (selfcond.py clusters them)."""
        self.head = nn.Linear(width + mbstd, 1)
        self.q = nn.Linear(width + mbstd, n_q * pack) if n_q else None
        if spectral_norm:  # (drawn after the layers: their weights are those without it)
            spectral.add_vectors(self, self.hidden())

    def hidden(self) -> list[nn.Linear]:
        """The trunk's linear layers."""
        return [op for op in ops(self.trunk) if isinstance(op, nn.Linear)]

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The heads' input for D's (packed) inputs x ``[n, pack·in]``; the minibatch
        feature over the n rows."""
        if self.sn:
            us = iter(spectral.vectors(self))
            for op in ops(self.trunk):
                if isinstance(op, nn.Linear):
                    w = spectral.weight(op, self._buffers[next(us)])
                    x = F.linear(x, w, op.bias)
                else:
                    x = op(x)
            h = self.act(x)
        else:
            h = self.act(self.trunk(x))
        return minibatch_std(h) if self.mbstd else h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """D's output at each point of x ``[n, in]`` (the views): with ``pack`` m, each
        point packed with m − 1 copies of itself."""
        if self.pack > 1:
            x = x.repeat(1, self.pack)
        h = self.features(x)
        if self.sn:
            return F.linear(h, spectral.weight(self.head, None), self.head.bias).squeeze(1)
        return self.head(h).squeeze(1)


MBSTD_EPS = 1e-8
"""Added to the variance before its square root (ProGAN's), so its gradient stays finite."""


def minibatch_std(h: Tensor, groups: int = 1) -> Tensor:
    """h ``[…, rows, width]`` with one more feature: the mean over the width of the std of
    each feature over the rows of its group (the rows in ``groups`` equal parts, as D's
    step reads real and fake points in one pass), the same value on each of its rows."""
    *lead, rows, width = h.shape
    g = h.reshape(*lead, groups, rows // groups, width)
    var = (g - g.mean(-2, keepdim=True)).square().mean(-2)
    s = (var + MBSTD_EPS).sqrt().mean(-1)  # [..., groups]
    feature = s[..., None, None].expand(*lead, groups, rows // groups, 1)
    return torch.cat([h, feature.reshape(*lead, rows, 1)], -1)


def stacked_d(trunk: Callable[[Tensor], Tensor], head: Callable[[Tensor], Tensor], mbstd: bool):
    """D of a stack: ``d(x, groups)``, the head on the trunk's features (with ``mbstd``,
    and the minibatch feature over each of the ``groups`` parts of the rows)."""
    if not mbstd:
        return lambda x, groups=1: head(trunk(x))
    return lambda x, groups=1: head(minibatch_std(trunk(x), groups))


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
        # in place: x is always a layer's fresh output, and the backward then keeps one
        # tensor of a stack's activations instead of two (the same numbers: for a slope
        # above 0 the output's sign is the input's)
        return [lambda x, s=module.negative_slope: F.leaky_relu(x, s, inplace=True)]
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
