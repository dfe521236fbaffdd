"""A training worker process: ``python -m gan_core.worker FD``.

Started from this module entry point (never by multiprocessing spawn/fork from the
Streamlit server: see DESIGN's pitfalls), it warms up (imports torch, runs a throw-away
step), says ``ready``, then waits for one run. It trains flat out and, every ~1/fps
seconds, sends a Snapshot. It talks over one socket (a multiprocessing Connection) and
exits when the other end goes away, so a server that dies leaves no workers behind.

Messages to the worker:   ("start", RunConfig, opts) · ("pause",) · ("resume",) ·
                          ("step", n, mode) · ("save",) · ("stop",) ·
                          ("set", {lr_g, lr_d, d_steps, speed, mode,
                                   layers, view_code, view_cont})
Messages from the worker: ("ready", pid) · ("info", RunInfo) · ("snap", Snapshot) ·
                          ("model", bytes) · ("error", message)

Start opts: fps, max_steps, max_seconds, paused, layers (probe names, see probes.py),
view_code, view_cont, and init_state (a model file from export.model_bytes: the run
goes on from its weights, optimiser states and step).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from multiprocessing.connection import Connection


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
    from gan_core.config import RunConfig
    from gan_core.snapshot import take
    from gan_core.trainer import Trainer

    t = Trainer(RunConfig(target="ring", n_points=200))
    t.run(3)
    take(t, None, 0.0, 0.0)


METRICS_EVERY = 1.0
"""Seconds between metric evaluations: they change slowly, the points every frame."""


class Job:
    """The training loop of one run, driven by commands."""

    def __init__(self, conn: Connection, cfg, opts: dict):
        from gan_core.evaluation import Evaluator
        from gan_core.snapshot import run_info
        from gan_core.trainer import Trainer

        self.conn = conn
        if opts.get("init_state"):
            from gan_core.export import load_trainer

            self.trainer = load_trainer(opts["init_state"], cfg)
        else:
            self.trainer = Trainer(cfg)
        self.layers: tuple[str, ...] = ()
        self.view_code: int | None = None
        self.view_cont: float | None = None
        self.set_view(opts)
        self.evaluator = Evaluator(self.trainer)
        self.interval = 1.0 / float(opts.get("fps", 5.0))
        self.max_steps = int(opts.get("max_steps", 0)) or None
        self.max_seconds = float(opts.get("max_seconds", 0)) or None
        self.speed = 0.0  # steps per second; 0 = flat out
        self.mode = "both"
        self.state = "paused" if opts.get("paused") else "running"
        self.message = ""
        self.elapsed = 0.0
        self.rate = 0.0
        self.metrics: dict | None = None
        self.metrics_at = -1.0
        conn.send(("info", run_info(self.trainer, self.evaluator)))
        self.send()

    def send(self) -> None:
        """A snapshot; the 2,500-point evaluation only every METRICS_EVERY seconds."""
        from gan_core.snapshot import take

        now = time.perf_counter()
        fresh = self.state != "running" or now - self.metrics_at >= METRICS_EVERY
        snap = take(
            self.trainer,
            self.evaluator,
            self.elapsed,
            self.rate,
            state=self.state,
            message=self.message,
            view_seed=self.trainer.cfg.seed + 3,
            metrics=None if fresh else self.metrics,
            layers=self.layers,
            view_code=self.view_code,
            view_cont=self.view_cont,
        )
        if fresh:
            self.metrics, self.metrics_at = snap.metrics, now
        self.conn.send(("snap", snap))

    VIEW_KEYS = ("layers", "view_code", "view_cont")

    def set_view(self, changes: dict) -> bool:
        """Apply the view settings among ``changes``; True if there were any."""
        from gan_core.probes import check_layers

        if "layers" in changes:
            self.layers = check_layers(changes["layers"] or ())
        if "view_code" in changes:
            code = changes["view_code"]
            self.view_code = None if code is None else int(code)
        if "view_cont" in changes:
            cont = changes["view_cont"]
            self.view_cont = None if cont is None else float(cont)
        return any(key in changes for key in self.VIEW_KEYS)

    def handle(self, msg) -> bool:
        """Apply one command; False when the run should end."""
        kind = msg[0]
        if kind == "stop":
            return False
        if kind == "pause" and self.state == "running":
            self.state = "paused"
            self.send()
        elif kind == "resume" and self.state == "paused":
            self.state = "running"
        elif kind == "step" and self.state in ("paused", "done"):
            n, mode = int(msg[1]), msg[2]
            self.train(n, mode, budget=None)
            self.send()
        elif kind == "set":
            changes = msg[1]
            self.trainer.set_lr(changes.get("lr_g"), changes.get("lr_d"))
            if "d_steps" in changes:
                self.trainer.set_d_steps(changes["d_steps"])
            self.speed = float(changes.get("speed", self.speed) or 0.0)
            self.mode = changes.get("mode", self.mode)
            if self.set_view(changes) and self.state != "running":
                self.send()  # a paused view shows the new layers at once
        elif kind == "save":
            from gan_core.export import model_bytes

            self.conn.send(("model", model_bytes(self.trainer)))
        return True

    def train(self, n: int | None, mode: str, budget: float | None) -> None:
        """Train n steps, or for ``budget`` seconds; catch divergence."""
        from gan_core.trainer import Diverged

        t0 = time.perf_counter()
        start_step = self.trainer.step_count
        done = 0
        try:
            while True:
                self.trainer.step(mode)
                done += 1
                now = time.perf_counter()
                if n is not None and done >= n:
                    break
                if budget is not None and now - t0 >= budget:
                    break
                if self.max_steps and self.trainer.step_count >= self.max_steps:
                    break
                if self.speed > 0:
                    ahead = done / self.speed - (now - t0)
                    if ahead > 0:
                        time.sleep(min(ahead, budget or ahead))
            self.trainer.check()
        except Diverged as exc:
            self.state = "diverged"
            self.message = str(exc)
        dt = time.perf_counter() - t0
        self.elapsed += dt
        if dt > 0:
            self.rate = (self.trainer.step_count - start_step) / dt
        if self.max_steps and self.trainer.step_count >= self.max_steps:
            self.state, self.message = "done", f"reached the step budget ({self.max_steps:,})"
        if self.max_seconds and self.elapsed >= self.max_seconds:
            self.state = "done"
            self.message = f"reached the time budget ({self.max_seconds:g} s)"

    def loop(self) -> None:
        while True:
            timeout = 0 if self.state == "running" else 1.0
            while self.conn.poll(timeout):
                if not self.handle(self.conn.recv()):
                    return
                timeout = 0
            if self.state == "running":
                self.train(None, self.mode, self.interval)
                self.send()


WORKER_NICE = int(os.environ.get("GANLAB_WORKER_NICE", "5"))
"""Training yields to the web server: frames and clicks stay quick however many runs."""


def main(fd: int) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        os.nice(WORKER_NICE)
    except OSError:
        pass
    conn = Connection(fd)
    # only a spare warms up idle: a run's own worker would starve on a busy machine (the
    # runner's promote() can come before this line, which would then undo it)
    idle = os.environ.get("GANLAB_IDLE_WARMUP") == "1" and _idle_while_warming()
    warm_up()
    conn.send(("ready", os.getpid()))
    try:
        msg = conn.recv()
        if idle:
            _leave_idle()
        if msg[0] != "start":
            return
        Job(conn, msg[1], msg[2]).loop()
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the server went away: end quietly
    except Exception as exc:  # report, so the page can explain instead of hanging
        try:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
        raise


if __name__ == "__main__":
    main(int(sys.argv[1]))
