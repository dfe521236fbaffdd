"""Lecture presets: one click sets up a demo whose caption claim is measured.

Each preset is one registry entry: a title, a caption that says what to watch for, a
training budget, and its runs (run type → RunConfig; run types are ``gan``, ``cgan``,
``infogan``, or for ``g-loss`` the loss name). The Playground shows a preset's first run;
the Compare page shows them all side by side. ``python -m gan_core preset NAME`` checks
the claim over many seeds headless.

STATUS: settings below are placeholders until tuned (issue: mode collapse, shown
reliably). The API (Preset, PRESETS, add_parser) is what the pages use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gan_core.config import RunConfig


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    caption: str
    steps: int
    runs: dict[str, RunConfig] = field(default_factory=dict)

    def with_seed(self, seed: int) -> dict[str, RunConfig]:
        return {k: c.replace(seed=seed) for k, c in self.runs.items()}


PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    PRESETS[preset.name] = preset
    return preset


_RING = RunConfig(target="ring")
register(
    Preset(
        "collapse-ring",
        "Mode collapse on the ring",
        "A plain GAN on 8 Gaussians piles its samples onto a few modes (or hops between "
        "them): watch the coloured points and the 'effective modes' figure.",
        5000,
        {g: _RING.replace(gan=g) for g in ("gan", "cgan", "infogan")},
    )
)
register(
    Preset(
        "cgan-ring",
        "cGAN covers every mode",
        "Given the mode's label, the conditional GAN puts samples on all 8 Gaussians.",
        5000,
        {"cgan": _RING.replace(gan="cgan")},
    )
)
register(
    Preset(
        "infogan-ring",
        "InfoGAN finds the modes without labels",
        "InfoGAN's code-prediction term makes each code value its own mode, with no labels.",
        5000,
        {"infogan": _RING.replace(gan="infogan")},
    )
)
register(
    Preset(
        "moons",
        "The lecture's double moon",
        "The slide's settings (z 32, hidden 128, batch 50, Adam 1e-3): GAN and InfoGAN.",
        15000,
        {g: RunConfig(target="moons", gan=g) for g in ("gan", "infogan")},
    )
)
register(
    Preset(
        "g-loss",
        "Saturating vs non-saturating G loss",
        "The slide's two generator losses side by side.",
        5000,
        {loss: _RING.replace(loss=loss) for loss in ("minimax", "nonsaturating")},
    )
)
register(
    Preset(
        "grid",
        "The 25-mode grid",
        "The harder benchmark: GAN vs InfoGAN on a 5×5 grid.",
        10000,
        {g: RunConfig(target="grid", gan=g) for g in ("gan", "infogan")},
    )
)


def add_parser(sub) -> None:
    """`preset` subcommand (filled in with the mode-collapse issue)."""
