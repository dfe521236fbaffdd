"""One run inside a training process (worker.py): its trainer, its state, the commands
it obeys and the snapshots it sends. The server's side of the same run is handle.py."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from gan_core.live.messages import Info, ModelFile, Pause, Resume, Save, Set, Snap, Step

if TYPE_CHECKING:
    from gan_core.engine.config import RunConfig
    from gan_core.live.worker import Process

METRICS_EVERY = 1.0
"""Seconds between metric evaluations: they change slowly, the points every frame. With
many training runs in the process, longer (worker.METRICS_SHARE)."""
IMAGE_METRICS = 3.0
"""Digits are evaluated at least this many times less often: judging 2,500 images and
64-D nearest neighbours costs more than the plane's metrics, and changes as slowly."""


class Run:
    """One run in this process: its trainer, its state, what its page asked to see."""

    def __init__(self, proc: Process, run_id: int, cfg: RunConfig, opts: dict):
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
        self.speed = float(opts.get("speed") or 0.0)  # steps per second; 0 = flat out
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
        self.sent_step = self.start_step = self.trainer.step_count
        self.pace_from = (time.perf_counter(), self.trainer.step_count)
        proc.send(Info(run_id, self.info))
        if self.state == "running":
            # the page's first frame comes at once, without an evaluation (a class's runs
            # start together: thirty evaluations would hold every first frame back); the
            # first evaluation comes within METRICS_EVERY, staggered among the process's runs
            self.metrics_at = self.sent_at - METRICS_EVERY * ((run_id * 0.618) % 1.0)
        self.send()

    @property
    def first_trained(self) -> bool:
        """Trained since its first frame, which showed the step it started at: its page
        waits for the next frame to see it train, which goes out at once."""
        return self.sent_step == self.start_step != self.trainer.step_count

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
        seconds (METRICS_EVERY at least, longer by worker.METRICS_SHARE)."""
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
            metrics=None if fresh else self.metrics or {},
            layers=self.layers,
            view_code=self.view_code,
            view_cont=self.view_cont,
            trained=self.trained,
            means=None if fresh else self.means,
        )
        if fresh:
            self.metrics, self.metrics_at = snap.metrics, now
            self.proc.evaluated(time.perf_counter() - t0)
        if fresh or self.means is None:  # (a start's frame: kept until the first evaluation)
            self.means = snap.d_real, snap.d_fake
        image = self.picture(snap) if self.drawn else None
        self.proc.send(Snap(self.id, dataclasses.replace(snap, image=image)))

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

    # --- commands to this run (worker.HANDLERS) -----------------------------------------
    def pause(self, msg: Pause) -> None:
        if self.state == "running":
            self.state = "paused"
            self.send()

    def resume(self, msg: Resume) -> None:
        if self.state == "paused":
            self.state = "running"
            self.pace_from = (time.perf_counter(), self.trainer.step_count)

    def step(self, msg: Step) -> None:
        if self.state in ("paused", "done"):
            self.pending += [msg.mode] * int(msg.n)

    def set(self, msg: Set) -> None:
        changes = msg.changes
        self.trainer.set_lr(changes.get("lr_g"), changes.get("lr_d"))
        if "d_steps" in changes:
            self.trainer.set_d_steps(changes["d_steps"])
        if "speed" in changes:
            self.speed = float(changes["speed"] or 0.0)
            self.pace_from = (time.perf_counter(), self.trainer.step_count)
        self.mode = changes.get("mode", self.mode)
        if self.set_view(changes) and not self.training:
            self.send()  # a paused view shows the new layers at once

    def save(self, msg: Save) -> None:
        from gan_core.engine.modelfile import model_bytes

        self.proc.send(ModelFile(self.id, model_bytes(self.trainer)))
