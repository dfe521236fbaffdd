"""The frame route (ui/frames.py, served by serve.py): a run's newest frame over HTTP."""

import asyncio
import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import serve
from gan_core.engine.config import RunConfig
from gan_core.engine.snapshot import Snapshot, preview_info
from gan_core.figures import raster
from gan_core.live.handle import JobHandle
from gan_core.live.messages import Snap
from ui import frames

ROOT = Path(__file__).resolve().parents[2]
LOOK = frames.Look(height=420, presenting=False)


class Runner:
    def queue_position(self, handle):
        return None


@pytest.fixture
def handle():
    h = JobHandle(Runner(), RunConfig(), {})
    h.state, h.started_at = "starting", h.created
    h.info = preview_info(h.config)
    return h


def snap(handle, step: int, **fields) -> Snapshot:
    fake = np.zeros((4, 2), np.float32)
    image = raster.cloud(handle.info, fake, np.zeros(4, np.int16))
    return Snapshot(step, 1.0, 100.0, fake, np.zeros(4, np.int16), {}, image=image, **fields)


def receive(handle, s: Snapshot) -> None:
    handle.on_snap(Snap(handle.id, s))


def get(path: str) -> tuple[int, dict]:
    out = []

    async def app(scope, receive, send):
        raise AssertionError(f"{scope['path']} reached the app")

    async def send(message):
        out.append(message)

    scope = {"type": "http", "method": "GET", "path": path.split("?")[0], "headers": []}
    scope["query_string"] = path.partition("?")[2].encode()
    with ThreadPoolExecutor(1) as pool:  # (its own loop, as in test_serve)
        pool.submit(asyncio.run, serve.Frames(app)(scope, None, send)).result()
    headers = dict(out[0]["headers"])
    assert headers[b"cache-control"] == b"no-store"
    return out[0]["status"], json.loads(out[1]["body"])


def test_a_run_s_frames_come_newest_first_with_its_figure_once(handle):
    token = frames.register(handle, LOOK)
    status, frame = get(f"/_ganlab/frame/{token}")
    assert status == 200 and frame["step"] == 0 and "image" not in frame, "no frame yet"
    receive(handle, snap(handle, 40))
    status, frame = get(f"/_ganlab/frame/{token}")
    assert status == 200 and frame["step"] == 40
    assert frame["line"].startswith("step 40 · 100 steps/s")
    assert frame["image"].startswith("data:image/png;base64,")
    figure = json.loads(frame["figure"])
    assert "source" not in figure["layout"]["images"][0], "the picture travels on its own"
    assert frame["fig"] == frames.figure_id(frame["figure"])
    assert frame["figure"] == frames.cloud_figure(handle.info, handle.latest(), LOOK), "as the page"
    _, again = get(f"/_ganlab/frame/{token}?fig={frame['fig']}")
    assert "figure" not in again and again["fig"] == frame["fig"], "the page has it already"


def test_the_page_s_pace_is_said_while_the_run_trains(handle):
    receive(handle, snap(handle, 7))
    token = frames.register(handle, LOOK, " · 3 frames/s: many pages are open on this server")
    assert get(f"/_ganlab/frame/{token}")[1]["line"].endswith("many pages are open on this server")
    receive(handle, dataclasses.replace(snap(handle, 8), state="paused"))
    assert "many pages" not in get(f"/_ganlab/frame/{token}")[1]["line"]


def test_asking_keeps_the_run_watched(handle):
    token = frames.register(handle, LOOK)
    handle.last_poll -= 100
    get(f"/_ganlab/frame/{token}")
    assert handle.last_poll > handle.created, "the reaper sees the page as alive"


def test_unknown_and_ended_runs_get_404_and_are_forgotten(handle):
    assert get("/_ganlab/frame/nonsense")[0] == 404
    token = frames.register(handle, LOOK)
    assert frames.register(handle, LOOK) == token, "one token per run and look"
    assert frames.register(handle, dataclasses.replace(LOOK, height=300)) != token
    handle.state = "stopped"
    assert get(f"/_ganlab/frame/{token}")[0] == 404
    other = JobHandle(Runner(), RunConfig(), {})
    frames.register(other, LOOK)
    assert token not in frames._RUNS, "ended runs leave the table"


def test_the_route_lives_under_the_base_path(handle, monkeypatch):
    token = frames.register(handle, LOOK)
    monkeypatch.setattr(frames, "base_path", lambda: "/lab")
    assert get(f"/lab/_ganlab/frame/{token}")[0] == 200
    with pytest.raises(AssertionError, match="reached the app"):
        get(f"/_ganlab/frame/{token}")


def test_streamlit_run_app_py_serves_the_frame_route():
    """``streamlit run app.py`` (make run, the image, the e2e tests) finds the server in
    app.py, which puts serve.py's route around the page script: one way for every start."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.app_name == "app", found
    assert any(m.cls is serve.Frames for m in serve.MIDDLEWARE)


def layers(value: float) -> dict:
    grid = np.linspace(-3, 3, 4, dtype=np.float32)
    z = np.full((4, 4), value, np.float32)
    return {
        "grid": grid,
        "heatmap": z,
        "heatmap_range": np.array([0.0, 1.0]),
        "heatmap_level": np.float32(0.5),
        "optimal_d": z,
    }


def test_layers_and_optimal_d_come_over_the_route_with_their_figure_each_step(handle):
    """Probe layers and D* change their figure every frame: each new step brings it."""
    handle.info = preview_info(RunConfig(target="ring"))
    layered = dataclasses.replace(LOOK, show=("heatmap",))
    for look in (layered, dataclasses.replace(LOOK, view="optimal_d")):
        token = frames.register(handle, look)
        receive(handle, snap(handle, 10, layers=layers(0.2)))
        first = frames.answer(token)
        assert first["step"] == 10 and first["figure"], look
        assert frames.answer(token, first["fig"]).get("figure") is None, "same step: kept"
        receive(handle, snap(handle, 20, layers=layers(0.7)))
        second = frames.answer(token, first["fig"])
        assert second["step"] == 20 and second["figure"] and second["fig"] != first["fig"]
        spec = frames.figure(handle.info, handle.latest(), look)
        assert second["figure"] == frames.split(spec)[0], "as the page draws it"
    assert second["line"] == "", "D* has no status line"
