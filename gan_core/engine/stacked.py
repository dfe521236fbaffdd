"""Stacked parameters: one side (G, D or G's average) of a cohort's runs in flat rows.

A side keeps its parameters, gradients and Adam moments for N runs as ``[N, T]`` rows
(``p``, ``g``, ``m``, ``v``); each stacked layer's weight ``[N, in, out]`` and bias
``[N, 1, out]`` are views of those rows, applied with ``torch.baddbmm``, and each run's
own modules and optimiser states are re-pointed to views of its row. The invariants
this layout keeps are stated once, in cohort.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn

from gan_core.engine import nets

Tensor = torch.Tensor

ROWS_FIRST = 16
"""A stacked layer with fewer outputs keeps its weights [out, in] (used transposed): the
batched GEMM is faster that way for narrow outputs, slower for wide ones."""

# the stacked weights are slices of flat rows, so their gradients are too: autograd adds
# into them in place all the same; its warning is about speed, not correctness
warnings.filterwarnings("ignore", message="grad and param do not obey the gradient layout")


class Layer:
    """One stacked linear layer, ``x @ w + b``: x ``[N, batch, in]``, w ``[N, in, out]``,
    b ``[N, 1, out]`` (w and b views of a side's flat rows). ``use``: the weight the layer
    applies, w itself or, with spectral normalisation, w / σ (spectral.py)."""

    def __init__(self, w: Tensor, b: Tensor):
        self.w, self.b = w, b
        self.use = w

    def __call__(self, x: Tensor) -> Tensor:
        return torch.baddbmm(self.b, x, self.use)


class Side:
    """One side of a stack of runs: parameters, gradients and Adam's moments as ``[N, T]``
    rows (T a multiple of nets.ALIGN, so elementwise ops on the rows treat every run
    alike), each run's tensors re-pointed to views of them.

    ``layers[i][k]``: run i's nn.Linear modules that make stacked layer k (several for
    D's head and Q, which read the same features); ``opts[i]``: run i's optimiser for
    this side, whose states move here too (None: no gradients, no optimiser). ``fused[i]``:
    the cohort updates run i itself, so its step count lives here too (else its own
    opt.step() counts each parameter's steps).
    """

    def __init__(self, layers: list[list[list[nn.Linear]]], opts: list | None, fused=None):
        shapes = []
        offset = 0
        for parts in layers[0]:
            n_in = parts[0].in_features
            n_out = max(sum(lin.out_features for lin in parts), 2)  # (nets.py: ≥ 2 outputs)
            shapes.append((offset, n_in, n_out, n_out < ROWS_FIRST))
            offset += n_in * n_out + n_out
        n, width = len(layers), -offset % nets.ALIGN + offset
        self.shapes = shapes
        """Each stacked layer's (start, in, out, rows_first) in a row (``layers_of``)."""
        self.p = torch.zeros(n, width)
        names = ("p", "g", "m", "v") if opts is not None else ("p",)
        if opts is not None:
            self.g, self.m, self.v = (torch.zeros(n, width) for _ in range(3))
            self.steps = np.array([_step(opt) for opt in opts])
            self.s = torch.tensor(self.steps, dtype=torch.float32)
            """Each run's Adam step count (``steps``: the same, read without a sync)."""
            self.same_steps = bool((self.steps == self.steps[0]).all())
            self.whole = ([self.p], [self.g], [self.m], [self.v], [self.s[0]])
            """One fused Adam call for all rows, when they share their step count."""
        self.layers = []
        for k, (start, n_in, n_out, rows_first) in enumerate(shapes):
            for i, run in enumerate(layers):
                col = 0
                for lin in run[k]:
                    out = slice(col, col + lin.out_features)
                    states = opts[i].state if opts is not None else {}
                    for param, bias in ((lin.weight, False), (lin.bias, True)):
                        for name in names:
                            row = getattr(self, name)[i]
                            view = _view(row, start, n_in, n_out, rows_first, bias)[out]
                            if name == "p":
                                view.copy_(param.data)
                                param.data = view
                            elif name == "g":
                                param.grad = view
                            else:
                                key = "exp_avg" if name == "m" else "exp_avg_sq"
                                if key in states.get(param, {}):
                                    view.copy_(states[param][key])
                                    states[param][key] = view
                        if opts is not None and fused[i] and param in states:
                            states[param]["step"] = self.s[i]
                    col += lin.out_features
            w, b = _stacked(self.p, start, n_in, n_out, rows_first)
            if opts is not None:
                w.requires_grad_(True)
                b.requires_grad_(True)
                w.grad, b.grad = _stacked(self.g, start, n_in, n_out, rows_first)
            self.layers.append(Layer(w, b))
        self.leaves = [x for layer in self.layers for x in (layer.w, layer.b)]


def layers_of(rows: Tensor, shapes: list[tuple]) -> list[Layer]:
    """Stacked layers whose weights are views of other rows of a side's layout (the
    unrolled D's, unroll.py)."""
    return [Layer(*_stacked(rows, *shape)) for shape in shapes]


def _view(row: Tensor, start: int, n_in: int, n_out: int, rows_first: bool, bias: bool) -> Tensor:
    """One run's weight ([out, in]) or bias ([out]) of a layer, as a view of its row."""
    if bias:
        return row[start + n_in * n_out : start + n_in * n_out + n_out]
    if rows_first:
        return row[start : start + n_in * n_out].view(n_out, n_in)
    return row[start : start + n_in * n_out].view(n_in, n_out).T


def _stacked(rows: Tensor, start: int, n_in: int, n_out: int, rows_first: bool):
    """A layer's stacked weight ``[N, in, out]`` and bias ``[N, 1, out]``, views of rows."""
    n, w = rows.shape[0], rows[:, start : start + n_in * n_out]
    w = w.view(n, n_out, n_in).mT if rows_first else w.view(n, n_in, n_out)
    return w, rows[:, start + n_in * n_out : start + n_in * n_out + n_out].view(n, 1, n_out)


def _step(opt) -> float:
    """An Adam's step count (the same for all its parameters), 0 before its first step."""
    for state in opt.state.values():
        if "step" in state:
            return float(state["step"])
    return 0.0


def linears(module: nn.Module) -> list[list[nn.Linear]]:
    """The module's linear layers in order, each as a stacked layer's one part."""
    return [[op] for op in nets.ops(module) if isinstance(op, nn.Linear)]


def forward(module: nn.Module, side: Side, tail: list | None = None):
    """The module's ops with its linear layers replaced by the side's stacked ones."""
    layers = iter(side.layers)
    fns = [next(layers) if isinstance(op, nn.Linear) else op for op in nets.ops(module)]
    return nets.chain(fns + (tail or []))
