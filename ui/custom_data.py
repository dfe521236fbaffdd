"""Your own points: a CSV of x,y[,label] and points drawn by selecting on a plane.

Both together become the ``custom`` target. They live in this browser session only: a
link (the URL) carries the settings but cannot hold the points.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from gan_core.engine.data_io import read_points_csv
from gan_core.engine.targets import CUSTOM_MAX_CLASSES, DataError, check_custom
from gan_core.figures.palette import class_colour

CANVAS = 4.0
"""Half-width of the drawing plane."""
CELLS = 33
"""Grid points per side that a click, box or lasso selects."""


def _k(key: str, name: str) -> str:
    return f"{key}custom_{name}"


def _grid() -> np.ndarray:
    axis = np.linspace(-CANVAS, CANVAS, CELLS)
    xx, yy = np.meshgrid(axis, axis)
    return np.stack([xx.ravel(), yy.ravel()], 1)


def drawn(key: str) -> list[tuple[float, float, int]]:
    return st.session_state.setdefault(_k(key, "drawn"), [])


def add_selection(rows: list, points: list[dict], label: int) -> None:
    """Add the selected plane points (Plotly selection rows) to ``rows`` with ``label``."""
    for p in points:
        if p.get("curve_number", 0) == 0 and "x" in p and "y" in p:
            rows.append((float(p["x"]), float(p["y"]), int(label)))


def canvas_figure(rows) -> go.Figure:
    grid = _grid()
    traces = [
        go.Scatter(
            x=grid[:, 0],
            y=grid[:, 1],
            mode="markers",
            marker=dict(size=9, color="rgba(0,0,0,0)"),
            name="plane",
            hoverinfo="none",
            showlegend=False,
        )
    ]
    if rows:
        a = np.asarray(rows, dtype=float)
        traces.append(
            go.Scatter(
                x=a[:, 0],
                y=a[:, 1],
                mode="markers",
                marker=dict(size=7, color=[class_colour(int(c)) for c in a[:, 2]]),
                name="your points",
                hoverinfo="none",
                showlegend=False,
            )
        )
    axis = dict(range=[-CANVAS * 1.05, CANVAS * 1.05], zeroline=True, showgrid=True)
    return go.Figure(
        traces,
        dict(
            height=320,
            margin=dict(l=30, r=10, t=10, b=25),
            xaxis=axis,
            yaxis=dict(axis, scaleanchor="x", scaleratio=1),
            dragmode="lasso",
            clickmode="event+select",
        ),
    )


def upload(key: str) -> None:
    """The CSV uploader; a good file is kept (and switched on), a bad one explained."""
    up = st.file_uploader("CSV of x,y[,label]", type=["csv", "txt"], key=_k(key, "csv"))
    if up is None:
        if st.session_state.pop(_k(key, "file_id"), None) is not None:  # the file was removed
            st.session_state.pop(_k(key, "uploaded"), None)
            st.session_state.pop(_k(key, "bad"), None)
        return
    if st.session_state.get(_k(key, "file_id")) != up.file_id:
        st.session_state[_k(key, "file_id")] = up.file_id
        try:
            st.session_state[_k(key, "uploaded")] = read_points_csv(up.getvalue())
            st.session_state[_k(key, "use")] = True
            st.session_state.pop(_k(key, "bad"), None)
        except DataError as exc:
            st.session_state.pop(_k(key, "uploaded"), None)
            st.session_state[_k(key, "bad")] = str(exc)
    if _k(key, "bad") in st.session_state:
        st.error(f"Cannot use this file — {st.session_state[_k(key, 'bad')]}")
    elif _k(key, "uploaded") in st.session_state:
        pts, labels = st.session_state[_k(key, "uploaded")]
        classes = len(np.unique(labels))
        st.caption(f"{len(pts)} points from the file, {classes} class(es)")


def draw(key: str) -> None:
    """A plane to click, box or lasso on: the selected grid points become yours.

    Behind a switch: the plane is a figure of 1,089 selectable points that the server
    would otherwise build and send at every rerun of every open page."""
    drawing = st.toggle("Draw on a plane", key=_k(key, "drawing"))
    if drawing:
        pad(key)
    rows = drawn(key)
    if drawing or rows:
        c1, c2 = st.columns([3, 1])
        hint = ": click, or drag a lasso or box, to add some" if drawing else ""
        c1.caption(f"{len(rows)} drawn point(s){hint}")
        c2.button("Clear", on_click=lambda: drawn(key).clear(), key=_k(key, "clear"))


def pad(key: str) -> None:
    """The plane itself and the label of the points it adds."""
    st.number_input(
        "Label of new points (a class, for cGAN)", 0, CUSTOM_MAX_CLASSES - 1, 0, key=_k(key, "lab")
    )
    chart_key = _k(key, "canvas")

    def selected():
        event = st.session_state.get(chart_key) or {}
        points = (event.get("selection") or {}).get("points") or []
        add_selection(drawn(key), points, st.session_state.get(_k(key, "lab"), 0))
        if points:
            st.session_state[_k(key, "use")] = True

    st.plotly_chart(
        canvas_figure(drawn(key)),
        key=chart_key,
        on_select=selected,
        selection_mode=("points", "box", "lasso"),
        config={"displayModeBar": True, "modeBarButtonsToRemove": ["toImage"]},
        theme=None,
    )


def points(key: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Uploaded and drawn points together, checked; None when there are none."""
    parts_x, parts_y = [], []
    uploaded = st.session_state.get(_k(key, "uploaded"))
    if uploaded is not None:
        parts_x.append(uploaded[0])
        parts_y.append(uploaded[1])
    rows = drawn(key)
    if rows:
        a = np.asarray(rows, dtype=float)
        parts_x.append(a[:, :2])
        parts_y.append(a[:, 2].astype(np.int64))
    if not parts_x:
        return None
    return check_custom(np.concatenate(parts_x), np.concatenate(parts_y))


def section(key: str):
    """Upload, draw, and the switch to train on them; returns (points, labels) or None."""
    upload(key)
    draw(key)
    try:
        data = points(key)
    except DataError as exc:
        st.warning(f"Not yet usable — {exc}")
        data = None
    st.toggle("Train on my points", key=_k(key, "use"), disabled=data is None)
    st.caption(
        "Your points stay in this browser session: the link (URL) keeps the other "
        "settings but cannot hold the points."
    )
    return data if data is not None and st.session_state.get(_k(key, "use")) else None


def keep(key: str, custom) -> None:
    """Hold a model file's custom points as if uploaded, and train on them."""
    st.session_state[_k(key, "uploaded")] = custom
    st.session_state[_k(key, "use")] = True
