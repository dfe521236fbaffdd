"""Cohort: runs whose networks have the same shapes, trained as one stacked model.

At the lecture's sizes a step costs Python and dispatch overhead, not arithmetic, so N
runs done one by one waste the machine. A cohort keeps each side's (G's, D's)
parameters, gradients and Adam moments for all its runs in flat ``[N, T]`` rows; each
layer's stacked weights are views of them, applied with ``torch.baddbmm``. One forward
and one backward pass per step train every run, and one fused Adam call updates all
runs that share their learning rate and step count.

Everything that is per run stays per run (trainer.py): its random streams (drawn from
its own generators, so its numbers do not depend on its company), data, learning rates,
D steps, step mode, λ, gradient-penalty weight, EMA and step count. Each run's slice of
every batched op is bitwise what it is alone (a cohort of one): see nets.py for the two
things that needed care; tests/unit/test_cohort.py checks it. While a run trains here,
its modules' parameters, its optimiser states, its stream blocks and its latest losses
are views of the cohort's tensors, so probes, samples and exports read the newest values;
``remove`` gives them storage of their own.

Runs join and leave between steps (``add``, ``remove``): the stack is rebuilt at the
next step. ``train(plan)`` takes each run's step mode for this step; runs not in the
plan wait (their slices are computed and not applied). A cohort holds at most
MAX_STACK runs: beyond that the stack trains no faster in all (bench/cohort.py), and
more runs of one shape make more cohorts.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn
from torch.autograd.variable import Variable

from gan_core.engine import nets
from gan_core.engine.config import RunConfig
from gan_core.engine.gans import GAN_REGISTRY, Nets
from gan_core.engine.targets import TARGETS

if TYPE_CHECKING:  # (a trainer knows its cohort, a cohort its trainers: types only here)
    from gan_core.engine.trainer import Trainer

Tensor = torch.Tensor
LOSS_NAMES = ("loss_d", "loss_g", "loss_info")


class Diverged(RuntimeError):
    """Training produced a non-finite loss or weight; the message says what to try."""

    def __init__(self, step: int, what: str):
        super().__init__(
            f"training diverged at step {step}: {what} is not finite. "
            "Lower the learning rates, or try another loss (nonsaturating, or wgan-gp)."
        )
        self.step = step
        self.what = what


MAX_STACK = int(os.environ.get("GANLAB_MAX_STACK", "16"))
"""Runs stacked in one cohort. bench/cohort.py, lecture settings, one thread, 2026-12-02:
aggregate steps/s 1,315 for one run, 4,172 for 8, 5,108 for 16, then no more (4,846
for 24, 4,837 for 32): the larger stacks' activations outgrow the CPU's cache."""
ROWS_FIRST = 16
"""A stacked layer with fewer outputs keeps its weights [out, in] (used transposed): the
batched GEMM is faster that way for narrow outputs, slower for wide ones."""

# the stacked weights are slices of flat rows, so their gradients are too: autograd adds
# into them in place all the same, and says it may be slower (measured: it is not)
warnings.filterwarnings("ignore", message="grad and param do not obey the gradient layout")


def shape_key(cfg: RunConfig) -> tuple:
    """What must be equal for runs to share a stacked model."""
    kind = GAN_REGISTRY[cfg.gan]
    target = TARGETS[cfg.target]
    return (
        cfg.gan,
        cfg.loss,
        target.dim,
        target.g_out,
        cfg.z_dim,
        cfg.g_depth,
        cfg.g_width,
        cfg.d_depth,
        cfg.d_width,
        cfg.activation,
        cfg.batch,
        kind.cond_size(cfg),
        kind.g_extra(cfg),
        kind.q_size(cfg),
        cfg.cont_codes,
    )


# --- one side's parameters in flat rows --------------------------------------------------


class _Layer:
    """One stacked linear layer, ``x @ w + b``: w ``[N, in, out]``, b ``[N, 1, out]``,
    both views of a side's flat rows."""

    def __init__(self, w: Tensor, b: Tensor):
        self.w, self.b = w, b

    def __call__(self, x: Tensor) -> Tensor:
        return torch.baddbmm(self.b, x, self.w)


class _Side:
    """One side (G, D or G's average) of a stack of runs: parameters, gradients and
    Adam's moments as ``[N, T]`` rows (T a multiple of nets.ALIGN, so elementwise ops
    on the rows treat every run alike), each run's tensors re-pointed to views of them.

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
            self.layers.append(_Layer(w, b))
        self.leaves = [x for layer in self.layers for x in (layer.w, layer.b)]


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


def _linears(module: nn.Module) -> list[list[nn.Linear]]:
    return [[op] for op in nets.ops(module) if isinstance(op, nn.Linear)]


def _forward(module: nn.Module, side: _Side, tail: list | None = None):
    """The module's ops with its linear layers replaced by the side's stacked ones."""
    layers = iter(side.layers)
    fns = [next(layers) if isinstance(op, nn.Linear) else op for op in nets.ops(module)]
    return nets.chain(fns + (tail or []))


# --- the cohort --------------------------------------------------------------------------


class Cohort:
    """Runs with one shape key (at most MAX_STACK), trained as one stacked model."""

    def __init__(self, fused: bool = True):
        self.members: list[Trainer] = []
        self.key: tuple | None = None
        self.fused = fused
        """Adam's fused kernel called for many runs at once; False: each run's opt.step()."""
        self._dirty = True
        self._pos: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.members)

    def fits(self, cfg: RunConfig) -> bool:
        """Whether a run of this config could join now."""
        return len(self.members) < MAX_STACK and (not self.members or shape_key(cfg) == self.key)

    # --- membership --------------------------------------------------------------------
    def add(self, t: Trainer) -> None:
        if t.cohort is self:
            return
        if self.members and shape_key(t.cfg) != self.key:
            raise ValueError("a cohort's runs must have the same network shapes")
        if len(self.members) >= MAX_STACK:
            raise ValueError(f"a cohort holds at most {MAX_STACK} runs")
        if t.cohort is not None:
            t.cohort.remove(t)
        self.sync()
        self.key = shape_key(t.cfg)
        self.members.append(t)
        t.cohort = self
        self._dirty = True

    def remove(self, t: Trainer) -> None:
        """Take a run out; its tensors get storage of their own (the stack is rebuilt)."""
        if t.cohort is not self:
            return
        self.sync()
        self.members.remove(t)
        t.cohort = None
        for p in t.g_params + t.d_params + _ema_params(t):
            p.data = p.data.clone()
            p.grad = None
        for opt in (t.opt_g, t.opt_d):
            for state in opt.state.values():
                for key, value in state.items():
                    if isinstance(value, Tensor):
                        state[key] = value.clone()
        for stream in t.streams.values():
            stream.fields = {k: v.clone() for k, v in stream.fields.items()}
        self._dirty = True

    def sync(self) -> None:
        """Write the stream positions and latest losses back to the runs (before the stack
        changes, or a run is saved)."""
        if self._dirty or not self._pos:
            return
        for kind, pos in self._pos.items():
            for t, p in zip(self.members, pos, strict=True):
                t.streams[kind].pos = int(p)
        for i, t in enumerate(self.members):
            t.own_losses = {k: v[i].detach().clone() for k, v in self.last.items()}

    def losses_of(self, t: Trainer) -> dict[str, Tensor] | None:
        """A run's latest losses while the stack stands (else None: the run's own)."""
        if self._dirty:
            return None
        i = self.index[t]
        return {k: v[i].detach() for k, v in self.last.items()}

    def regroup(self) -> None:
        """A run's learning rate or D steps changed: regroup at the next step."""
        self._groups = None
        self._plan = None

    # --- building the stack ------------------------------------------------------------
    def _build(self) -> None:
        ms = self.members
        self.kind = ms[0].model
        D = [t.model.D for t in ms]
        opts_g, opts_d = [t.opt_g for t in ms], [t.opt_d for t in ms]
        fused_g = [self.fused and _fused_adam_ok(opt) for opt in opts_g]
        fused_d = [self.fused and _fused_adam_ok(opt) for opt in opts_d]
        self.g_side = _Side([_linears(t.model.G) for t in ms], opts_g, fused_g)
        heads = [[d.head] + ([d.q] if d.q is not None else []) for d in D]
        self.d_side = _Side(
            [_linears(d.trunk) + [h] for d, h in zip(D, heads, strict=True)], opts_d, fused_d
        )
        act = nets.ops(D[0].act)
        self.nets = Nets(
            _forward(ms[0].model.G, self.g_side),
            _forward(D[0].trunk, self.d_side, act + [self.d_side.layers[-1]]),
        )
        # G's moving average, for the runs that keep one
        self._ema_rows = [i for i, t in enumerate(ms) if t.g_ema is not None]
        if self._ema_rows:
            self.ema_side = _Side([_linears(ms[i].g_ema) for i in self._ema_rows], None)
            every = len(self._ema_rows) == len(ms)
            self._ema_index = None if every else torch.tensor(self._ema_rows)
        # random streams: each field stacked as [N, block, batch, …]
        self._fields: dict[str, dict[str, Tensor]] = {}
        self._pos = {}
        self._same_pos = {}
        for kind in ("d", "g"):
            streams = [t.streams[kind] for t in ms]
            self._fields[kind] = {}
            for name in streams[0].fields:
                stacked = torch.stack([s.fields[name] for s in streams])
                for i, s in enumerate(streams):
                    s.fields[name] = stacked[i]
                self._fields[kind][name] = stacked
            self._pos[kind] = np.array([s.pos for s in streams], dtype=np.int64)
            self._same_pos[kind] = bool((self._pos[kind] == self._pos[kind][0]).all())
        self._block = ms[0].streams["d"].block
        self._base = np.arange(len(ms), dtype=np.int64) * self._block
        # latest losses (the runs read them from here while the stack stands), weights
        self.last = {k: torch.stack([t.own_losses[k] for t in ms]) for k in LOSS_NAMES}
        self._ones = torch.ones(len(ms))
        self.gp_weight = torch.tensor([t.cfg.gp_weight for t in ms])
        weights = [t.cfg.info_weight for t in ms]
        # λ = 1 (the default) adds the info loss as it is: the same numbers, one op less
        self.info_weight = None if set(weights) == {1.0} else torch.tensor(weights)
        self.index = {t: i for i, t in enumerate(ms)}
        self._groups = None
        self._plan = None
        self._dirty = False

    def _optimiser_groups(self) -> dict[str, tuple[list, list[int]]]:
        """Per side: runs whose Adam the fused kernel can update, grouped by their
        hyperparameters (one call per group), and the others (their own opt.step())."""
        out = {}
        for side in ("g", "d"):
            groups: dict[tuple, list[int]] = {}
            slow = []
            for i, t in enumerate(self.members):
                opt = t.opt_g if side == "g" else t.opt_d
                if self.fused and _fused_adam_ok(opt):
                    g = opt.param_groups[0]
                    hyper = (g["lr"], *g["betas"], g["eps"], g["weight_decay"])
                    groups.setdefault(hyper, []).append(i)
                else:
                    slow.append(i)
            out[side] = (list(groups.items()), slow)
        return out

    # --- training ----------------------------------------------------------------------
    def train(self, plan: dict[Trainer, str]) -> list[tuple[Trainer, Diverged]]:
        """One step for each run in ``plan`` (its mode: "both", "d" or "g"); the runs
        whose check found non-finite numbers, with the reason (they stay members)."""
        if not self.members:
            return []
        if self._dirty:
            self._build()
        if self._groups is None:
            self._groups = self._optimiser_groups()
        if self._plan is None or self._plan[0] != plan:
            self._plan = (dict(plan), *self._masks(plan))
        _, d_masks, g_mask, stepped = self._plan
        for mask in d_masks:
            self._d_step(mask)
        if g_mask is not False:
            self._g_step(g_mask)
        due = False
        for t in stepped:
            t.step_count += 1
            due = due or t.step_count % t.check_every == 0
        return self.check() if due else []

    def _masks(self, plan: dict[Trainer, str]):
        """The runs in each D step and in the G step of a plan, and the runs it steps."""
        n = len(self.members)
        d_count = np.zeros(n, dtype=np.int64)
        g_on = np.zeros(n, dtype=bool)
        for t, mode in plan.items():
            i = self.index[t]
            d_count[i] = t.d_steps if mode == "both" else int(mode == "d")
            g_on[i] = mode != "d"
        d_masks = [_all_or_mask(d_count > j) for j in range(int(d_count.max(initial=0)))]
        g_mask = _all_or_mask(g_on) if g_on.any() else False
        stepped = [self.members[i] for i in np.flatnonzero((d_count > 0) | g_on)]
        return d_masks, g_mask, stepped

    def _gather(self, kind: str, mask: np.ndarray | None) -> dict[str, Tensor]:
        """Each run's next draw of this kind, ``[N, batch, …]``; the runs in ``mask``
        (None: all) advance. Runs at the same row of their blocks (alone, or runs that
        started together) read views of it; others a gathered copy. A used-up block is
        drawn anew here, before it is read, never while a step still reads its rows."""
        pos = self._pos[kind]
        for i in np.flatnonzero(pos == self._block):
            self.members[i].streams[kind].refill()
            pos[i] = 0
        fields = self._fields[kind]
        if self._same_pos[kind]:
            row = int(pos[0])
            out = {k: v[:, row] for k, v in fields.items()}
        else:
            idx = torch.from_numpy(self._base + pos)
            out = {k: v.flatten(0, 1).index_select(0, idx) for k, v in fields.items()}
        if mask is None:
            pos += 1
        else:
            pos += mask
            self._same_pos[kind] = bool((pos == pos[0]).all())
        return out

    def _d_step(self, mask: np.ndarray) -> None:
        b = self._gather("d", mask)
        with torch.no_grad():
            fake = self.nets.g(b["g_in"])
        loss, q = self.kind.d_loss(self.nets, b, fake, self.gp_weight)
        info = self.kind.info_loss(q, b)
        total = self._with_info(loss, info)
        self.d_side.g.zero_()
        _backward(total, self._ones, None)
        self._update("d", self.d_side, mask)
        self._record("loss_d", loss, mask)
        if info is not None:
            self._record("loss_info", info, mask)

    def _g_step(self, mask: np.ndarray) -> None:
        b = self._gather("g", mask)
        fake = self.nets.g(b["g_in"])
        loss, q = self.kind.g_loss(self.nets, b, fake)
        info = self.kind.info_loss(q, b)
        total = self._with_info(loss, info)
        self.g_side.g.zero_()
        # only G's gradients: D's are not needed in G's step
        _backward(total, self._ones, self.g_side.leaves)
        self._update("g", self.g_side, mask)
        self._record("loss_g", loss, mask)
        if self._ema_rows:
            self._ema_update(mask)

    def _with_info(self, loss: Tensor, info: Tensor | None) -> Tensor:
        """loss + λ·info, each run with its own λ."""
        if info is None:
            return loss
        return loss + (info if self.info_weight is None else self.info_weight * info)

    def _record(self, name: str, value: Tensor, mask: np.ndarray | None) -> None:
        """Keep the step's losses (not detached: one op less; their graph is spent)."""
        if mask is not None:
            with torch.no_grad():
                value = torch.where(torch.from_numpy(mask), value, self.last[name])
        self.last[name] = value

    def _update(self, which: str, side: _Side, mask: np.ndarray | None) -> None:
        """Each run's optimiser step for the runs in ``mask`` (None: all)."""
        groups, slow = self._groups[which]
        with torch.no_grad():
            if mask is None and not slow:
                side.s.add_(1)
                side.steps += 1
            else:  # (a run's own opt.step() counts its steps itself)
                counted = np.ones(len(self.members), dtype=bool) if mask is None else mask.copy()
                counted[slow] = False
                side.s.add_(torch.from_numpy(counted))
                side.steps += counted
                side.same_steps = bool((side.steps == side.steps[0]).all())
            for hyper, rows in groups:
                if mask is None and len(rows) == len(self.members) and side.same_steps:
                    tensors = side.whole  # one call for all rows
                else:  # one row per run, each with its own step count
                    chosen = rows if mask is None else [i for i in rows if mask[i]]
                    if not chosen:
                        continue
                    tensors = tuple(
                        [x[i] for i in chosen] for x in (side.p, side.g, side.m, side.v, side.s)
                    )
                lr, beta1, beta2, eps, weight_decay = hyper
                torch._fused_adam_(
                    *tensors[:4],
                    [],
                    tensors[4],
                    amsgrad=False,
                    lr=lr,
                    beta1=beta1,
                    beta2=beta2,
                    weight_decay=weight_decay,
                    eps=eps,
                    maximize=False,
                    grad_scale=None,
                    found_inf=None,
                )
        for i in slow:
            if mask is None or mask[i]:
                t = self.members[i]
                (t.opt_g if which == "g" else t.opt_d).step()

    def _ema_update(self, mask: np.ndarray) -> None:
        """EMA ← EMA + (1 − decay)·(G − EMA) for the runs that took a G step. The decay
        is (1 + t)/(10 + t) at G's t-th update until it reaches ``ema``: the average soon
        forgets G's start."""
        weights = []
        for i in self._ema_rows:
            t = self.members[i]
            if mask is None or mask[i]:
                t._g_updates += 1
                u = t._g_updates
                weights.append(1.0 - min(t.cfg.ema, (1 + u) / (10 + u)))
            else:
                weights.append(0.0)
        g = self.g_side.p
        with torch.no_grad():
            src = g if self._ema_index is None else g.index_select(0, self._ema_index)
            self.ema_side.p.lerp_(src, torch.tensor(weights)[:, None])

    def check(self) -> list[tuple[Trainer, Diverged]]:
        """Every run's losses and weights finite? One host sync for the whole cohort;
        the runs that fail, with the reason (``Trainer.check`` names it)."""
        if self._dirty:
            return [(t, e) for t in self.members if (e := _check_one(t))]
        rows = [torch.isfinite(v) for v in self.last.values()]
        rows += [torch.isfinite(side.p.sum(1)) for side in (self.g_side, self.d_side)]
        ok = torch.stack(rows).all(0).numpy()
        return [
            (self.members[i], e) for i in np.flatnonzero(~ok) if (e := _check_one(self.members[i]))
        ]


def _all_or_mask(mask: np.ndarray) -> np.ndarray | None:
    """None when every run is in the mask (the fast path)."""
    return None if mask.all() else mask


def _backward(total: Tensor, ones: Tensor, inputs: list[Tensor] | None) -> None:
    """``torch.autograd.backward(total, ones, inputs=inputs)`` without its Python checks
    (a tenth of a step at these sizes): the engine call it makes."""
    Variable._execution_engine.run_backward(
        (total,),
        (ones,),
        False,
        False,
        tuple(inputs or ()),
        allow_unreachable=True,
        accumulate_grad=True,
    )


def _check_one(t: Trainer) -> Diverged | None:
    try:
        t.check()
    except Diverged as exc:
        return exc
    return None


def _ema_params(t: Trainer) -> list[Tensor]:
    return list(t.g_ema.parameters()) if t.g_ema is not None else []


def _fused_adam_ok(opt) -> bool:
    """Whether the cohort may call the fused Adam kernel itself for this optimiser."""
    if not (isinstance(opt, torch.optim.Adam) and hasattr(torch, "_fused_adam_")):
        return False
    if len(opt.param_groups) != 1 or opt._optimizer_step_pre_hooks:
        return False
    if opt._optimizer_step_post_hooks:
        return False
    g = opt.param_groups[0]
    return bool(g["fused"]) and not (
        g["amsgrad"]
        or g["maximize"]
        or g["capturable"]
        or g["differentiable"]
        or g.get("decoupled_weight_decay", False)
    )


def train_together(
    runs: list[Trainer], steps: int, chunk: int = 100, tick: Callable[[int], None] | None = None
) -> tuple[dict[Trainer, Diverged], float]:
    """Train every run to ``steps`` steps, headless: runs of one shape stacked in cohorts
    of up to MAX_STACK, the cohorts in turn, ``chunk`` steps at a time. Returns the runs
    that diverged (they stop; the others go on) and the seconds spent training.
    ``tick(steps_done)`` after each chunk, for a progress bar (the slowest run's step).
    """
    cohorts: list[Cohort] = []
    for t in runs:
        home = next((c for c in cohorts if c.fits(t.cfg)), None)
        if home is None:
            home = Cohort()
            cohorts.append(home)
        home.add(t)
    diverged: dict[Trainer, Diverged] = {}
    seconds = 0.0
    while True:
        left = [t for t in runs if t not in diverged and t.step_count < steps]
        if not left:
            break
        t0 = time.perf_counter()
        for cohort in cohorts:
            for _ in range(chunk):
                plan = {t: "both" for t in cohort.members if t.step_count < steps}
                plan = {t: m for t, m in plan.items() if t not in diverged}
                if not plan:
                    break
                for t, exc in cohort.train(plan):
                    diverged[t] = exc
        seconds += time.perf_counter() - t0
        if tick:
            tick(min(t.step_count for t in left))
    for cohort in cohorts:  # the last check, as Trainer.run ends with one
        for t, exc in cohort.check():
            diverged.setdefault(t, exc)
    return diverged, seconds
