"""The Guide's live plots (the G-loss curves with a run's D(G(z)) on them, the optimal D
between two densities moved with sliders) and its links to the mitigations' demos."""

from __future__ import annotations

import streamlit as st

from gan_core.engine.config import RunConfig
from gan_core.figures import lecture_figures
from gan_core.presets import PRESETS
from ui import live, query, session, transport

KEY = "guide_"
DEMO = RunConfig(
    target="moons", loss="minimax", d_depth=3, d_width=256, d_steps=3, lr_d=5e-3, lr_g=1e-5
)
"""The G-loss demo: the saturating loss against a strong D and a slow G, so that D(G(z))
stays near 0 (about 0.1–0.2), where the minimax curve is flat and G barely moves."""
DEMO_STEPS = 3000
DEMO_SPEED = 150.0
"""Steps per second: the demo's 3,000 steps take 20 s, long enough to watch the diamond."""


def _start_demo() -> None:
    session.start("guide", DEMO, max_steps=DEMO_STEPS, fps=2.0, picture=False, speed=DEMO_SPEED)


def _marked():
    """(mean D(G(z)), whose) of the run to mark: the guide's demo, else this browser's
    Playground run; (None, '') when neither has a figure yet."""
    for name, whose in (("guide", "the demo run"), ("playground", "your Playground run")):
        handle = session.job(name)
        snap = handle.latest() if handle is not None else None
        if snap is not None and snap.d_fake is not None:
            return snap.d_fake, f"{whose}, step {snap.step:,}"
    return None, ""


def _training() -> bool:
    runs = [session.job("guide"), session.job("playground")]
    return transport.busy([h for h in runs if h is not None])


def g_loss() -> None:
    """The slide's 'Loss function for G', a run's mean D(G(z)) marked as it trains."""
    c1, c2 = st.columns([1, 3], vertical_alignment="center")
    c1.button(
        "Train a minimax GAN here",
        key=f"{KEY}train",
        on_click=_start_demo,
        help="The double moon with the saturating G loss: watch where its D(G(z)) sits",
    )
    c2.caption(
        "The diamond marks a run's mean D(G(z)): this demo's (a strong D, a slow G), or "
        "your Playground run's. While D wins it sits near 0, where the minimax curve is "
        "flat (no gradient for G) and the non-saturating one steep."
    )

    def body() -> None:
        d_fake, whose = _marked()
        live.chart(lecture_figures.g_loss_figure(d_fake, whose), f"{KEY}gloss")

    live.while_busy(body, _training)


def optimal_d() -> None:
    """Two Gaussians on a line, moved with sliders, and D* between them."""
    c1, c2, c3 = st.columns(3)
    data_mean = c1.slider("p_data's mean", -3.0, 3.0, -1.0, 0.1, key=f"{KEY}data_mean")
    g_mean = c2.slider("p_g's mean (the generator)", -3.0, 3.0, 1.5, 0.1, key=f"{KEY}g_mean")
    g_std = c3.slider("p_g's spread", 0.3, 3.0, 1.0, 0.1, key=f"{KEY}g_std")
    live.chart(lecture_figures.optimal_d_figure(data_mean, g_mean, 1.0, g_std), f"{KEY}optimal_d")


MITIGATIONS = {
    "pack": ("PacGAN: D judges 4 samples at once", {"pack": 4}),
    "mbstd": ("Minibatch std: D sees the batch's spread", {"mbstd": "on"}),
    "spectral_norm": ("Spectral normalisation of D", {"spectral_norm": "on"}),
    "unroll": ("Unrolled GAN: G looks 5 D steps ahead", {"unroll": 5}),
    "selfcond": ("Self-conditioned GAN: labels from D's own clusters", {"gan": "selfcond"}),
}
"""Setting → (link label, the change to the collapse demo's plain GAN)."""


def mitigation_demo(setting: str) -> dict[str, str]:
    """The Playground link's query: the collapse demo's plain GAN (the ring, 5 D steps per
    G step) with the one setting changed, so it stands beside the collapse demo."""
    base = PRESETS["collapse-ring"].runs["gan"]
    return query.link_params(base.replace(**MITIGATIONS[setting][1]))


def mitigation_link(setting: str) -> None:
    label, _ = MITIGATIONS[setting]
    st.page_link(
        "app_pages/playground.py",
        label=f"{label} (Playground)",
        query_params=mitigation_demo(setting),
        icon=":material/play_circle:",
    )


DCGAN_RULES = {
    "": ("DCGAN on the digits, every rule kept", {}),
    "strided": ("Break a rule: pooling and upsampling instead of strides", {"strided": "off"}),
    "batchnorm": ("Break a rule: no batchnorm", {"batchnorm": "off"}),
    "fc_hidden": ("Break a rule: a fully connected hidden layer", {"fc_hidden": "on"}),
    "tanh_out": ("Break a rule: no Tanh at G's output", {"tanh_out": "off"}),
    "leaky_d": ("Break a rule: ReLU in D", {"leaky_d": "off"}),
}
"""Rule → (link label, the change to the DCGAN preset's run)."""


def rule_link(rule: str) -> None:
    """A Playground link: the ``dcgan-rules`` preset's DCGAN with one rule broken."""
    label, change = DCGAN_RULES[rule]
    base = PRESETS["dcgan-rules"].runs["dcgan"]
    st.page_link(
        "app_pages/playground.py",
        label=f"{label} (Playground)",
        query_params=query.link_params(base.replace(**change)),
        icon=":material/play_circle:",
    )
