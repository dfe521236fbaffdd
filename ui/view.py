"""What the point cloud shows besides the points: probe layers, one class or code, a traversal.

Every choice is sent to the running job (``JobHandle.set``) and passed at submit, so the
worker computes only the layers someone looks at.
"""

from __future__ import annotations

import streamlit as st

from gan_core.engine import targets as T
from gan_core.engine.probes import LAYERS
from gan_core.figures.overlays import SHOWABLE
from ui import style

LABELS = {
    "heatmap": "D heatmap",
    "arrows": "G gradients",
    "manifold": "G manifold",
    "optimal_d": "Optimal D*",
}
HELP = (
    "D heatmap: D's view of the plane, dotted line at its boundary (0.5). G gradients: "
    "where G's loss pushes generated points. G manifold: G's image of a latent grid. "
    "Optimal D*: p_data / (p_data + p_g), for targets with known modes (ring, grid)."
)
CONT_RANGE = 2.0


OFF_PLANE = (
    "Layers (D heatmap, G gradients, G manifold, D*) draw on the 2-D plane; "
    "{title} are {dim}-value images, so they are off."
)


def planar(config) -> bool:
    return config is None or T.TARGETS[config.target].planar


def off_plane_note(config) -> str:
    target = T.TARGETS[config.target]
    return OFF_PLANE.format(title=target.title.split(" (")[0].lower(), dim=target.dim)


def layers_from_link(key: str, config) -> None:
    """``?layers=heatmap,arrows`` in a link: the pills' first value, read once per
    session; a name that is not a layer, or layers on digits, gets a message here."""
    state = f"{key}url_layers"
    if state not in st.session_state:
        raw = st.query_params.get("layers") or ""
        names = [n.strip() for n in raw.split(",") if n.strip()]
        errors = [
            f"layers: unknown {n!r}; one of {', '.join(LAYERS)}" for n in names if n not in LAYERS
        ]
        names = [n for n in names if n in LAYERS]
        if names and not planar(config):
            errors.append(f"layers={','.join(names)}: {off_plane_note(config)}")
        elif names:
            st.session_state[f"{key}layers"] = names
        st.session_state[state] = errors
    for err in st.session_state[state]:
        st.error(f"Link setting ignored — {err}")


def layers_widget(key: str, label: bool = True, config=None) -> tuple[str, ...]:
    """The layers the user toggled on (``{key}layers``), in probes.LAYERS order.

    ``label=False``: no "Layers" line above the pills (a projector has no room for it).
    Digits have no plane to draw on: one line says so instead.
    """
    if not planar(config):
        st.caption(off_plane_note(config))
        return ()
    picked = st.pills(
        "Layers",
        LAYERS,
        selection_mode="multi",
        format_func=LABELS.get,
        key=f"{key}layers",
        help=HELP,
        label_visibility="visible" if label else "collapsed",
    )
    return tuple(name for name in LAYERS if name in (picked or ()))


def chosen(key: str, config=None) -> tuple[str, ...]:
    """The layers toggled on, from session state (for fragments that do not draw the
    pills); none for a target off the plane (digits)."""
    if not planar(config):
        return ()
    picked = st.session_state.get(f"{key}layers") or ()
    return tuple(name for name in LAYERS if name in picked)


def shown(layers) -> tuple[str, ...]:
    """The layers drawn over the point cloud (D* has its own figure)."""
    return tuple(name for name in layers if name in SHOWABLE)


def choices(config) -> int:
    """How many classes (cGAN) or codes (InfoGAN) one can pick from; 0 for a plain GAN."""
    if config is None or config.gan == "gan":
        return 0
    return int(config.n_codes if config.gan in ("infogan", "selfcond") else config.n_classes)


def code_widgets(config, key: str) -> tuple[int | None, float | None]:
    """For cGAN/InfoGAN: one class/code to look at; for InfoGAN's continuous codes, c₁."""
    k = choices(config)
    if not k:
        return None, None
    what = {"infogan": "code", "selfcond": "cluster"}.get(config.gan, "class")
    c1, c2 = st.columns(2, vertical_alignment="bottom")
    code = c1.selectbox(
        f"Show G's points for {what}",
        [None, *range(k)],
        format_func=lambda c: f"every {what}" if c is None else f"{what} {c}",
        key=f"{key}view_code",
        # on a projector its label would wrap and push the layers' row down; the choice
        # ("every code", "code 3") says what it is
        label_visibility="collapsed" if style.presenting() else "visible",
    )
    cont = None
    if config.gan == "infogan" and config.cont_codes:
        if c2.toggle("Traverse the continuous code c₁", key=f"{key}traverse"):
            cont = st.slider("c₁", -CONT_RANGE, CONT_RANGE, 0.0, 0.1, key=f"{key}view_cont")
    return code, cont


def wanted(key: str) -> dict:
    """The view settings as JobHandle.set / Runner.submit take them (from session state)."""
    s = st.session_state
    layers = chosen(key, s.get(f"{key}config"))
    cont = s.get(f"{key}view_cont", 0.0) if s.get(f"{key}traverse") else None
    return {"layers": layers, "view_code": s.get(f"{key}view_code"), "view_cont": cont}
