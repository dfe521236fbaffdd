"""GAN types: how each samples latents and conditions, builds its nets, and scores.

Each class reads next to the lecture's equations:
- ``gan``:    min_G max_D  E log D(x) + E log(1 − D(G(z)))
- ``cgan``:   the same with the one-hot label y concatenated to G's and D's inputs
- ``infogan``: G(z, c) with a categorical code c; a Q head on D's trunk predicts c,
  and λ·CE(Q(G(z, c)), c) is added to both D's and G's losses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from gan_core.config import RunConfig
from gan_core.losses import LOSS_REGISTRY, gradient_penalty
from gan_core.nets import Discriminator, mlp

Tensor = torch.Tensor


def _layers(module: nn.Module) -> list[Callable[[Tensor], Tensor]]:
    """The module's forward as a list of plain function calls, first to last."""
    if type(module) is nn.Sequential:
        return [f for m in module for f in _layers(m)]
    if type(module) is nn.Linear:
        w, b = module.weight, module.bias
        return [lambda x: F.linear(x, w, b)]
    if type(module) is nn.ReLU and not module.inplace:
        return [torch.relu]
    if type(module) is nn.LeakyReLU and not module.inplace:
        return [partial(F.leaky_relu, negative_slope=module.negative_slope)]
    if type(module) is nn.Tanh:
        return [torch.tanh]
    return [module]  # anything else: the module itself


def chain(*modules: nn.Module) -> Callable[[Tensor], Tensor]:
    """The modules applied one after the other, as direct functional calls.

    The same numbers as calling the modules, without ``Module.__call__``'s overhead on
    every layer (it costs as much as the layer itself at the lecture's sizes). It holds
    the modules' parameter tensors, which the optimisers update in place; module hooks
    are not run.
    """
    fns = tuple(f for m in modules for f in _layers(m))
    if len(fns) == 1:
        return fns[0]

    def forward(x: Tensor) -> Tensor:
        for f in fns:
            x = f(x)
        return x

    return forward


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
        self._chain()

    _CHAINS = ("generate", "features", "head", "q")

    def _chain(self) -> None:
        """The training step's forward passes: G, D's trunk, D's head, (InfoGAN) Q."""
        self.generate = chain(self.G)
        self.features = chain(self.D.trunk, self.D.act)
        self.head = chain(self.D.head)
        self.q = chain(self.D.q) if self.D.q is not None else None

    # copies and pickles rebuild the chains on their own nets' tensors
    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in self._CHAINS}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._chain()

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
        return x if cond is None else torch.cat([x, cond], 1)

    # --- losses ------------------------------------------------------------------------
    def d_loss(
        self,
        real: Tensor,
        real_cond: Tensor | None,
        lat: Latent,
        fake: Tensor,
        gen: torch.Generator | None = None,
    ):
        """D's loss on a real batch and a detached fake batch (one forward pass).

        Also returns D's features of the fake points when there is a Q head (else None).
        """
        n = real.shape[0]
        both = torch.cat([self.d_in(real, real_cond), self.d_in(fake, lat.cond)])
        feats = self.features(both)
        logits = self.head(feats)  # (2n, 1): the losses only take means
        if self.loss.d_joint is not None and fake.shape[0] == n:
            loss = self.loss.d_joint(logits, n)
        else:
            loss = self.loss.d(logits[:n], logits[n:])
        if self.loss.penalty:
            loss = loss + self.cfg.gp_weight * gradient_penalty(
                lambda x: self.D(self.d_in(x, real_cond)), real, fake, gen
            )
        return loss, (feats[n:] if self.q is not None else None)

    def g_loss(self, lat: Latent, fake: Tensor):
        feats = self.features(self.d_in(fake, lat.cond))
        return self.loss.g(self.head(feats)), feats

    def info_loss(self, lat: Latent, fake_feats: Tensor | None) -> Tensor | None:
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

    def info_loss(self, lat, fake_feats):
        """Cross-entropy of Q's code prediction (+ Gaussian NLL for continuous codes)."""
        q = self.q(fake_feats)
        k = self.cfg.n_codes
        loss = F.cross_entropy(q if lat.cont is None else q[:, :k], lat.code)
        if lat.cont is not None:
            loss = loss + F.mse_loss(q[:, k:], lat.cont)
        return loss


GAN_REGISTRY: dict[str, type[GAN]] = {cls.name: cls for cls in (GAN, CGAN, InfoGAN)}
