"""serve.py's middleware: pages get the early Plotly load in their <head>, nothing else changes."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

import serve


@pytest.fixture(autouse=True)
def plotly_served(monkeypatch):
    monkeypatch.setattr(serve, "served", lambda: True)


PAGE = b"<html><head><title>x</title></head><body></body></html>"


def call(
    path: str, accept: bytes, body: bytes, kind: bytes = b"text/html"
) -> tuple[dict, bytes, dict]:
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:]})

    out = []

    async def send(message):
        out.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "headers": [(b"accept", accept), (b"accept-encoding", b"gzip")],
    }
    with ThreadPoolExecutor(1) as pool:  # (its own loop: another test may leave one running here)
        pool.submit(asyncio.run, serve.PreloadPlotly(app)(scope, None, send)).result()
    start = out[0]
    return dict(start["headers"]), b"".join(m.get("body", b"") for m in out[1:]), seen


def test_a_page_gets_the_loader_in_its_head_uncompressed():
    headers, body, seen = call("/", b"text/html,application/xhtml+xml", PAGE)
    assert body.startswith(b"<html><head><title>x</title><script>")
    assert b'loadPlotly("/component/ui.figures.plotly_js/plotly.min.js")' in body
    assert body.endswith(b"</script></head><body></body></html>")
    assert headers[b"content-length"] == str(len(body)).encode()
    assert (b"accept-encoding", b"gzip") not in seen["headers"], "edited after the app: plain"


def test_everything_else_passes_untouched():
    for path, accept, kind in [
        ("/component/x.js", b"*/*", b"text/javascript"),
        ("/", b"text/html", b"application/json"),
    ]:
        headers, body, seen = call(path, accept, PAGE, kind)
        assert body == PAGE and headers[b"content-length"] == str(len(PAGE)).encode()


def test_before_any_page_imported_the_figures_pages_are_left_alone(monkeypatch):
    monkeypatch.setattr(serve, "served", lambda: False)
    headers, body, _ = call("/", b"text/html", PAGE)
    assert body == PAGE, "a script tag now would only ask for a file not served yet"
