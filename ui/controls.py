"""The sidebar's run settings, drawn from SPECS (gan_core/engine/specs.py).

Each setting's widget, label, range, step, format and help come from its entry, as the
CLI's flags do, so a range lives in one place. The target is the one widget drawn by
hand: its list leaves out ``custom`` (points come from the Playground's file tools) and
its parameters' widgets follow the chosen target.
"""

from __future__ import annotations

import contextlib

import streamlit as st

from gan_core.engine import targets as T
from gan_core.engine.config import SPECS, ConfigError, RunConfig
from gan_core.engine.gans import GAN_REGISTRY
from gan_core.engine.losses import LOSS_REGISTRY
from gan_core.engine.specs import CONV

SIDEBAR = {name: spec for name, spec in SPECS.items() if spec.widget is not None}
"""The settings the sidebar shows, in its order (within each section)."""
TITLES = {
    "target": lambda n: T.TARGETS[n].title,
    "gan": lambda n: GAN_REGISTRY[n].title,
    "loss": lambda n: LOSS_REGISTRY[n].title,
}
"""How a choice reads in its drop-down; other settings show their values."""
KEYS = {"optimizer": "opt", "activation": "act", "cont_codes": "cont"}
"""Widget keys (after ``{key}cfg_``) that differ from the setting's name."""
LIVE_FIELDS = ("lr_g", "lr_d", "d_steps")
"""Fields a running job takes at once; any other change needs Reset."""


def widget_key(name: str) -> str:
    """The widget key suffix (after ``{key}cfg_``) of the setting ``name``."""
    return KEYS.get(name, name)


def field_widget(where, name: str, default, wkey: str):
    """Draw the widget SPECS gives the setting ``name`` in ``where``; return its value.

    A slider's usual span and a steps slider's usual values widen to take the value in
    use, which a link or a preset may have set outside them.
    """
    spec = SPECS[name]
    w = spec.widget
    kw = {"key": wkey, "help": spec.help}
    if w.kind == "select":
        index = spec.choices.index(default)
        return where.selectbox(
            w.label, spec.choices, index, format_func=TITLES.get(name, str), **kw
        )
    if w.kind == "radio":
        return where.radio(
            w.label, spec.choices, spec.choices.index(default), horizontal=True, **kw
        )
    current = st.session_state.get(wkey, default)
    if w.kind == "steps":
        options = sorted({*w.steps, current, default})
        if w.format:
            kw["format_func"] = lambda v: w.format % v
        return where.select_slider(w.label, options, default, **kw)
    kind = spec.kind
    if w.kind == "slider":
        lo, hi = w.span or (spec.lo, spec.hi)
        lo, hi = min(lo, default, current), max(hi, default, current)
        return where.slider(
            w.label, kind(lo), kind(hi), kind(default), w.step, format=w.format, **kw
        )
    if w.kind == "number":
        return where.number_input(
            w.label, kind(spec.lo), kind(spec.hi), kind(default), w.step, format=w.format, **kw
        )
    raise ValueError(f"{name}: unknown widget kind {w.kind!r}")


def target_widgets(d: RunConfig, k: str) -> tuple[str, dict]:
    """Target and its parameters; widget keys ``{k}target`` and ``{k}tp_{target}_{param}``."""
    names = [n for n in T.TARGETS if n != "custom"]
    target = st.selectbox(
        SPECS["target"].widget.label,
        names,
        index=names.index(d.target) if d.target in names else 0,
        format_func=TITLES["target"],
        key=k + "target",
        help=SPECS["target"].help,
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


def set_widgets(config: RunConfig, key: str = "") -> None:
    """Make the controls show ``config``: call before they are drawn (e.g. in a callback)."""
    k = f"{key}cfg_"
    set_target_widgets(config, k)
    for name in SIDEBAR:
        if name != "target":
            st.session_state[k + widget_key(name)] = getattr(config, name)


def config_widgets(defaults: RunConfig | None = None, key: str = "") -> RunConfig | None:
    """Draw the controls (in the current container); return a valid config or None.

    The settings go in SPECS' order, each section in turn (the top, then each expander);
    neighbours with a column sit side by side. Invalid combinations show an error right
    there instead of raising.
    """
    d = defaults or RunConfig()
    k = f"{key}cfg_"
    values = {name: getattr(d, name) for name in SPECS}
    tparams: dict = {}
    for section in dict.fromkeys(spec.widget.section for spec in SIDEBAR.values()):
        if section == CONV and T.TARGETS[values["target"]].image is None:
            values["arch"] = "mlp"  # (convolutional nets are for image targets)
            continue
        with st.expander(section) if section else contextlib.nullcontext():
            columns = None
            for name, spec in SIDEBAR.items():
                if spec.widget.section != section:
                    continue
                if name == "target":
                    values[name], tparams = target_widgets(d, k)
                    columns = None
                    continue
                if spec.widget.column is None:
                    where, columns = st, None
                else:
                    columns = columns or st.columns(2)
                    where = columns[spec.widget.column]
                values[name] = field_widget(where, name, getattr(d, name), k + widget_key(name))
    try:
        return RunConfig(**values, target_params=tuple(tparams.items()))
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
