"""The server's entry point: ``streamlit run serve.py`` serves app.py (``st.App``) with
Plotly.js loading from the page's first bytes.

Otherwise a page opened just now fetched (0.5–0.7 s) and compiled (0.65–0.9 s) the
4.6 MB file only when its first figure arrived, about when Train became clickable, and
a first click waited for it (bench/ui.py's fresh case). The page's HTML gets the same
loader the figures use (ui/plotly_loader.js), so they find Plotly loading or loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

ROOT = Path(__file__).resolve().parent
LOADER = (ROOT / "ui" / "plotly_loader.js").read_text()
COMPONENT = "ui.figures.plotly_js"
PLOTLY_PATH = f"/component/{COMPONENT}/plotly.min.js"
"""Where Streamlit serves ui/figures.py's copy of Plotly.js (figures.plotly_url, without the
base path). The route exists once a page's script has imported ui.figures (a component
declared outside a script run is not served, so it is not imported here): the first
page after a start loads Plotly with its figures, as before."""


def served() -> bool:
    """Whether Streamlit serves PLOTLY_PATH yet."""
    from streamlit import runtime

    if not runtime.exists():
        return False
    return runtime.get_instance().component_registry.get_component_path(COMPONENT) is not None


def head_script() -> bytes:
    """The loader and its call, for the page's <head>."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    url = (f"/{base}" if base else "") + PLOTLY_PATH
    return f"<script>{LOADER}loadPlotly({json.dumps(url)});</script>".encode()


class PreloadPlotly:
    """ASGI middleware: pages (HTML answers to a browser's GET) get ``head_script`` before
    ``</head>``; their few kB go uncompressed (the body is edited after the app made it).
    Everything else passes untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        page = scope["type"] == "http" and scope["method"] == "GET"
        if not page or b"text/html" not in headers.get(b"accept", b"") or not served():
            await self.app(scope, receive, send)
            return
        plain = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        start, chunks = None, []

        async def edit(message):
            nonlocal start
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers") or []).get(b"content-type", b"")
                if kind.startswith(b"text/html"):
                    start = message
                    return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks).replace(b"</head>", head_script() + b"</head>", 1)
            fields = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            fields.append((b"content-length", str(len(body)).encode()))
            await send(dict(start, headers=fields))
            await send({"type": "http.response.body", "body": body})

        await self.app(dict(scope, headers=plain), receive, edit)


app = st.App(ROOT / "app.py", middleware=[Middleware(PreloadPlotly)])
