"""Trainer: one run's nets, optimisers and data, and the step that trains them.

The hot loop avoids host syncs (no ``.item()``): losses stay tensors and are read, and
checked for divergence, only every ``check_every`` steps or when a view asks. At the
lecture's sizes a step costs what PyTorch's Python layers cost, not arithmetic, so the
step calls the layers as functions (``GAN.generate``/``features``/``head``) and Adam's
fused kernel directly (``_update``); ``bench/throughput.py`` measures what that buys.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from gan_core import targets as T
from gan_core.config import RunConfig
from gan_core.gans import GAN, GAN_REGISTRY

LOSS_NAMES = ("loss_d", "loss_g", "loss_info")


class Diverged(RuntimeError):
    """Training produced a non-finite loss or weight; the message says what to try."""

    def __init__(self, step: int, what: str):
        super().__init__(
            f"training diverged at step {step}: {what} is not finite. "
            "Lower the learning rates, or try another loss (nonsaturating, or wgan-gp)."
        )
        self.step = step


def make_dataset(cfg: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """The run's fixed training set, drawn from the target with the run's seed."""
    if cfg.target == "custom":
        return cfg.custom
    rng = np.random.default_rng(cfg.seed)
    return T.TARGETS[cfg.target].sample(cfg.n_points, rng, **cfg.params)


class Trainer:
    def __init__(self, cfg: RunConfig, check_every: int = 100):
        self.cfg = cfg
        self.check_every = check_every
        self.step_count = 0
        self.gen = torch.Generator().manual_seed(cfg.seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            self.model: GAN = GAN_REGISTRY[cfg.gan](cfg)
        x, y = make_dataset(cfg)
        self.data_x = torch.as_tensor(x, dtype=torch.float32)
        self.data_y = torch.as_tensor(y, dtype=torch.long)
        self.n_classes = cfg.n_classes
        self.g_params = list(self.model.G.parameters())
        self.d_params = list(self.model.D.parameters())
        self.opt_g = self._optimizer(self.g_params, cfg.lr_g)
        self.opt_d = self._optimizer(self.d_params, cfg.lr_d)
        self._one = torch.ones(())
        self._fast_adam = all(map(self._fast_adam_ok, (self.opt_g, self.opt_d)))
        # ``ema``: a moving average of G's weights, which ``sample`` draws from
        self.g_ema = None
        self._g_updates = 0
        if cfg.ema > 0:
            self.g_ema = copy.deepcopy(self.model.G).requires_grad_(False)
            self._ema_params = list(self.g_ema.parameters())
        self.d_steps = cfg.effective_d_steps
        zero = torch.zeros(())
        self._last = {name: zero for name in LOSS_NAMES}

    def _optimizer(self, params, lr):
        cfg = self.cfg
        if cfg.optimizer == "sgd":
            return torch.optim.SGD(params, lr=lr, momentum=cfg.beta1)
        # fused: one kernel for all parameters instead of a Python loop over them
        return torch.optim.Adam(params, lr=lr, betas=(cfg.beta1, cfg.beta2), fused=True)

    @staticmethod
    def _fast_adam_ok(opt) -> bool:
        """Whether ``_update`` may call the fused Adam kernel itself for this optimiser."""
        if not (isinstance(opt, torch.optim.Adam) and hasattr(torch, "_fused_adam_")):
            return False
        if not hasattr(opt, "_optimizer_step_pre_hooks"):
            return False
        if len(opt.param_groups) != 1:
            return False
        g = opt.param_groups[0]
        return bool(g["fused"]) and not (
            g["amsgrad"]
            or g["maximize"]
            or g["capturable"]
            or g["differentiable"]
            or g.get("decoupled_weight_decay", False)
        )

    def _update(self, opt, params) -> None:
        """``opt.step()``. For Adam, once its state exists, the very calls its fused path
        makes (step += 1, then one ``_fused_adam_`` kernel over all the tensors) without
        the Python around them, which costs several times the kernel at these sizes.
        The state stays the optimiser's own: ``set_lr``, ``state_dict`` work as before,
        and the numbers are bit for bit those of ``opt.step()``. Hooks registered on the
        optimiser make it take ``opt.step()``; global optimiser hooks are not run.
        """
        if (
            self._fast_adam
            and len(opt.param_groups) == 1
            and not (opt._optimizer_step_pre_hooks or opt._optimizer_step_post_hooks)
        ):
            state = opt.state
            states = [state.get(p) for p in params]
            grads = [p.grad for p in params]
            # (not ``None in grads``: that compares tensors with ==, ~50 µs)
            if all(states) and all(g is not None for g in grads):
                group = opt.param_groups[0]
                beta1, beta2 = group["betas"]
                steps = [s["step"] for s in states]
                with torch.no_grad():
                    for step in steps:  # (faster than _foreach_add_ on the CPU)
                        step.add_(self._one)
                    torch._fused_adam_(
                        params,
                        grads,
                        [s["exp_avg"] for s in states],
                        [s["exp_avg_sq"] for s in states],
                        [],
                        steps,
                        amsgrad=False,
                        lr=group["lr"],
                        beta1=beta1,
                        beta2=beta2,
                        weight_decay=group["weight_decay"],
                        eps=group["eps"],
                        maximize=False,
                        grad_scale=None,
                        found_inf=None,
                    )
                return
        opt.step()

    # --- live changes that keep the optimisers' state ---------------------------------
    def set_lr(self, lr_g: float | None = None, lr_d: float | None = None) -> None:
        for opt, lr in ((self.opt_g, lr_g), (self.opt_d, lr_d)):
            if lr is not None:
                for group in opt.param_groups:
                    group["lr"] = float(lr)

    def set_d_steps(self, d_steps: int) -> None:
        self.d_steps = int(d_steps) or self.cfg.effective_d_steps

    # --- training ----------------------------------------------------------------------
    def _cond(self, labels):
        return self.model.latent(len(labels), self.gen, labels) if self.model.n_cond else None

    def _with_info(self, loss, info):
        """loss + λ·info (λ = 1, the default, without the multiplication: same numbers)."""
        if info is None:
            return loss
        w = self.cfg.info_weight
        return loss + info if w == 1.0 else loss + w * info

    def d_step(self) -> None:
        m, batch = self.model, self.cfg.batch
        idx = torch.randint(self.data_x.shape[0], (batch,), generator=self.gen)
        real = self.data_x.index_select(0, idx)
        labels = self.data_y.index_select(0, idx) if m.n_cond else None
        lat = m.latent(batch, self.gen, labels)
        with torch.no_grad():
            fake = m.generate(lat.g_in)
        loss, fake_feats = m.d_loss(real, lat.cond, lat, fake, self.gen)
        info = m.info_loss(lat, fake_feats)
        total = self._with_info(loss, info)
        for p in self.d_params:  # zero_grad(set_to_none=True), without its overhead
            p.grad = None
        total.backward()
        self._update(self.opt_d, self.d_params)
        self._last["loss_d"] = loss.detach()
        if info is not None:
            self._last["loss_info"] = info.detach()

    def g_step(self) -> None:
        m, batch = self.model, self.cfg.batch
        # drawn for every GAN type, so that the random stream does not depend on it
        idx = torch.randint(self.data_y.shape[0], (batch,), generator=self.gen)
        labels = self.data_y.index_select(0, idx) if m.n_cond else None
        lat = m.latent(batch, self.gen, labels)
        fake = m.generate(lat.g_in)
        loss, feats = m.g_loss(lat, fake)
        info = m.info_loss(lat, feats)
        total = self._with_info(loss, info)
        for p in self.g_params:
            p.grad = None
        # only G's gradients: D's are not needed in G's step
        total.backward(inputs=self.g_params)
        self._update(self.opt_g, self.g_params)
        self._last["loss_g"] = loss.detach()
        if self.g_ema is not None:
            self._ema_update()

    def _ema_update(self) -> None:
        """EMA ← EMA + (1 − decay)·(G − EMA), one fused op. The decay is (1 + t)/(10 + t)
        at G's t-th update until it reaches ``ema``: the average soon forgets G's start."""
        self._g_updates += 1
        t = self._g_updates
        decay = min(self.cfg.ema, (1 + t) / (10 + t))
        with torch.no_grad():
            torch._foreach_lerp_(self._ema_params, self.g_params, 1.0 - decay)

    def step(self, mode: str = "both") -> None:
        """One training step: the configured D steps and one G step (or just one side)."""
        if mode in ("both", "d"):
            for _ in range(self.d_steps if mode == "both" else 1):
                self.d_step()
        if mode in ("both", "g"):
            self.g_step()
        self.step_count += 1
        if self.step_count % self.check_every == 0:
            self.check()

    def run(self, steps: int) -> None:
        for _ in range(steps):
            self.step()
        self.check()

    def check(self) -> None:
        """Raise Diverged if a loss or a weight is not finite (one host sync)."""
        losses = torch.stack(list(self._last.values()))
        if not bool(torch.isfinite(losses).all()):
            bad = [k for k, v in self._last.items() if not torch.isfinite(v)]
            raise Diverged(self.step_count, bad[0])
        for name, params in (("G's weights", self.g_params), ("D's weights", self.d_params)):
            if not bool(torch.isfinite(torch.stack([p.sum() for p in params])).all()):
                raise Diverged(self.step_count, name)

    def losses(self) -> dict[str, float]:
        """The latest losses as floats (a host sync; call it at view time)."""
        names = LOSS_NAMES if self.cfg.gan == "infogan" else LOSS_NAMES[:2]
        return {k: float(self._last[k]) for k in names}

    # --- sampling for views and metrics ------------------------------------------------
    @property
    def g_eval(self) -> torch.nn.Module:
        """The G that samples, views and metrics use: the EMA copy when ``ema`` is on."""
        return self.g_ema if self.g_ema is not None else self.model.G

    @torch.no_grad()
    def sample(self, n: int, gen: torch.Generator | None = None, labels=None, cont=None):
        """n generated points and their class or code (or zeros for a plain GAN).

        ``labels``: the class (cGAN) or code (InfoGAN) of each point; ``cont``: a value
        for InfoGAN's first continuous code (the others keep their draws).
        """
        gen = gen or self.gen
        m = self.model
        lab = None
        if labels is not None:
            lab = torch.as_tensor(labels, dtype=torch.long)
        elif m.n_cond:
            lab = self.data_y[torch.randint(len(self.data_y), (n,), generator=gen)]
        lat = m.latent(n, gen, lab)
        g_in = lat.g_in
        if cont is not None and lat.cont is not None:
            lat.cont[:, 0] = float(cont)
            g_in = m.g_input(g_in[:, : self.cfg.z_dim], lat.code, lat.cont)
        pts = self.g_eval(g_in).numpy()
        code = lat.code.numpy() if lat.code is not None else np.zeros(n, dtype=np.int64)
        return pts, code
