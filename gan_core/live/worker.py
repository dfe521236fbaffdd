"""A training process: ``python -m gan_core.live.worker FD``, holding many runs.

Started from this module entry point (never by multiprocessing spawn/fork from the
Streamlit server: see DESIGN's pitfalls), it warms up (imports torch, runs a throw-away
step), says ``ready``, then trains whatever runs it is given. Runs of the same network
shapes train together as cohorts (cohort.py: one stacked model, one pass for all); a run
joins a cohort when it starts or resumes and leaves it when it pauses, finishes or
diverges, without stopping the others. Every ~1/fps seconds it sends each training run
a Snapshot. It talks over one socket (a multiprocessing Connection) and exits when the
other end goes away, so a server that dies leaves no workers behind.

Messages to the worker:   ("start", id, RunConfig, opts) · ("pause", id) · ("resume", id) ·
                          ("step", id, n, mode) · ("save", id) · ("stop", id) ·
                          ("set", id, {lr_g, lr_d, d_steps, speed, mode,
                                       layers, view_code, view_cont})
Messages from the worker: ("ready", pid) · ("info", id, RunInfo) · ("snap", id, Snapshot) ·
                          ("model", id, bytes) · ("error", id, message)

Start opts: fps, max_steps, max_seconds, paused, layers (probe names, see probes.py),
view_code, view_cont, picture (False: no cloud image, the Sweep page shows
figures only), dot (the generated points' radius in pixels: raster.PRESENT_DOT in
presentation mode), metrics_every (seconds between evaluations at least: a sweep's map needs
few, each costs ~45 ms), and init_state (a model file from modelfile.model_bytes: the run
goes on from its weights, optimiser states and step).
"""

from __future__ import annotations

import dataclasses
import os
import resource
import sys
import time
from multiprocessing.connection import Connection

import gan_core  # noqa: F401  (MKL's reproducible mode, before torch uses MKL)


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


METRICS_EVERY = 1.0
"""Seconds between metric evaluations: they change slowly, the points every frame. With
many training runs in the process, longer (METRICS_SHARE)."""
METRICS_SHARE = 0.1
"""Evaluations (about 30 ms a run for the plane's metrics and k-NN coverage, measured as
they go) take at most this share of the process: a class's 16 runs are evaluated every
~5 s, not every second, which took a quarter of the process from the training
(bench/load.py, py-spy)."""
IMAGE_METRICS = 3.0
"""Digits are evaluated at least this many times less often: judging 2,500 images and 64-D nearest
neighbours cost about 60 ms, and the Compare page's three digit runs spent a sixth of
their process on it (bench/compare.py)."""
SLICE_PER_RUN = 0.0025
"""Seconds a cohort trains per run in it before the process looks at its messages and
frames again (a cohort of 16 trains 40 ms): runs get about equal shares of the process."""
FRAMES_PER_S = 48.0
"""Snapshots a process sends per second at most, over all its runs: 3 a second for each
of 16 runs, a little more than their pages draw when thirty pages are open (2.9, ui/live.py's
PACES), so that each redraw finds a new frame and drawing does not eat the training (a
frame costs ~1.5 ms here, most of it the PNG; at 4 a second a class's frames took a
quarter of the process and most were never shown)."""
MIN_FPS = 2.0


class Run:
    """One run in this process: its trainer, its state, what its page asked to see."""

    def __init__(self, proc: Process, run_id: int, cfg, opts: dict):
        from gan_core.engine.evaluation import Evaluator
        from gan_core.engine.snapshot import run_info
        from gan_core.engine.trainer import Trainer

        self.proc, self.id = proc, run_id
        if opts.get("init_state"):
            from gan_core.engine.modelfile import load_trainer

            self.trainer = load_trainer(opts["init_state"], cfg)
        else:
            self.trainer = Trainer(cfg)
        self.layers: tuple[str, ...] = ()
        self.view_code: int | None = None
        self.view_cont: float | None = None
        self.set_view(opts)
        self.evaluator = Evaluator(self.trainer)
        self.info = run_info(self.trainer, self.evaluator)
        self.background = None  # the cloud's real points, drawn at the first frame
        self.drawn = bool(opts.get("picture", True))  # the Sweep's runs send figures only
        self.dot = float(opts.get("dot", 0.0))  # points' radius; 0: raster.DOT
        self.metrics_every = float(opts.get("metrics_every", 0.0))  # at least this often
        self.fps = float(opts.get("fps", 5.0))
        self.max_steps = int(opts.get("max_steps", 0)) or None
        self.max_seconds = float(opts.get("max_seconds", 0)) or None
        self.speed = 0.0  # steps per second; 0 = flat out
        self.mode = "both"
        self.state = "paused" if opts.get("paused") else "running"
        self.message = ""
        self.pending: list[str] = []  # step modes of asked-for single steps (Step)
        self.trained = ""  # what the last step trained (the diagram lights it)
        self.elapsed = 0.0  # seconds of training
        self.rate = 0.0
        self.metrics: dict | None = None
        self.means: tuple | None = None  # (d_real, d_fake): with the metrics
        self.metrics_at = -1.0
        self.sent_at = time.perf_counter()
        self.sent_step = self.trainer.step_count
        self.pace_from = (time.perf_counter(), self.trainer.step_count)
        proc.send("info", run_id, self.info)
        self.send()

    @property
    def training(self) -> bool:
        return self.state == "running" or bool(self.pending)

    def due(self, now: float) -> bool:
        """Whether this run steps in the cohort's next step (its speed limit allows)."""
        return self.wait(now) <= 0

    def wait(self, now: float) -> float:
        """Seconds until this run's speed limit lets it take its next step."""
        if self.pending or self.speed <= 0:
            return 0.0
        start, steps = self.pace_from
        return (self.trainer.step_count - steps) / self.speed - (now - start)

    def mode_now(self) -> str:
        return self.pending[0] if self.pending else self.mode

    def stepped(self, mode: str) -> None:
        """After a step it took (``mode``: what it trained): the asked-for steps count
        down, budgets are checked."""
        self.trained = mode
        if self.pending:
            self.pending.pop(0)
            if not self.pending and self.state != "running":
                self.send()
        t = self.trainer
        if self.max_steps and t.step_count >= self.max_steps:
            self.finish("done", f"reached the step budget ({self.max_steps:,})")

    def finish(self, state: str, message: str) -> None:
        self.state, self.message = state, message
        self.pending.clear()
        self.send()

    def send(self, now: float | None = None) -> None:
        """A snapshot; the evaluation (and the diagram's D means) only every ``every``
        seconds (METRICS_EVERY at least, longer by METRICS_SHARE)."""
        from gan_core.engine.snapshot import take

        now = time.perf_counter() if now is None else now
        step = self.trainer.step_count
        if now > self.sent_at and step != self.sent_step:
            self.rate = (step - self.sent_step) / (now - self.sent_at)
        elif self.state != "running":
            self.rate = 0.0 if step == self.sent_step else self.rate
        self.sent_at, self.sent_step = now, step
        every = max(self.proc.metrics_every, self.metrics_every)
        if self.info.image:
            every = max(every, METRICS_EVERY * IMAGE_METRICS)
        fresh = self.state != "running" or now - self.metrics_at >= every
        t0 = time.perf_counter()
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
            trained=self.trained,
            means=None if fresh else self.means,
        )
        if fresh:
            self.metrics, self.metrics_at = snap.metrics, now
            self.means = snap.d_real, snap.d_fake
            self.proc.evaluated(time.perf_counter() - t0)
        image = self.picture(snap) if self.drawn else None
        self.proc.send("snap", self.id, dataclasses.replace(snap, image=image))

    def picture(self, snap) -> str:
        """The cloud drawn here, not by the server that serves every page (raster.py)."""
        from gan_core.engine.snapshot import GRID
        from gan_core.figures import raster

        if self.info.image is not None:  # digits: G's sheet (the page adds the real one)
            return raster.made_sheet(self.info, snap.fake, GRID, GRID)
        if self.background is None:
            self.background = raster.real_layer(self.info.real, self.info.extent)
        return raster.cloud(
            self.info, snap.fake, snap.codes, self.background, self.dot or raster.DOT
        )

    VIEW_KEYS = ("layers", "view_code", "view_cont")

    def set_view(self, changes: dict) -> bool:
        """Apply the view settings among ``changes``; True if there were any."""
        from gan_core.engine.probes import check_layers

        if "layers" in changes:
            self.layers = check_layers(changes["layers"] or ())
        if "view_code" in changes:
            code = changes["view_code"]
            self.view_code = None if code is None else int(code)
        if "view_cont" in changes:
            cont = changes["view_cont"]
            self.view_cont = None if cont is None else float(cont)
        return any(key in changes for key in self.VIEW_KEYS)

    def handle(self, kind: str, args: tuple) -> bool:
        """Apply one command; False when the run should end."""
        if kind == "stop":
            return False
        if kind == "pause" and self.state == "running":
            self.state = "paused"
            self.send()
        elif kind == "resume" and self.state == "paused":
            self.state = "running"
            self.pace_from = (time.perf_counter(), self.trainer.step_count)
        elif kind == "step" and self.state in ("paused", "done"):
            n, mode = int(args[0]), args[1]
            self.pending += [mode] * n
        elif kind == "set":
            changes = args[0]
            self.trainer.set_lr(changes.get("lr_g"), changes.get("lr_d"))
            if "d_steps" in changes:
                self.trainer.set_d_steps(changes["d_steps"])
            if "speed" in changes:
                self.speed = float(changes["speed"] or 0.0)
                self.pace_from = (time.perf_counter(), self.trainer.step_count)
            self.mode = changes.get("mode", self.mode)
            if self.set_view(changes) and not self.training:
                self.send()  # a paused view shows the new layers at once
        elif kind == "save":
            from gan_core.engine.modelfile import model_bytes

            self.proc.send("model", self.id, model_bytes(self.trainer))
        return True


class Process:
    """This worker process: its runs, their cohorts, the loop that trains them."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.runs: dict[int, Run] = {}
        self.cohorts: list = []
        self.metrics_every = METRICS_EVERY
        self.eval_cost = 0.03  # seconds a frame with its evaluation takes (running mean)
        self.next_frame = 0.0  # when the next frame of a training run falls due

    def send(self, *msg) -> None:
        self.conn.send(msg)

    def evaluated(self, seconds: float) -> None:
        self.eval_cost += 0.2 * (seconds - self.eval_cost)

    # --- commands ----------------------------------------------------------------------
    def handle(self, msg) -> None:
        kind, run_id, *args = msg
        if kind == "start":
            try:
                self.runs[run_id] = Run(self, run_id, *args)
            except Exception as exc:  # a refused model file, …: that run's page explains
                self.send("error", run_id, f"{type(exc).__name__}: {exc}")
            return
        run = self.runs.get(run_id)
        if run is None:
            return
        try:
            keep = run.handle(kind, tuple(args))
        except Exception as exc:  # this run's failure, not the others'
            self.send("error", run_id, f"{type(exc).__name__}: {exc}")
            keep = False
        if not keep:
            self.leave(run)
            del self.runs[run_id]

    # --- cohorts -----------------------------------------------------------------------
    def join(self, run: Run) -> None:
        """Put a training run into a cohort of its shape with room, or a new one."""
        from gan_core.engine.cohort import Cohort

        t = run.trainer
        if t.cohort is not None and t.cohort in self.cohorts:
            return
        home = next((c for c in self.cohorts if c.fits(t.cfg)), None)
        if home is None:
            home = Cohort()
            self.cohorts.append(home)
        home.add(t)

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
            if now - run.sent_at >= interval:
                run.send(now)
            wait = min(wait, run.sent_at + interval - now)
        self.next_frame = now + max(wait, 0.0)
        return max(wait, 0.0)

    def loop(self) -> None:
        timeout = 1.0
        while True:
            while self.conn.poll(timeout):
                self.handle(self.conn.recv())
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


WORKER_NICE = int(os.environ.get("GANLAB_WORKER_NICE", "5"))
"""Training yields to the web server: frames and clicks stay quick however many runs."""


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
    conn.send(("ready", os.getpid()))
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
