"""Spectral normalisation of D's layers (``spectral_norm``): each uses W / σ(W).

σ(W), the largest singular value, comes from power iteration, as
``torch.nn.utils.parametrizations.spectral_norm`` computes it: each hidden layer keeps a
vector u per run (a buffer of D, so model files keep it); each D step does one
iteration, v = Wᵀu / ‖Wᵀu‖, u ← Wv / ‖Wv‖, and σ = uᵀWv with u and v held constant, so
the gradient reaches W only through W itself and σ. G's step and the views take σ from
the stored u without moving it. D's head has one output: its σ is its weight's norm,
which power iteration reaches exactly.

Stacked for a cohort (cohort.py): weights ``[N, in, out]`` (a layer computes x @ w, so
W = wᵀ), u ``[N, out]``. The matrix-vector products are batched products with the
vector doubled to two columns: a product with one column takes another BLAS path for
one run than for many (nets.py).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

Tensor = torch.Tensor
EPS = 1e-12
"""The floor of a norm that divides (torch's)."""


def _normalize(x: Tensor) -> Tensor:
    return x / x.norm(dim=-1, keepdim=True).clamp_min(EPS)


def _mv(a: Tensor, x: Tensor) -> Tensor:
    """a @ x per run: a ``[N, r, c]``, x ``[N, c]`` → ``[N, r]``."""
    return torch.bmm(a, x[..., None].expand(-1, -1, 2))[..., 0]


def sigma(w: Tensor, u: Tensor, update: bool, mask: np.ndarray | None = None) -> Tensor:
    """σ per run ``[N]`` of stacked weights w ``[N, in, out]`` with their vectors u
    ``[N, out]``; ``update``: one power iteration first, moving u of the runs in ``mask``
    (None: all) in place."""
    with torch.no_grad():
        wd = w.detach()
        v = _normalize(_mv(wd, u))
        if update:
            new = _normalize(_mv(wd.mT, v))
            if mask is not None:
                new = torch.where(torch.from_numpy(mask)[:, None], new, u)
            u.copy_(new)
    return (u * _mv(w.mT, v)).sum(-1)


def add_vectors(d: nn.Module, hidden: list[nn.Linear]) -> None:
    """Each hidden layer's u, drawn (from the global generator, which the trainer seeds)
    and normalised: D's buffers ``sn_u0``, ``sn_u1``, …"""
    for k, lin in enumerate(hidden):
        d.register_buffer(f"sn_u{k}", F.normalize(torch.randn(lin.out_features), dim=0, eps=EPS))


def vectors(d: nn.Module) -> list[str]:
    """The names of D's u buffers, in layer order."""
    return sorted((n for n in d._buffers if n.startswith("sn_u")), key=lambda n: int(n[4:]))


def weight(lin: nn.Linear, u: Tensor | None) -> Tensor:
    """One run's layer weight ``[out, in]`` divided by its σ, without moving u (the
    views); u None: the one-output head, divided by its norm."""
    if u is None:
        return lin.weight / lin.weight.norm()
    return lin.weight / sigma(lin.weight.T[None], u[None], update=False)[0]


def own_storage(d: nn.Module) -> None:
    """D's u buffers get storage of their own (a run leaving its cohort)."""
    for name in vectors(d):
        d._buffers[name] = d._buffers[name].clone()


class StackedSN:
    """The u vectors of a cohort's runs, stacked ``[N, out]`` per hidden layer (each
    run's buffer a view of its row), and the normalised weights each step uses."""

    def __init__(self, discriminators: list[nn.Module], layers: list):
        self.layers = layers
        """The D side's stacked layers (stacked.Layer): the hidden ones, then the head,
        whose column 0 is D's output (Q's columns are not normalised)."""
        names = vectors(discriminators[0])
        self.u = []
        for name in names:
            stacked = torch.stack([d._buffers[name] for d in discriminators])
            for i, d in enumerate(discriminators):
                d._buffers[name] = stacked[i]
            self.u.append(stacked)

    def refresh(self, update: bool, mask: np.ndarray | None = None) -> None:
        """Each layer's weight for this step, W / σ (``update``: D's step, one power
        iteration for the runs in ``mask``)."""
        normalise(self.layers, self.u, update, mask)


def normalise(layers: list, us: list[Tensor], update: bool, mask=None) -> None:
    """Set each stacked layer's ``use`` to W / σ, σ from the vectors ``us`` (``update``:
    one power iteration first for the runs in ``mask``); the head's column 0 by its norm."""
    for layer, u in zip(layers[:-1], us, strict=True):
        layer.use = layer.w / sigma(layer.w, u, update, mask)[:, None, None]
    head = layers[-1]
    out = head.w[..., :1]
    out = out / out.norm(dim=1, keepdim=True)
    head.use = torch.cat([out, head.w[..., 1:]], -1)
