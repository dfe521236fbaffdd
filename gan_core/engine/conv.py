"""DCGAN's networks for image targets (``arch`` dcgan), with each of its rules a setting.

The lecture's five rules (Radford et al. 2016), each one a setting that can be broken on
its own, so a student sees what it costs:

- ``strided``: strided convolutions down in D and transposed ones up in G (off: max
  pooling in D, nearest upsampling in G, each after a 3×3 convolution);
- ``batchnorm``: batchnorm in G and D (not on D's input layer nor G's output);
- ``fc_hidden`` off: no fully connected hidden layer (on: one in G before its projection
  and one in D before its heads);
- ``tanh_out``: Tanh at G's output (off: linear);
- ``leaky_d``: LeakyReLU(0.2) in D (off: ReLU); G uses ReLU.

G maps its input (z, and the one-hot label or code) through a linear projection to a
``g_channels`` × 2 × 2 map, then up to the 8 × 8 image, halving the channels at each
step. D reads the image (and the label, as one constant plane per class) down from 8 × 8
to ``d_channels``·2 × 2 × 2, whose flattened features feed its output and, for InfoGAN,
Q's. Both read and write the flat rows of 64 values the engine uses everywhere.

Batchnorm makes the networks' outputs depend on the batch: they train in training mode
and are in eval mode (running statistics) for samples and views (solo.py).
"""

from __future__ import annotations

import torch
from torch import nn

from gan_core.engine.nets import minibatch_std

Tensor = torch.Tensor

SIDE = 8
"""The image's side (scikit-learn's digits)."""
START = 2
"""The side of G's first feature map and of D's last."""
FC_WIDTH = 4
"""A broken ``fc_hidden`` rule's layer width, in multiples of the side's channels."""


def _on(value: str) -> bool:
    return value == "on"


def _up(c_in: int, c_out: int, strided: bool) -> list[nn.Module]:
    """Double the side: a transposed strided convolution, or upsampling then a conv."""
    if strided:
        return [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1)]
    return [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, c_out, 3, 1, 1)]


def _down(c_in: int, c_out: int, strided: bool) -> list[nn.Module]:
    """Halve the side: a strided convolution, or a conv then max pooling."""
    if strided:
        return [nn.Conv2d(c_in, c_out, 4, 2, 1)]
    return [nn.Conv2d(c_in, c_out, 3, 1, 1), nn.MaxPool2d(2)]


def _steps() -> int:
    """Doublings from START to SIDE."""
    return (SIDE // START).bit_length() - 1


class ConvG(nn.Module):
    """DCGAN's G: ``[n, n_in]`` → ``[n, 64]`` (an 8 × 8 image as a row)."""

    def __init__(self, n_in: int, channels: int, rules):
        super().__init__()
        bn = _on(rules.batchnorm)
        layers: list[nn.Module] = []
        if _on(rules.fc_hidden):
            hidden = FC_WIDTH * channels
            layers += [nn.Linear(n_in, hidden)]
            layers += [nn.BatchNorm1d(hidden)] if bn else []
            layers += [nn.ReLU()]
            n_in = hidden
        layers += [
            nn.Linear(n_in, channels * START * START),
            nn.Unflatten(1, (channels, START, START)),
        ]
        c = channels
        for i in range(_steps()):
            layers += [nn.BatchNorm2d(c)] if bn else []
            layers += [nn.ReLU()]
            out = 1 if i == _steps() - 1 else max(c // 2, 1)
            layers += _up(c, out, _on(rules.strided))
            c = out
        layers += [nn.Tanh()] if _on(rules.tanh_out) else []
        layers += [nn.Flatten(1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class ConvD(nn.Module):
    """DCGAN's D with a real/fake head and, for InfoGAN, a Q head on its features.

    Its input rows are the flat ``[n, pack·(64 + n_cond)]`` rows of the MLP's D (gans.py
    packs and appends the one-hot label); ``features`` turns each row into image planes:
    each packed sample's image, and each of its label's classes as a constant plane.
    ``mbstd`` and ``spectral_norm`` are the MLP's settings (torch's spectral_norm
    parametrization on every layer: one power iteration per forward in training).
    """

    def __init__(
        self,
        n_cond: int,
        channels: int,
        rules,
        n_q: int = 0,
        pack: int = 1,
        mbstd: bool = False,
        spectral_norm: bool = False,
    ):
        super().__init__()
        self.pack, self.mbstd, self.n_cond = pack, mbstd, n_cond
        bn = _on(rules.batchnorm)
        act = (lambda: nn.LeakyReLU(0.2)) if _on(rules.leaky_d) else nn.ReLU
        layers: list[nn.Module] = []
        c_in, c = pack * (1 + n_cond), channels
        for i in range(_steps()):
            layers += _down(c_in, c, _on(rules.strided))
            layers += [nn.BatchNorm2d(c)] if bn and i > 0 else []
            layers += [act()]
            c_in, c = c, c * 2
        layers += [nn.Flatten(1)]
        width = c_in * START * START
        if _on(rules.fc_hidden):
            hidden = FC_WIDTH * channels
            layers += [nn.Linear(width, hidden)]
            layers += [nn.BatchNorm1d(hidden)] if bn else []
            layers += [act()]
            width = hidden
        self.trunk = nn.Sequential(*layers)
        self.n_features = width
        """D's penultimate features per row (selfcond.py clusters them)."""
        self.head = nn.Linear(width + mbstd, 1)
        self.q = nn.Linear(width + mbstd, n_q * pack) if n_q else None
        self.sn = spectral_norm
        if spectral_norm:
            for module in [*self.trunk, self.head]:
                if isinstance(module, (nn.Conv2d, nn.Linear)):
                    nn.utils.parametrizations.spectral_norm(module)

    def planes(self, x: Tensor) -> Tensor:
        """Flat rows ``[n, pack·(64 + n_cond)]`` as planes ``[n, pack·(1 + n_cond), 8, 8]``."""
        n = x.shape[0]
        x = x.reshape(n, self.pack, SIDE * SIDE + self.n_cond)
        image = x[..., : SIDE * SIDE].reshape(n, self.pack, SIDE, SIDE)
        if not self.n_cond:
            return image
        cond = x[..., SIDE * SIDE :].reshape(n, self.pack * self.n_cond, 1, 1)
        return torch.cat([image, cond.expand(-1, -1, SIDE, SIDE)], 1)

    def features(self, x: Tensor) -> Tensor:
        """The heads' input for D's (packed) flat rows; the minibatch feature over them."""
        h = self.trunk(self.planes(x))
        return minibatch_std(h) if self.mbstd else h

    def scores(self, x: Tensor) -> Tensor:
        """D's output (column 0) and Q's (columns 1…) for packed flat rows."""
        h = self.features(x)
        if self.q is None:
            return self.head(h)
        return torch.cat([self.head(h), self.q(h)], -1)

    def forward(self, x: Tensor, all_scores: bool = False) -> Tensor:
        """D's output at each row of x ``[n, 64 + n_cond]`` (the views): with ``pack`` m,
        each row packed with m − 1 copies of itself. ``all_scores``: ``scores`` of packed
        rows (for ``torch.func.functional_call``, which calls forward)."""
        if all_scores:
            return self.scores(x)
        if self.pack > 1:
            x = x.repeat(1, self.pack)
        return self.head(self.features(x)).squeeze(1)
