"""Runner and worker processes: real subprocesses, waits on conditions with timeouts."""

import os
import signal
import subprocess
import sys
import time

import pytest

from gan_core import runner as R
from gan_core.config import RunConfig
from gan_core.history import History
from gan_core.snapshot import Snapshot


def wait_for(cond, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def runner():
    r = R.Runner(max_runs=2, warm=False)
    yield r
    r.shutdown()


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie still answers kill(0); it has exited all the same
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split()[2] == "Z"


def test_engine_never_imports_streamlit():
    code = (
        "import sys; from gan_core import worker, runner, cli, plots, snapshot, history;"
        "worker.warm_up(); assert 'streamlit' not in sys.modules, 'streamlit imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_run_streams_snapshots_and_obeys_commands(runner):
    job = runner.submit(RunConfig(target="ring", gan="cgan"))
    wait_for(lambda: job.step > 0, what="first steps")
    assert job.info is not None and job.info.centres.shape == (8, 2)
    snap = job.latest()
    assert snap.fake.shape[1] == 2 and "modes" in snap.metrics

    job.pause()
    wait_for(lambda: job.state == "paused", what="paused")
    paused_at = job.step
    time.sleep(1.0)
    assert job.step == paused_at, "pause really pauses"

    job.step_once(1)
    wait_for(lambda: job.step == paused_at + 1, what="one step")

    job.set(lr_g=1e-4, lr_d=1e-4)
    job.resume()
    wait_for(lambda: job.step > paused_at + 200, what="training resumed")
    assert job.config.lr_g == 1e-4, "live changes are kept on the handle"

    pid = job.worker.pid
    job.stop()
    wait_for(lambda: gone(pid), what="worker exit")
    assert job.state == "stopped"


def test_cap_and_queue(runner):
    runner.max_runs = 1
    first = runner.submit(RunConfig(target="ring"))
    second = runner.submit(RunConfig(target="moons"))
    assert second.queue_position == 1 and second.state == "queued"
    wait_for(lambda: first.step > 0, what="first run")
    first.stop()
    wait_for(lambda: second.step > 0, what="queued run starts when the slot frees")
    assert second.queue_position is None


def test_group_shares_one_slot_and_starts_together(runner):
    runner.max_runs = 1
    group = runner.submit_group([RunConfig(target="ring", gan=g) for g in ("gan", "cgan")])
    single = runner.submit(RunConfig(target="moons"))
    assert [j.queue_position for j in group] == [None, None], "the whole group starts"
    assert single.queue_position == 1, "the group holds the one slot"
    wait_for(lambda: all(j.step > 0 for j in group), timeout=90, what="both members train")
    first_frames = [j.history.snapshots[0] for j in group]
    assert [s.step for s in first_frames] == [0, 0], "members start paused"
    first_steps = [next(s for s in j.history.snapshots if s.step > 0) for j in group]
    assert min(s.wall for s in first_steps) >= max(s.wall for s in first_frames), (
        "no member trains before every member has its first frame"
    )
    group[0].stop()
    time.sleep(0.5)
    assert single.queue_position == 1, "the slot is held while a member runs"
    group[1].stop()
    wait_for(lambda: single.step > 0, timeout=60, what="the single run gets the slot")


def test_group_queues_as_one_and_a_pause_before_start_wins(runner):
    runner.max_runs = 1
    with pytest.raises(ValueError, match="1 to 4 runs"):
        runner.submit_group([RunConfig()] * 5)
    single = runner.submit(RunConfig(target="ring"))
    group = runner.submit_group([RunConfig(target="ring"), RunConfig(target="ring", seed=1)])
    assert [j.queue_position for j in group] == [1, 1], "one position for the group"
    assert all(j.state == "queued" for j in group)
    group[0].pause()
    single.stop()
    wait_for(lambda: group[1].step > 0, timeout=90, what="the group starts when the slot frees")
    wait_for(lambda: group[0].state == "paused", what="the paused member's first frame")
    time.sleep(1.0)
    assert group[0].step == 0, "a member paused before the start stays paused"


def test_killed_worker_shows_error_and_frees_slot(runner):
    runner.max_runs = 1
    job = runner.submit(RunConfig(target="ring"))
    waiting = runner.submit(RunConfig(target="ring"))
    wait_for(lambda: job.step > 0, what="first steps")
    os.kill(job.worker.pid, signal.SIGKILL)
    wait_for(lambda: job.state == "error", what="error state")
    assert "ended unexpectedly" in job.message
    wait_for(lambda: waiting.step > 0, what="freed slot reused")


def test_diverged_run_stops_with_a_hint(runner):
    cfg = RunConfig(target="ring", optimizer="sgd", lr_g=1.0, lr_d=1.0, beta1=0.99, loss="lsgan")
    job = runner.submit(cfg)
    wait_for(lambda: job.state == "diverged", timeout=60, what="divergence")
    assert "Lower the learning rates" in job.message
    step = job.step
    time.sleep(0.5)
    assert job.step == step, "a diverged run does not go on"


def test_unwatched_run_pauses_then_ends(runner, monkeypatch):
    monkeypatch.setattr(R, "IDLE_PAUSE_S", 0.5)
    monkeypatch.setattr(R, "IDLE_STOP_S", 8.0)  # room for a slow pause under load
    job = runner.submit(RunConfig(target="ring"))
    wait_for(lambda: job.step > 0, what="first steps")
    wait_for(lambda: job.state == "paused", timeout=10, what="idle pause")
    pid = job.worker.pid
    wait_for(lambda: job.state == "stopped", timeout=20, what="idle stop")
    wait_for(lambda: gone(pid), what="worker exit")


def test_closed_page_ends_its_run(runner, monkeypatch):
    monkeypatch.setattr(R, "GONE_GRACE_S", 0.5)
    connected = [True]
    job = runner.submit(RunConfig(target="ring"), alive=lambda: connected[0])
    wait_for(lambda: job.step > 0, what="first steps")
    connected[0] = False
    wait_for(lambda: job.state == "stopped", timeout=10, what="stop after the page closed")
    assert "page was closed" in job.message


def test_warm_spare_is_ready_and_used():
    r = R.Runner(max_runs=1, warm=True)
    try:
        spare = r.spare
        assert spare is not None
        assert spare.wait_ready(120), "the spare warms up"
        job = r.submit(RunConfig(target="ring"))
        assert job.worker is spare
        wait_for(lambda: job.step > 0, what="first frame from the warm worker")
        wait_for(lambda: r.spare is not None, what="refill after the first frame")
    finally:
        r.shutdown()


def _snap(step):
    import numpy as np

    return Snapshot(step, 0.0, 0.0, np.zeros((2, 2)), np.zeros(2), {"loss_d": 1.0, "loss_g": 2.0})


def test_history_is_bounded():
    h = History(maxlen=10, series_cap=100)
    for step in range(1, 5001):
        h.add(_snap(step))
    assert len(h.snapshots) == 10 and h.latest().step == 5000
    n = len(h.series["step"])
    assert 50 <= n < 100, "series are thinned, not grown"
    assert h.series["step"][0] == 1 and h.series["step"][-1] > 4900, "and still span the run"
