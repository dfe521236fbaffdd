"""The server's pieces around app.py (``streamlit run app.py`` builds ``st.App`` with them):

- ``Frames``: the frame route, ``GET <base>/_ganlab/frame/<token>?fig=<figure id>``: a
  run's newest frame as JSON (ui/frames.py), the one way a live picture updates;
- ``Rooms``: ``GET <base>/_ganlab/room/<CODE>/tiles`` with the lecturer's key (header
  ``X-Room-Key`` or ``?key=``): the room's tiles as JSON (ui/rooms.py), for the Class page;
  ``GET <base>/_ganlab/room/<CODE>/offer``: the room's newest offer id, for its students;
- ``PreloadPlotly``: the figures' Plotly loader (ui/plotly_loader.js) in each page's
  ``<head>``, so that the 4.6 MB Plotly.js loads and compiles as the page opens, not when
  the first figure arrives (a first Train click would wait for it).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import parse_qs

from starlette.middleware import Middleware

from ui import frames, rooms

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
    url = frames.base_path() + PLOTLY_PATH
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


class JsonRoute:
    """ASGI middleware: a GET under ``prefix()`` is answered as JSON by ``reply`` (the rest
    of the path, the query, the headers), in a thread; everything else passes untouched."""

    def __init__(self, app):
        self.app = app

    def prefix(self) -> str:
        raise NotImplementedError

    def reply(self, rest: str, query: dict, headers: dict) -> tuple[int, object]:
        raise NotImplementedError

    async def __call__(self, scope, receive, send):
        prefix = self.prefix()
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(prefix) or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode())
        headers = dict(scope.get("headers") or [])
        status, reply = await asyncio.to_thread(self.reply, path[len(prefix) :], query, headers)
        body = json.dumps(reply).encode()
        fields = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": fields})
        await send({"type": "http.response.body", "body": body})


class Frames(JsonRoute):
    """``GET <base>/_ganlab/frame/<token>?fig=<figure id>``: a run's newest frame
    (frames.answer: a first frame builds its figure), 404 when the token names no live run."""

    def prefix(self) -> str:
        return frames.base_path() + frames.ROUTE

    def reply(self, rest, query, headers):
        frame = frames.answer(rest, query.get("fig", [""])[0])
        return (404, {}) if frame is None else (200, frame)


class Rooms(JsonRoute):
    """``GET <base>/_ganlab/room/<CODE>/tiles`` (key in ``X-Room-Key`` or ``?key=``;
    ``?since=``: the pictures the view holds): the room's tiles (rooms.answer: a store may
    be remote): 200, or 403 (wrong key), 404 (no such room), 503 (the store cannot be
    reached). ``GET <base>/_ganlab/room/<CODE>/offer``: the newest offer's id
    (rooms.offer_answer): 200, 404 or 503."""

    def prefix(self) -> str:
        return frames.base_path() + rooms.ROUTE

    def reply(self, rest, query, headers):
        code, _, what = rest.partition("/")
        if what == "offer":
            answer = rooms.offer_answer(code)
            return answer.status, answer.body
        if what != "tiles":
            return 404, {"error": "unknown room route"}
        key = headers.get(b"x-room-key", b"").decode("latin-1") or query.get("key", [""])[0]
        answer = rooms.answer(code, key, query.get("since", [""])[0])
        return answer.status, answer.body


MIDDLEWARE = [Middleware(Frames), Middleware(Rooms), Middleware(PreloadPlotly)]
