"""GAN types: how each samples latents and conditions, builds its nets, and scores.

Each class reads next to the lecture's equations:
- ``gan``:    min_G max_D  E log D(x) + E log(1 − D(G(z)))
- ``cgan``:   the same with the one-hot label y concatenated to G's and D's inputs
- ``infogan``: G(z, c) with a categorical code c; a Q head on D's trunk predicts c,
  and λ·CE(Q(G(z, c)), c) is added to both D's and G's losses.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gan_core.config import RunConfig
from gan_core.losses import LOSS_REGISTRY, gradient_penalty
from gan_core.nets import Discriminator, mlp

Tensor = torch.Tensor


@dataclass
class Latent:
    """What G is fed, and the condition D sees for the fake points (or None)."""

    g_in: Tensor
    cond: Tensor | None = None
    code: Tensor | None = None  # InfoGAN: categorical code index
    cont: Tensor | None = None  # InfoGAN: continuous codes


class GAN:
    """Unconditional GAN: G(z), D(x)."""

    name = "gan"
    title = "GAN"

    def __init__(self, cfg: RunConfig):
        self.cfg = cfg
        self.loss = LOSS_REGISTRY[cfg.loss]
        self.n_cond = self.cond_size(cfg)
        self.G = mlp(cfg.z_dim + self.g_extra(cfg), 2, cfg.g_depth, cfg.g_width, cfg.activation)
        self.D = Discriminator(
            2 + self.n_cond, cfg.d_depth, cfg.d_width, cfg.activation, self.q_size(cfg)
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

    def d_in(self, x: Tensor, cond: Tensor | None) -> Tensor:
        return x if cond is None else torch.cat([x, cond], 1)

    # --- losses ------------------------------------------------------------------------
    def d_loss(self, real: Tensor, real_cond: Tensor | None, lat: Latent, fake: Tensor):
        """D's loss on a real batch and a detached fake batch (one forward pass)."""
        n = real.shape[0]
        both = torch.cat([self.d_in(real, real_cond), self.d_in(fake, lat.cond)])
        feats = self.D.features(both)
        logits = self.D.head(feats).squeeze(1)
        loss = self.loss.d(logits[:n], logits[n:])
        if self.loss.penalty:
            loss = loss + self.cfg.gp_weight * gradient_penalty(
                lambda x: self.D(self.d_in(x, real_cond)), real, fake
            )
        return loss, feats[n:]

    def g_loss(self, lat: Latent, fake: Tensor):
        feats = self.D.features(self.d_in(fake, lat.cond))
        return self.loss.g(self.D.head(feats).squeeze(1)), feats

    def info_loss(self, lat: Latent, fake_feats: Tensor) -> Tensor | None:
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

    def info_loss(self, lat, fake_feats):
        """Cross-entropy of Q's code prediction (+ Gaussian NLL for continuous codes)."""
        q = self.D.q(fake_feats)
        k = self.cfg.n_codes
        loss = F.cross_entropy(q[:, :k], lat.code)
        if lat.cont is not None:
            loss = loss + F.mse_loss(q[:, k:], lat.cont)
        return loss


GAN_REGISTRY: dict[str, type[GAN]] = {cls.name: cls for cls in (GAN, CGAN, InfoGAN)}
