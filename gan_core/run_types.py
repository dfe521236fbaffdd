"""Run types: what differs between the runs of a preset or of the Compare page.

A run type is a GAN type (``gan``, ``cgan``, ``infogan``, ``selfcond``), a loss
(``minimax``, ``nonsaturating``, …), a setting against mode collapse (``pack2``,
``mbstd``, ``sn``, ``unroll5``) or the networks (``mlp``, ``dcgan``, ``dcgan-nobn``, for
the digits). Each names one change to a base config and a title for the pages.
"""

from __future__ import annotations

from gan_core.engine.config import GAN_TYPES, LOSSES, RunConfig
from gan_core.engine.gans import GAN_REGISTRY

MITIGATIONS: dict[str, tuple[str, dict]] = {
    "pack2": ("PacGAN (pack 2)", {"pack": 2}),
    "mbstd": ("Minibatch std in D", {"mbstd": "on"}),
    "sn": ("Spectral norm in D", {"spectral_norm": "on"}),
    "unroll5": ("Unrolled GAN (k 5)", {"unroll": 5}),
}
"""Run type → (title, the settings it changes; docs: gan_core/engine/specs.py)."""

NETS: dict[str, tuple[str, dict]] = {
    "mlp": ("Fully connected nets", {"arch": "mlp"}),
    "dcgan": ("DCGAN", {"arch": "dcgan"}),
    "dcgan-nobn": ("DCGAN without batchnorm", {"arch": "dcgan", "batchnorm": "off"}),
}
"""Run type → (title, the settings it changes): the networks, for image targets."""

CHANGES = {**MITIGATIONS, **NETS}
RUN_TYPES = (*GAN_TYPES, *LOSSES, *CHANGES)


def title(run_type: str) -> str:
    if run_type in GAN_REGISTRY:
        return GAN_REGISTRY[run_type].title
    if run_type in CHANGES:
        return CHANGES[run_type][0]
    return f"{run_type} loss"


def changes(run_type: str) -> dict:
    """The settings the run type sets: its GAN type, its loss, its mitigation or nets."""
    if run_type in GAN_TYPES:
        return {"gan": run_type}
    if run_type in CHANGES:
        return dict(CHANGES[run_type][1])
    return {"loss": run_type}


def config(base: RunConfig, run_type: str) -> RunConfig:
    """``base`` with the run type's change (a ConfigError for an unknown loss)."""
    return base.replace(**changes(run_type))
