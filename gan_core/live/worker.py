"""A training process: ``python -m gan_core.live.worker FD``, holding many runs.

Started from this module entry point, never by multiprocessing from the Streamlit server
(a spawned child re-runs the page script, the server's main module; a fork copies its
event-loop threads and torch's thread pools), it warms up (imports torch, runs a
throw-away step), says Ready, then trains whatever runs it is given. Runs of the same
network shapes train together as cohorts (cohort.py: one stacked model, one pass for
all); a run joins a cohort when it starts or resumes and leaves it when it pauses,
finishes or diverges, without stopping the others. Every ~1/fps seconds it sends each
training run a snapshot. It talks over one socket (a multiprocessing Connection) in the
messages of messages.py, one handler for each (HANDLERS), and exits when the other end
goes away, so a server that dies leaves no workers behind.
"""

from __future__ import annotations

import functools
import os
import resource
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

import gan_core  # noqa: F401  (MKL's reproducible mode, before torch uses MKL)
from gan_core.live.messages import (
    Error,
    Pause,
    Ready,
    Resume,
    Save,
    Set,
    Start,
    Step,
    Stop,
    ToServer,
    ToWorker,
    Unhandled,
    handler_for,
)
from gan_core.live.run import METRICS_EVERY, Run


def _idle_while_warming() -> bool:
    """Warm up in the idle scheduling class when we may leave it afterwards.

    Leaving SCHED_IDLE needs root or an RLIMIT_NICE that allows nice 0; elsewhere the
    warm-up runs at normal priority.
    """
    try:
        allowed = os.geteuid() == 0 or resource.getrlimit(resource.RLIMIT_NICE)[0] >= 20
        if allowed:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return allowed
    except (OSError, AttributeError):
        return False


def _leave_idle() -> None:
    try:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    except (OSError, AttributeError):
        pass


def warm_up() -> None:
    """Pay torch's import and first-step costs before anyone presses Train."""
    import torch

    torch.set_num_threads(1)
    from gan_core.engine.config import RunConfig
    from gan_core.engine.snapshot import take
    from gan_core.engine.trainer import Trainer

    t = Trainer(RunConfig(target="ring", n_points=200))
    t.run(3)
    take(t, None, 0.0, 0.0)


METRICS_SHARE = 0.1
"""Evaluations take at most this share of the process (their cost is measured as they
go): with a class's 16 runs in one process each is evaluated every few seconds, not
every second, and the training keeps the rest."""
SLICE_PER_RUN = 0.0025
"""Seconds a cohort trains per run in it before the process looks at its messages and
frames again (a cohort of 16 trains 40 ms): runs get about equal shares of the process."""
FRAMES_PER_S = 48.0
"""Snapshots a process sends per second over all its runs, when that gives each run at
least MIN_FPS: drawing them (mostly the PNG) must not eat the training with frames no
page shows."""
MIN_FPS = 3.0
"""Snapshots each training run gets a second however many share the process: a little
more than a page fetches when many pages are open (ui/live.py's PACES), so that each
fetch finds a new frame."""


class Process:
    """This worker process: its runs, their cohorts, the loop that trains them."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.runs: dict[int, Run] = {}
        self.cohorts: list = []
        self.metrics_every = METRICS_EVERY
        self.eval_cost = 0.03  # seconds a frame with its evaluation takes (running mean)
        self.next_frame = 0.0  # when the next frame of a training run falls due

    def send(self, msg: ToServer) -> None:
        self.conn.send(msg)

    def evaluated(self, seconds: float) -> None:
        self.eval_cost += 0.2 * (seconds - self.eval_cost)

    # --- messages from the server ---------------------------------------------------
    def handle(self, msg: ToWorker) -> None:
        """Apply one message with its handler (HANDLERS); Unhandled if it has none."""
        handler_for(HANDLERS, msg, "the training process")(self, msg)

    def start(self, msg: Start) -> None:
        try:
            self.runs[msg.run_id] = Run(self, msg.run_id, msg.config, msg.opts)
        except Exception as exc:  # a refused model file, …: that run's page explains
            self.fail(msg.run_id, exc)

    def stop(self, msg: Stop) -> None:
        run = self.runs.pop(msg.run_id, None)
        if run is not None:
            self.leave(run)

    def fail(self, run_id: int, exc: Exception) -> None:
        """Run ``run_id`` failed: its page says why, the run leaves, the others go on."""
        self.send(Error(run_id, f"{type(exc).__name__}: {exc}"))
        self.stop(Stop(run_id))

    # --- cohorts -----------------------------------------------------------------------
    def join(self, run: Run) -> None:
        """Put a training run into a cohort of its shape with room, or a new one."""
        from gan_core.engine import together

        t = run.trainer
        if t.cohort is not None and t.cohort in self.cohorts:
            return
        together.join(t, self.cohorts)

    def leave(self, run: Run) -> None:
        cohort = run.trainer.cohort
        if cohort is not None:
            cohort.remove(run.trainer)
            if not cohort.members and cohort in self.cohorts:
                self.cohorts.remove(cohort)

    # --- training ----------------------------------------------------------------------
    def train(self) -> int:
        """One round: each cohort with runs that step trains for a slice of time (longer
        for more runs); the number of steps taken."""

        by_trainer = {}
        for run in self.runs.values():
            if run.training:
                self.join(run)
                by_trainer[run.trainer] = run
            elif run.trainer.cohort is not None:
                self.leave(run)
        taken = 0
        for cohort in list(self.cohorts):
            members = [by_trainer[t] for t in cohort.members if t in by_trainer]
            if not members:
                continue
            t0 = now = time.perf_counter()
            # a slice for this cohort, cut short when a frame falls due
            budget = min(SLICE_PER_RUN * max(len(members), 2), max(self.next_frame - t0, 0.005))
            while now - t0 < budget:
                plan = {r.trainer: r.mode_now() for r in members if r.training and r.due(now)}
                if not plan:
                    break
                diverged = cohort.train(plan)  # (reports diverged runs, never raises)
                taken += len(plan)
                for t, mode in plan.items():
                    by_trainer[t].stepped(mode)
                for t, exc in diverged:
                    by_trainer[t].finish("diverged", str(exc))
                now = time.perf_counter()
                if any(not r.training for r in members):
                    break  # a run paused, finished or diverged: the stack changes
            dt = time.perf_counter() - t0
            for run in members:
                run.elapsed += dt
                if run.max_seconds and run.elapsed >= run.max_seconds and run.state == "running":
                    run.finish("done", f"reached the time budget ({run.max_seconds:g} s)")
            self.send_frames()  # after each cohort's slice: frames keep their pace
        return taken

    def send_frames(self) -> float:
        """Frames for the training runs whose time has come; seconds until the next."""
        now = time.perf_counter()
        running = [r for r in self.runs.values() if r.state == "running"]
        self.metrics_every = max(METRICS_EVERY, len(running) * self.eval_cost / METRICS_SHARE)
        share = max(MIN_FPS, FRAMES_PER_S / max(len(running), 1))
        wait = 1.0
        for run in running:
            interval = 1.0 / min(run.fps, share)
            if now - run.sent_at >= interval or run.first_trained:
                run.send(now)
            wait = min(wait, run.sent_at + interval - now)
        self.next_frame = now + max(wait, 0.0)
        return max(wait, 0.0)

    def loop(self) -> None:
        timeout = 1.0
        while True:
            while self.conn.poll(timeout):
                try:
                    self.handle(self.conn.recv())
                except Unhandled as exc:  # a sender's bug: said, and the runs go on
                    print(f"gan_core.live.worker: {exc}", file=sys.stderr)
                timeout = 0
            timeout = 1.0
            if any(r.training for r in self.runs.values()):
                taken = self.train()
                until_frame = self.send_frames()
                if taken:
                    timeout = 0
                else:  # speed limits hold every run back: sleep until one may step
                    now = time.perf_counter()
                    ahead = min(r.wait(now) for r in self.runs.values() if r.training)
                    timeout = max(0.0, min(ahead, until_frame, 0.05))


def to_run(command: Callable[[Run, ToWorker], None]) -> Callable[[Process, ToWorker], None]:
    """The handler of a command to one run: applied if the process holds the run; when it
    fails, that run alone ends, with an Error to its page."""

    @functools.wraps(command)
    def handle(proc: Process, msg: ToWorker) -> None:
        run = proc.runs.get(msg.run_id)
        if run is not None:
            try:
                command(run, msg)
            except Exception as exc:  # this run's failure, not the others'
                proc.fail(run.id, exc)

    return handle


HANDLERS: dict[type[ToWorker], Callable[[Process, ToWorker], None]] = {
    Start: Process.start,
    Pause: to_run(Run.pause),
    Resume: to_run(Run.resume),
    Step: to_run(Run.step),
    Set: to_run(Run.set),
    Save: to_run(Run.save),
    Stop: Process.stop,
}
"""The training process's handler for each message the server sends (messages.py)."""


WORKER_NICE = int(os.environ.get("GANLAB_WORKER_NICE", "10"))
"""Training yields to the web server: frames and clicks stay quick however many runs. (At
nice 10 a process weighs a ninth of the server when both want a CPU; when a class
presses Train together the server's burst of redraws then passes before the training's
turn, and the training keeps every CPU the server leaves.)"""


def main(fd: int) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        os.nice(WORKER_NICE)
    except OSError:
        pass
    conn = Connection(fd)
    # only a spare warms up idle: a process a run waits for would starve on a busy
    # machine (a run that takes a spare lifts it until it is ready: runner.promote)
    idle = os.environ.get("GANLAB_IDLE_WARMUP") == "1" and _idle_while_warming()
    warm_up()
    conn.send(Ready(os.getpid()))
    try:
        if idle:
            # at normal priority as soon as there is work (a message), not before
            conn.poll(None)
            _leave_idle()
        Process(conn).loop()
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the server went away: end quietly


if __name__ == "__main__":
    main(int(sys.argv[1]))
