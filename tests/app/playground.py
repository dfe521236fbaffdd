"""The Playground's run in an AppTest: its handle, and Train until it steps."""

from gan_core.live.handle import JobHandle
from tests.e2e.server import wait_for


def job(app) -> JobHandle:
    return app.session_state["job:playground"]


def train(app) -> JobHandle:
    """Press Train and wait for the run's first steps."""
    app.button(key="pg_train").click().run()
    handle = job(app)
    wait_for(lambda: handle.step > 0, timeout=60, what="training")
    return handle
