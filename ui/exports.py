"""Downloads of a run (curves CSV, GIF, model file) and loading a saved model."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from gan_core import export, notebook
from gan_core.engine import modelfile


def curves_csv(handle) -> bytes:
    return export.series_csv(handle.series()).encode()


def run_gif(handle) -> bytes:
    return export.run_gif(handle.info, handle.snapshots())


def model_file(handle) -> bytes:
    return handle.save_model()


def _stem(cfg) -> str:
    return f"ganlab-{cfg.gan}-{cfg.loss}-{cfg.target}" if cfg is not None else "ganlab"


def run_notebook(config, handle) -> bytes:
    """The config as a notebook, for the run's steps so far (before Train: the default)."""
    trained = handle is not None and handle.step > 0 and handle.config == config
    return notebook.dumps(config, handle.step if trained else notebook.DEFAULT_STEPS).encode()


def downloads(handle, key: str, config=None) -> None:
    """Four download buttons; the bytes are made only when one is clicked. ``config``: the
    settings shown (the notebook needs no run)."""
    ready = handle is not None and handle.info is not None and handle.step > 0
    cfg = handle.config if handle is not None else None
    stem = _stem(cfg)
    items = [
        ("Curves (CSV)", curves_csv, "csv", "text/csv"),
        ("Run (GIF)", run_gif, "gif", "image/gif"),
        ("Model", model_file, "pt", "application/octet-stream"),
    ]
    cols = st.columns(4)
    for col, (label, make, ext, mime) in zip(cols, items, strict=False):
        col.download_button(
            label,
            data=(lambda make=make: make(handle)) if ready else b"",
            file_name=f"{stem}.{ext}",
            mime=mime,
            disabled=not ready,
            on_click="ignore",
            key=f"{key}dl_{ext}",
            width="stretch",
        )
    config = config or cfg
    cols[3].download_button(
        "Notebook",
        data=(lambda: run_notebook(config, handle)) if config is not None else b"",
        file_name=f"{_stem(config)}.ipynb",
        mime="application/x-ipynb+json",
        disabled=config is None,
        on_click="ignore",
        key=f"{key}dl_ipynb",
        width="stretch",
        help="Download as notebook: these settings in plain PyTorch, to run in Jupyter",
    )


def model_loader(key: str, on_load: Callable[[modelfile.SavedModel, bytes, bool], None]) -> None:
    """Upload a model file; check it (nothing in it runs); continue training or inspect it."""
    up = st.file_uploader("A saved model (.pt)", type=["pt"], key=f"{key}model_file")
    if up is None:
        return
    data = up.getvalue()
    try:
        saved = modelfile.read_model(data)
    except modelfile.ModelError as exc:
        st.error(f"Cannot use this model file — {exc}")
        return
    cfg = saved.config
    nets = ", DCGAN" if cfg.arch == "dcgan" else ""
    st.success(f"{cfg.gan} / {cfg.loss} on {cfg.target}{nets}, trained {saved.step} steps")
    c1, c2 = st.columns(2)
    c1.button("Continue training", on_click=on_load, args=(saved, data, False), key=f"{key}m_go")
    c2.button("Inspect (paused)", on_click=on_load, args=(saved, data, True), key=f"{key}m_look")
