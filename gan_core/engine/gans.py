"""GAN types: how each samples latents and conditions, builds its nets, and scores.

Each class reads next to the lecture's equations:
- ``gan``:    min_G max_D  E log D(x) + E log(1 − D(G(z)))
- ``cgan``:   the same with the one-hot label y concatenated to G's and D's inputs
- ``selfcond``: a cGAN whose labels are clusters of D's features of the real data
- ``infogan``: G(z, c) with a categorical code c; a Q head on D's trunk predicts c,
  and λ·CE(Q(G(z, c)), c) is added to both D's and G's losses.

The losses are computed for a stack of runs at once (cohort.py): every tensor has a
leading run dimension, ``[N, batch, …]``, and every loss is one value per run, ``[N]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gan_core.engine.config import RunConfig
from gan_core.engine.conv import ConvD, ConvG
from gan_core.engine.losses import LOSS_REGISTRY, gradient_penalty
from gan_core.engine.nets import Discriminator, mlp
from gan_core.engine.targets import TARGETS

Tensor = torch.Tensor


@dataclass
class Latent:
    """What G is fed, and the condition D sees for the fake points (or None)."""

    g_in: Tensor
    cond: Tensor | None = None
    code: Tensor | None = None  # InfoGAN: categorical code index (cGAN: the class)
    cont: Tensor | None = None  # InfoGAN: continuous codes


@dataclass
class Nets:
    """A stack of runs' nets as functions of ``[N, batch, features]`` tensors."""

    g: Callable[[Tensor], Tensor]
    d: Callable[..., Tensor]
    """``d(x, groups=1)``: D's trunk and heads; column 0 is D's output (a logit), columns
    1… are Q's (and, for a GAN, one unused column: nets.py). ``groups``: the equal parts
    of the rows that are batches of their own (the minibatch std feature's)."""


class GAN:
    """Unconditional GAN: G(z), D(x)."""

    name = "gan"
    title = "GAN"

    def __init__(self, cfg: RunConfig):
        self.cfg = cfg
        self.loss = LOSS_REGISTRY[cfg.loss]
        self.n_cond = self.cond_size(cfg)
        target = TARGETS[cfg.target]
        self.pack = cfg.pack
        if cfg.arch == "dcgan":
            self.G = ConvG(cfg.z_dim + self.g_extra(cfg), cfg.g_channels, cfg)
            self.D = ConvD(
                self.n_cond,
                cfg.d_channels,
                cfg,
                self.q_size(cfg),
                pack=cfg.pack,
                mbstd=cfg.mbstd == "on",
                spectral_norm=cfg.spectral_norm == "on",
            )
            self.G.eval(), self.D.eval()  # (training mode only inside a step: solo.py)
            return
        self.G = mlp(
            cfg.z_dim + self.g_extra(cfg),
            target.dim,
            cfg.g_depth,
            cfg.g_width,
            cfg.activation,
            out=target.g_out,
        )
        self.D = Discriminator(
            target.dim + self.n_cond,
            cfg.d_depth,
            cfg.d_width,
            cfg.activation,
            self.q_size(cfg),
            pack=cfg.pack,
            mbstd=cfg.mbstd == "on",
            spectral_norm=cfg.spectral_norm == "on",
        )

    # --- sizes (overridden) ------------------------------------------------------------
    @staticmethod
    def cond_size(cfg: RunConfig) -> int:
        return 0

    @classmethod
    def g_extra(cls, cfg: RunConfig) -> int:
        return cls.cond_size(cfg)

    @staticmethod
    def q_size(cfg: RunConfig) -> int:
        return 0

    # --- sampling ----------------------------------------------------------------------
    def noise(self, n: int, gen: torch.Generator) -> Tensor:
        if self.cfg.z_dist == "uniform":
            return torch.rand(n, self.cfg.z_dim, generator=gen) * 2 - 1
        return torch.randn(n, self.cfg.z_dim, generator=gen)

    def latent(self, n: int, gen: torch.Generator, labels: Tensor | None = None) -> Latent:
        """Latents for n fake points; ``labels`` are the classes to draw (cGAN)."""
        return Latent(self.noise(n, gen))

    def g_input(self, noise: Tensor, code: Tensor | None = None, cont: Tensor | None = None):
        """G's input from its parts (the layout ``latent`` uses); for probes, not the step."""
        return noise

    def d_in(self, x: Tensor, cond: Tensor | None) -> Tensor:
        return x if cond is None else torch.cat([x, cond], -1)

    # --- PacGAN's packing (``pack`` m) -------------------------------------------------
    def packed(self, x: Tensor) -> Tensor:
        """D's inputs ``[N, B, in]`` as m consecutive samples side by side, ``[N, B/m, m·in]``."""
        if self.pack == 1:
            return x
        return x.reshape(*x.shape[:-2], x.shape[-2] // self.pack, self.pack * x.shape[-1])

    def used(self, b: dict[str, Tensor], fake: Tensor) -> tuple[dict[str, Tensor], Tensor]:
        """The step's draws and fake points cut to the batch rounded down to a multiple of m
        (the rest of the draws go unused)."""
        n = fake.shape[1] // self.pack * self.pack
        if n == fake.shape[1]:
            return b, fake
        return {k: v[:, :n] for k, v in b.items()}, fake[:, :n]

    def per_sample(self, q: Tensor) -> Tensor:
        """Q's outputs ``[N, B/m, m·q]`` on packed inputs as each sample's, ``[N, B, q]``."""
        if self.pack == 1 or self.D.q is None:
            return q
        return q.reshape(q.shape[0], -1, q.shape[-1] // self.pack)

    def draw(
        self, n: int, gen: torch.Generator, data: tuple[Tensor, Tensor], real: bool
    ) -> dict[str, Tensor]:
        """The randomness of n samples of a training step, from the run's generator:
        G's latents, and with ``real`` a batch of real points (and the GP's mixing)."""
        data_x, data_y = data
        idx = None
        if real or self.n_cond:
            idx = torch.randint(data_x.shape[0], (n,), generator=gen)
        labels = data_y.index_select(0, idx) if self.n_cond else None
        lat = self.latent(n, gen, labels)
        out = {"g_in": lat.g_in}
        if lat.cond is not None:
            out["cond"] = lat.cond
        if self.D.q is not None:
            out["code"] = lat.code
            if lat.cont is not None:
                out["cont"] = lat.cont
        if real:  # as D sees it: the point and, for a cGAN, its label
            out["real_in"] = self.d_in(data_x.index_select(0, idx), lat.cond)
            if self.loss.penalty:
                out["alpha"] = torch.rand(n, 1, generator=gen)
        return out

    # --- losses, for a stack of runs ---------------------------------------------------
    def d_loss(self, nets: Nets, b: dict[str, Tensor], fake: Tensor, gp_weight: Tensor):
        """D's loss per run on a real batch and a detached fake batch (one forward pass),
        and Q's outputs on the fake half (used when there is a Q head)."""
        if self.pack > 1:
            b, fake = self.used(b, fake)
        cond = b.get("cond")
        real_in, fake_in = self.packed(b["real_in"]), self.packed(self.d_in(fake, cond))
        n = fake_in.shape[1]
        out = nets.d(torch.cat([real_in, fake_in], 1), 2)
        logits = out[..., 0]  # (N, 2n): real then fake
        if self.loss.d_joint is not None:
            loss = self.loss.d_joint(logits, n)
        else:
            loss = self.loss.d(logits[:, :n], logits[:, n:])
        if self.loss.penalty:
            critic = lambda x: nets.d(self.packed(self.d_in(x, cond)))[..., 0]  # noqa: E731
            real = b["real_in"][..., : fake.shape[-1]]
            alpha = b["alpha"]
            if self.pack > 1:  # one α per pack: x̂ on the line between packed real and fake
                alpha = alpha.unflatten(1, (-1, self.pack))[:, :, :1].expand(-1, -1, self.pack, -1)
                alpha = alpha.flatten(1, 2)
            gp = gradient_penalty(critic, real, fake, alpha, self.pack)
            loss = loss + gp_weight * gp
        return loss, self.per_sample(out[:, n:, 1:])

    def g_loss(self, nets: Nets, b: dict[str, Tensor], fake: Tensor):
        if self.pack > 1:
            b, fake = self.used(b, fake)
        out = nets.d(self.packed(self.d_in(fake, b.get("cond"))))
        return self.loss.g(out[..., 0]), self.per_sample(out[..., 1:])

    def info_loss(self, q: Tensor, b: dict[str, Tensor]) -> Tensor | None:
        return None


class CGAN(GAN):
    """Conditional GAN: the one-hot label is concatenated to G's and D's inputs."""

    name = "cgan"
    title = "Conditional GAN"

    @staticmethod
    def cond_size(cfg: RunConfig) -> int:
        return cfg.n_classes

    def latent(self, n, gen, labels=None):
        if labels is None:
            labels = torch.randint(self.n_cond, (n,), generator=gen)
        onehot = F.one_hot(labels, self.n_cond).float()
        return Latent(torch.cat([self.noise(n, gen), onehot], 1), cond=onehot, code=labels)

    def g_input(self, noise, code=None, cont=None):
        return torch.cat([noise, F.one_hot(code, self.n_cond).float()], 1)


class InfoGAN(GAN):
    """InfoGAN: categorical code (and optional continuous codes) predicted by a Q head."""

    name = "infogan"
    title = "InfoGAN"

    @classmethod
    def g_extra(cls, cfg):
        return cfg.n_codes + cfg.cont_codes

    @staticmethod
    def q_size(cfg):
        return cfg.n_codes + cfg.cont_codes

    def latent(self, n, gen, labels=None):
        k = self.cfg.n_codes
        code = labels if labels is not None else torch.randint(k, (n,), generator=gen)
        parts = [self.noise(n, gen), F.one_hot(code, k).float()]
        cont = None
        if self.cfg.cont_codes:
            cont = torch.rand(n, self.cfg.cont_codes, generator=gen) * 2 - 1
            parts.append(cont)
        return Latent(torch.cat(parts, 1), code=code, cont=cont)

    def g_input(self, noise, code=None, cont=None):
        parts = [noise, F.one_hot(code, self.cfg.n_codes).float()]
        if self.cfg.cont_codes:
            parts.append(cont)
        return torch.cat(parts, 1)

    def info_loss(self, q, b):
        """Cross-entropy of Q's code prediction (+ squared error for continuous codes),
        the mean over each run's batch."""
        k = self.cfg.n_codes
        code = b["code"][:, : q.shape[1]]  # (pack: the batch rounded down to m's multiple)
        ce = F.cross_entropy(q[..., :k].flatten(0, -2), code.flatten(), reduction="none")
        loss = ce.view(code.shape).mean(-1)
        if "cont" in b:
            loss = loss + (q[..., k:] - b["cont"][:, : q.shape[1]]).square().flatten(-2).mean(-1)
        return loss


class SelfCond(CGAN):
    """Self-conditioned GAN (Liu et al. 2020): a cGAN whose labels are k clusters (k =
    ``codes``, 0: the target's classes) of D's features of the real data, made anew every
    few hundred steps (selfcond.py); no labels are given."""

    name = "selfcond"
    title = "Self-conditioned GAN"

    @staticmethod
    def cond_size(cfg: RunConfig) -> int:
        return cfg.n_codes


GAN_REGISTRY: dict[str, type[GAN]] = {cls.name: cls for cls in (GAN, CGAN, InfoGAN, SelfCond)}
