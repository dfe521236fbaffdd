"""Sidebar widgets that build a RunConfig; every widget maps to one config field."""

from __future__ import annotations

import streamlit as st

from gan_core.engine import targets as T
from gan_core.engine.config import (
    ACTIVATIONS,
    GAN_TYPES,
    LOSSES,
    NOISES,
    OPTIMIZERS,
    SPECS,
    ConfigError,
    RunConfig,
)
from gan_core.engine.gans import GAN_REGISTRY
from gan_core.engine.losses import LOSS_REGISTRY

WIDTHS = [8, 16, 32, 64, 96, 128, 192, 256, 384, 512]
BATCHES = [8, 16, 32, 50, 64, 100, 128, 256, 512, 1024]
LRS = [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1]
LIVE_FIELDS = ("lr_g", "lr_d", "d_steps")
"""Fields a running job takes at once; any other change needs Reset."""


def _options(values: list, *current) -> list:
    """The usual choices plus any value already in use (from a link or a preset)."""
    return sorted({*values, *current})


def _help(name: str) -> str:
    return SPECS[name].help


def _current(state_key: str, default):
    """The widget's value: what the session holds (a preset may have set it), else default."""
    return st.session_state.get(state_key, default)


def _choice(where, label: str, values: list, d: RunConfig, k: str, name: str, **kw):
    """A select slider over ``values`` for the field ``name`` (widget key ``{k}{name}``)."""
    default = getattr(d, name)
    options = _options(values, _current(k + name, default), default)
    return where.select_slider(label, options, default, key=k + name, **kw)


def target_widgets(d: RunConfig, k: str) -> tuple[str, dict]:
    """Target and its parameters; widget keys ``{k}target`` and ``{k}tp_{target}_{param}``."""
    names = [n for n in T.TARGETS if n != "custom"]
    target = st.selectbox(
        "Target",
        names,
        index=names.index(d.target) if d.target in names else 0,
        format_func=lambda n: T.TARGETS[n].title,
        key=k + "target",
        help=_help("target"),
    )
    tparams = {}
    given = dict(d.target_params) if d.target == target else {}
    for pname, p in T.TARGETS[target].params.items():
        value = given.get(pname, p.default)
        wkey = f"{k}tp_{target}_{pname}"
        if p.integer:
            tparams[pname] = st.slider(
                pname, int(p.lo), int(p.hi), int(value), key=wkey, help=p.help
            )
        else:
            tparams[pname] = st.number_input(
                pname,
                min_value=float(p.lo),
                max_value=float(p.hi),
                value=float(value),
                step=float(p.hi - p.lo) / 100,
                format="%.3f",
                key=wkey,
                help=p.help,
            )
    return target, tparams


def set_target_widgets(config: RunConfig, k: str) -> None:
    st.session_state[k + "target"] = config.target
    given = dict(config.target_params)
    for pname, p in T.TARGETS[config.target].params.items():
        value = given.get(pname, p.default)
        st.session_state[f"{k}tp_{config.target}_{pname}"] = (
            int(value) if p.integer else float(value)
        )


WIDGET_KEYS = {
    "gan": "gan",
    "loss": "loss",
    "g_depth": "g_depth",
    "d_depth": "d_depth",
    "g_width": "g_width",
    "d_width": "d_width",
    "z_dim": "z_dim",
    "optimizer": "opt",
    "lr_g": "lr_g",
    "lr_d": "lr_d",
    "batch": "batch",
    "d_steps": "d_steps",
    "seed": "seed",
    "activation": "act",
    "z_dist": "z_dist",
    "beta1": "beta1",
    "beta2": "beta2",
    "gp_weight": "gp_weight",
    "info_weight": "info_weight",
    "codes": "codes",
    "cont_codes": "cont",
    "ema": "ema",
    "n_points": "n_points",
}
"""Config field → widget key suffix (after ``{key}cfg_``); the target has its own."""


def set_widgets(config: RunConfig, key: str = "") -> None:
    """Make the controls show ``config``: call before they are drawn (e.g. in a callback)."""
    k = f"{key}cfg_"
    set_target_widgets(config, k)
    for name, suffix in WIDGET_KEYS.items():
        st.session_state[k + suffix] = getattr(config, name)


def config_widgets(defaults: RunConfig | None = None, key: str = "") -> RunConfig | None:
    """Draw the controls (in the current container); return a valid config or None.

    Invalid combinations show an error right there instead of raising.
    """
    d = defaults or RunConfig()
    k = f"{key}cfg_"
    target, tparams = target_widgets(d, k)
    gan = st.selectbox(
        "GAN type",
        GAN_TYPES,
        index=GAN_TYPES.index(d.gan),
        format_func=lambda n: GAN_REGISTRY[n].title,
        key=k + "gan",
    )
    loss = st.selectbox(
        "Loss",
        LOSSES,
        index=LOSSES.index(d.loss),
        format_func=lambda n: LOSS_REGISTRY[n].title,
        key=k + "loss",
    )
    c1, c2 = st.columns(2)
    g_depth = c1.slider("G depth", 1, 4, d.g_depth, key=k + "g_depth", help=_help("g_depth"))
    d_depth = c2.slider("D depth", 1, 4, d.d_depth, key=k + "d_depth", help=_help("d_depth"))
    g_width = _choice(c1, "G width", WIDTHS, d, k, "g_width")
    d_width = _choice(c2, "D width", WIDTHS, d, k, "d_width")
    z_dim = st.slider("z dimension", 1, 128, d.z_dim, key=k + "z_dim", help=_help("z_dim"))
    optimizer = st.radio(
        "Optimiser", OPTIMIZERS, OPTIMIZERS.index(d.optimizer), horizontal=True, key=k + "opt"
    )
    c3, c4 = st.columns(2)
    lr_g = _choice(c3, "G learning rate", LRS, d, k, "lr_g", format_func="{:g}".format)
    lr_d = _choice(c4, "D learning rate", LRS, d, k, "lr_d", format_func="{:g}".format)
    batch = _choice(st, "Batch size", BATCHES, d, k, "batch")
    d_steps = st.slider(
        "D steps per G step",
        0,
        10,
        d.d_steps,
        key=k + "d_steps",
        help="0 = the loss's default (1; 5 for wgan-gp)",
    )
    seed = st.number_input("Seed", 0, 2**31 - 1, d.seed, key=k + "seed")
    with st.expander("More settings"):
        activation = st.selectbox(
            "Activation", ACTIVATIONS, ACTIVATIONS.index(d.activation), key=k + "act"
        )
        z_dist = st.selectbox("z distribution", NOISES, NOISES.index(d.z_dist), key=k + "z_dist")
        b1_hi = max(0.99, d.beta1, _current(k + "beta1", d.beta1))
        b2_lo = min(0.9, d.beta2, _current(k + "beta2", d.beta2))
        beta1 = st.slider("beta1 (SGD: momentum)", 0.0, b1_hi, d.beta1, 0.01, key=k + "beta1")
        beta2 = st.slider("beta2", b2_lo, 0.9999, d.beta2, 0.0001, key=k + "beta2", format="%.4f")
        gp_weight = st.number_input(
            "Gradient penalty weight", 0.0, 100.0, d.gp_weight, key=k + "gp_weight"
        )
        info_weight = st.number_input(
            "InfoGAN weight λ", 0.0, 10.0, d.info_weight, 0.1, key=k + "info_weight"
        )
        codes = st.number_input(
            "InfoGAN codes (0 = target's classes)", 0, 50, d.codes, key=k + "codes"
        )
        cont_codes = st.slider("InfoGAN continuous codes", 0, 4, d.cont_codes, key=k + "cont")
        ema = st.number_input(
            "Average G's weights (EMA decay, 0 = off)",
            0.0,
            0.9999,
            d.ema,
            0.001,
            format="%.4f",
            key=k + "ema",
            help=_help("ema"),
        )
        n_points = st.number_input(
            "Training points", 100, 100_000, d.n_points, 100, key=k + "n_points"
        )
    try:
        return RunConfig(
            target=target,
            gan=gan,
            loss=loss,
            z_dim=z_dim,
            z_dist=z_dist,
            g_depth=g_depth,
            g_width=g_width,
            d_depth=d_depth,
            d_width=d_width,
            activation=activation,
            optimizer=optimizer,
            lr_g=lr_g,
            lr_d=lr_d,
            beta1=beta1,
            beta2=beta2,
            batch=batch,
            d_steps=d_steps,
            gp_weight=gp_weight,
            info_weight=info_weight,
            codes=codes,
            cont_codes=cont_codes,
            ema=ema,
            n_points=n_points,
            seed=int(seed),
            target_params=tuple(tparams.items()),
        )
    except ConfigError as exc:
        st.error(f"Invalid setting — {exc}")
        return None


def structural_changes(running: RunConfig, wanted: RunConfig) -> list[str]:
    """Names of settings that differ and need Reset to take effect."""
    a, b = running.to_flat(), wanted.to_flat()
    return sorted(n for n in set(a) | set(b) if a.get(n) != b.get(n) and n not in LIVE_FIELDS)


def live_changes(running: RunConfig, wanted: RunConfig) -> dict:
    return {n: getattr(wanted, n) for n in LIVE_FIELDS if getattr(running, n) != getattr(wanted, n)}


def budget_widget(key: str, default: int) -> int:
    """Steps after which a run stops (``{key}budget``); applies to the next Train."""
    from gan_core.live.runner import MAX_STEPS

    return int(
        st.number_input(
            "Step budget",
            100,
            MAX_STEPS,
            min(int(default), MAX_STEPS),
            500,
            key=f"{key}budget",
            help="Training stops at this step; it applies from the next Train",
        )
    )
