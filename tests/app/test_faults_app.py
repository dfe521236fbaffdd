"""Faults seen through the Playground page (AppTest, a real worker process)."""

import os
import signal

from tests.app import shown
from tests.e2e.server import wait_for


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_killed_worker_shows_a_clear_error_and_frees_the_slot(app):
    from ui import session

    app.run()
    button(app, "Train").click().run()
    handle = app.session_state["job:playground"]
    wait_for(lambda: handle.step > 0, timeout=120, what="the run's first steps")

    os.kill(handle.worker.pid, signal.SIGKILL)
    wait_for(lambda: handle.state == "error", what="the runner to notice the dead worker")
    app.run()
    assert not app.exception, "an error message, not a traceback"
    errors = [e.value for e in app.error]
    assert any("ended unexpectedly" in e and "press Reset" in e for e in errors), errors
    assert not any("Traceback" in t for t in [m.value for m in app.markdown] + shown.lines(app))
    runner = session.runner()
    wait_for(lambda: handle not in runner.active, what="the slot to be freed")

    button(app, "Train").click().run()  # a finished run: Train starts a new one
    again = app.session_state["job:playground"]
    assert again is not handle
    wait_for(lambda: again.step > 0, timeout=120, what="a new run in the freed slot")
    app.run()
    assert not app.error, [e.value for e in app.error]
