"""The protocol between the server and its training processes (gan_core/live/messages.py):
every message kind has a handler on the side that receives it, an unknown one is refused
by name, and each side's handlers do what the messages say (in this process, no socket)."""

import dataclasses
import inspect
import pickle
import threading
import time
from types import SimpleNamespace

import pytest

from gan_core.engine.config import RunConfig
from gan_core.live import messages as M
from gan_core.live import runner as R
from gan_core.live import worker as W
from gan_core.live.handle import JobHandle


def kinds(direction: type) -> set[type]:
    return {
        cls
        for _, cls in inspect.getmembers(M, inspect.isclass)
        if dataclasses.is_dataclass(cls) and issubclass(cls, direction)
    }


def sample(kind: type):
    return kind(*(f"<{f.name}>" for f in dataclasses.fields(kind)))


def test_every_message_kind_is_handled_by_the_side_that_receives_it():
    to_worker, to_server = kinds(M.ToWorker), kinds(M.ToServer)
    everything = {
        c for _, c in inspect.getmembers(M, inspect.isclass) if dataclasses.is_dataclass(c)
    }
    assert to_worker and to_server and not to_worker & to_server
    assert everything == to_worker | to_server, "each message goes one way"
    assert set(W.HANDLERS) == to_worker, "the training process handles what the server sends"
    assert set(R.HANDLERS) == to_server, "the server handles what a training process sends"


def test_each_message_says_who_sends_it_and_is_a_small_frozen_value():
    for kind in kinds(M.ToWorker) | kinds(M.ToServer):
        sender = "Server:" if issubclass(kind, M.ToWorker) else "Process"
        assert (kind.__doc__ or "").startswith(sender), kind.__name__
        msg = sample(kind)
        assert not hasattr(msg, "__dict__"), f"{kind.__name__} has slots"
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(msg, dataclasses.fields(kind)[0].name, 0)
        assert pickle.loads(pickle.dumps(msg)) == msg


@pytest.mark.parametrize(
    ("table", "receiver", "msg"),
    [
        (W.HANDLERS, "the training process", ("pause", 1)),
        (W.HANDLERS, "the training process", M.Snap(1, None)),
        (R.HANDLERS, "the server", ("snap", 1, None)),
        (R.HANDLERS, "the server", M.Pause(1)),
    ],
)
def test_an_unknown_message_is_refused_by_name(table, receiver, msg):
    with pytest.raises(M.Unhandled) as refused:
        M.handler_for(table, msg, receiver)
    said = str(refused.value)
    assert said.startswith(f"{receiver} has no handler for {type(msg).__name__} (it handles ")
    assert all(kind.__name__ in said for kind in table)


class Conn:
    """The training process's end of the socket: what it sends, in order."""

    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)

    def take(self) -> list:
        out, self.sent = self.sent, []
        return out


def test_the_training_process_does_what_the_server_says():
    conn = Conn()
    proc = W.Process(conn)
    with pytest.raises(M.Unhandled):
        proc.handle(("start", 1, RunConfig(target="ring", n_points=200), {}))
    cfg = RunConfig(target="ring", n_points=200)
    proc.handle(M.Start(1, cfg, {"paused": True}))
    info, first = conn.take()
    assert isinstance(info, M.Info) and info.run_id == 1 and info.info.config == cfg
    assert isinstance(first, M.Snap) and first.snapshot.state == "paused"

    proc.handle(M.Step(1, 3, "both"))
    while proc.runs[1].training:
        proc.train()
    snaps = [m for m in conn.take() if isinstance(m, M.Snap)]
    assert snaps[-1].snapshot.step == 3 and snaps[-1].snapshot.state == "paused"

    proc.handle(M.Save(1))
    (saved,) = conn.take()
    assert isinstance(saved, M.ModelFile) and saved.run_id == 1 and saved.data

    proc.handle(M.Set(1, {"layers": ("no such layer",)}))
    (error,) = conn.take()
    assert isinstance(error, M.Error) and error.run_id == 1 and "no such layer" in error.message
    assert 1 not in proc.runs, "a run whose command failed leaves the process"

    proc.handle(M.Start(2, cfg, {"paused": True}))
    conn.take()
    proc.handle(M.Stop(2))
    proc.handle(M.Pause(2))  # (a run the process no longer holds: nothing to do)
    assert proc.runs == {} and conn.take() == []


class Runner:
    def __init__(self):
        self.released = []

    def queue_position(self, handle):
        return None

    def release(self, handle):
        self.released.append(handle)


def test_the_server_hands_each_message_to_its_run():
    runner = Runner()
    job = JobHandle(runner, RunConfig(), {})
    job.state, job.started_at = "starting", job.created
    worker = SimpleNamespace(jobs={job.id: job}, ready=threading.Event())
    handle = R.Worker.handle

    handle(worker, M.Ready(1234))
    assert worker.ready.is_set()
    handle(worker, M.Info(job.id, "its info"))
    assert job.info == "its info"
    snap = SimpleNamespace(step=0, image=None, state="paused", message="")
    handle(worker, M.Snap(job.id, snap))
    assert job.latest() is snap and job.state == "paused" and job.first_frame_s is not None
    handle(worker, M.ModelFile(job.id, b"model"))
    assert job._model_ready.is_set() and job._model_replies == [b"model"]
    handle(worker, M.Snap(job.id + 1, snap))  # (a run the server no longer holds)
    handle(worker, M.Error(job.id, "ValueError: no"))
    assert (job.state, job.message) == ("error", "ValueError: no") and runner.released == [job]
    with pytest.raises(M.Unhandled, match="the server has no handler for Stop"):
        handle(worker, M.Stop(job.id))


def test_a_starting_class_gets_its_first_frames_at_once_and_evaluations_after():
    """Runs that start together: each first frame comes without an evaluation, each first
    trained frame right after the run's first slice (not a frame interval later), and
    the evaluations follow."""
    conn = Conn()
    proc = W.Process(conn)
    for run_id in range(4):
        proc.handle(M.Start(run_id, RunConfig(target="ring", n_points=200, seed=run_id), {}))
    firsts = [m.snapshot for m in conn.take() if isinstance(m, M.Snap)]
    assert len(firsts) == 4
    assert all(s.step == 0 and s.metrics == {} and s.state == "running" for s in firsts)

    proc.train()
    trained = {m.run_id: m.snapshot for m in conn.take() if isinstance(m, M.Snap)}
    assert sorted(trained) == [0, 1, 2, 3], "every run's first trained frame, in one round"
    assert all(s.step > 0 for s in trained.values())

    deadline = time.monotonic() + 30
    measured = set()
    while len(measured) < 4 and time.monotonic() < deadline:
        proc.train()
        measured |= {m.run_id for m in conn.take() if isinstance(m, M.Snap) and m.snapshot.metrics}
    assert measured == {0, 1, 2, 3}, "each run is evaluated soon after"
