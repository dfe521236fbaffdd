"""Runner: training runs in a few warm worker processes, a cap, a queue, a reaper.

The server holds one Runner. It keeps PROCESSES training processes (worker.py) warm,
torch imported, so that a Train click never waits for an import; each holds many runs,
those of the same network shapes trained together as cohorts (cohort.py). A new run goes
to a process that holds no run while there is one (every CPU trains), then to a process
that holds runs of its shape (a cohort it can join), else to the one with the fewest.
Each browser session holds JobHandles; a process's reader thread puts each run's
snapshots into its handle's bounded History, so the page only ever reads the newest one.
The cap counts runs (MAX_RUNS); runs beyond it, or beyond what the processes hold, wait
in a queue with a visible position. A run whose page stopped asking for snapshots
pauses, then ends; a process that dies takes its runs with it (their pages show an
error) and a new one is started in its place.

A *group* (the Compare page's 2–4 runs side by side) queues as one, starts in one
process (in one cohort where their shapes match) and is resumed together once every
member has its first frame.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from gan_core.engine.config import RunConfig
from gan_core.live import cpus
from gan_core.live.handle import ENDED, SETTABLE, JobHandle, check_changes
from gan_core.live.messages import (
    Error,
    Info,
    ModelFile,
    Ready,
    Snap,
    Stop,
    ToServer,
    ToWorker,
    Unhandled,
    handler_for,
)

ROOT = Path(__file__).resolve().parents[2]


def env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


PROCESSES = int(env_number("GANLAB_PROCESSES", cpus.usable()))
"""Training processes, kept warm: one per CPU the server may use (its affinity and its
container's quota: cpus.py); more processes would only share the same cores."""
RUNS_PER_PROCESS = int(env_number("GANLAB_RUNS_PER_PROCESS", 30))
"""Runs one process holds at most: two cohorts (cohort.MAX_STACK) of the lecture's
shape, so that a 2-CPU server trains a lecture hall of 60 at once. One core does the
work of all its runs: each trains slower the more it holds, but none waits in a queue."""
MAX_RUNS = int(env_number("GANLAB_MAX_RUNS", PROCESSES * RUNS_PER_PROCESS))
IDLE_PAUSE_S = env_number("GANLAB_IDLE_PAUSE", 20)
IDLE_STOP_S = env_number("GANLAB_IDLE_STOP", 60)
GONE_GRACE_S = env_number("GANLAB_GONE_GRACE", 5)
"""A run whose page's connection is gone this long ends (a reload reconnects sooner)."""
MAX_STEPS = int(env_number("GANLAB_MAX_STEPS", 1_000_000))
MAX_SECONDS = env_number("GANLAB_MAX_SECONDS", 1800)
MAX_GROUP = 4
"""Runs in one group (one slot)."""


class Worker:
    """One training process (worker.py), our end of its socket, and the runs it holds.

    One thread reads everything the process says and handles each message (HANDLERS:
    most go to their run's handle); sends from the pages' threads take turns on the
    socket.
    """

    def __init__(self, runner: Runner, spare: bool = False):
        """``spare``: warm up in the idle class (worker.py) until a run needs it."""
        ours, theirs = socket.socketpair()
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
        env["GANLAB_IDLE_WARMUP"] = "1" if spare else "0"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gan_core.live.worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            cwd=str(ROOT),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.runner = runner
        self.ready = threading.Event()
        self.pid = self.proc.pid
        self.jobs: dict[int, JobHandle] = {}
        self.dead = False
        self._send_lock = threading.Lock()
        threading.Thread(target=self._read, name=f"worker-{self.pid}", daemon=True).start()

    def wait_ready(self, timeout: float) -> bool:
        return self.ready.wait(timeout)

    def promote(self) -> None:
        """End an idle-class warm-up now: a run is waiting on this worker.

        A spare warms up in SCHED_IDLE (see worker.py); on a busy machine that could
        take forever, so the run that takes it lifts it to normal priority, again every
        half second until it is ready: a Train right after the server started can come
        before the process has put itself in the idle class.
        """

        def lift() -> None:
            while not self.ready.is_set() and self.proc.poll() is None:
                try:
                    os.sched_setscheduler(self.pid, os.SCHED_OTHER, os.sched_param(0))
                except (OSError, AttributeError):
                    return
                self.ready.wait(0.5)

        threading.Thread(target=lift, name="promote", daemon=True).start()

    def send(self, msg: ToWorker) -> bool:
        try:
            with self._send_lock:
                self.conn.send(msg)
            return True
        except (OSError, ValueError):
            return False

    def shapes(self) -> dict[tuple, int]:
        """How many of its runs have each shape key (placement: cohort.shape_key)."""
        from gan_core.engine.cohort import shape_key

        return Counter(shape_key(job.config) for job in list(self.jobs.values()))

    def solo_runs(self) -> int:
        """How many of its runs train in a cohort of their own (``arch`` dcgan)."""
        return sum(job.config.trains_alone for job in list(self.jobs.values()))

    def handle(self, msg: ToServer) -> None:
        """Apply one message with its handler (HANDLERS); Unhandled if it has none."""
        handler_for(HANDLERS, msg, "the server")(self, msg)

    def on_ready(self, msg: Ready) -> None:
        self.ready.set()

    def _read(self) -> None:
        try:
            while True:
                msg = self.conn.recv()
                try:
                    self.handle(msg)
                except Unhandled as exc:  # a sender's bug: said, and the runs go on
                    print(f"gan_core.live.runner: {exc}", file=sys.stderr)
        except (EOFError, OSError, TypeError):
            pass  # (TypeError: the socket was closed under a read)
        self.dead = True
        code = self.proc.wait()
        self.runner.worker_died(self, code)

    def kill(self) -> None:
        self.dead = True
        try:
            self.conn.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def to_job(report: Callable[[JobHandle, ToServer], None]) -> Callable[[Worker, ToServer], None]:
    """The handler of a message about one run: it goes to the run's handle, if the
    process still holds that run."""

    @functools.wraps(report)
    def handle(worker: Worker, msg: ToServer) -> None:
        job = worker.jobs.get(msg.run_id)
        if job is not None:
            report(job, msg)

    return handle


HANDLERS: dict[type[ToServer], Callable[[Worker, ToServer], None]] = {
    Ready: Worker.on_ready,
    Info: to_job(JobHandle.on_info),
    Snap: to_job(JobHandle.on_snap),
    ModelFile: to_job(JobHandle.on_model),
    Error: to_job(JobHandle.on_error),
}
"""The server's handler for each message a training process sends (messages.py)."""


class Runner:
    """Runs in a few long-lived training processes (PROCESSES, kept warm), a cap on runs
    at once (MAX_RUNS), a queue beyond it, and a reaper for runs nobody watches."""

    def __init__(
        self,
        max_runs: int = MAX_RUNS,
        warm: bool = True,
        fps: float = 5.0,
        processes: int = PROCESSES,
        per_process: int = RUNS_PER_PROCESS,
    ):
        self.max_runs = max(int(max_runs), 1)
        self.warm = warm
        self.fps = fps
        self.processes = max(int(processes), 1)
        self.per_process = max(int(per_process), 1)
        self.active: list[JobHandle] = []
        self.queue: deque[JobHandle] = deque()
        self.workers: list[Worker] = []
        self._lock = threading.RLock()
        self._closed = False
        if warm:
            with self._lock:
                for _ in range(self.processes):
                    self.workers.append(Worker(self, spare=True))
        threading.Thread(target=self._reap_loop, name="reaper", daemon=True).start()

    # --- public ----------------------------------------------------------------------
    def submit(self, config: RunConfig, paused: bool = False, alive=None, **opts) -> JobHandle:
        """Queue a run. ``opts`` go to the worker (messages.Start): layers, view_code, view_cont,
        init_state (a model file's bytes: go on from its weights and step), fps, ...;
        ``end_when_done``: at its budget the run leaves its process and frees its place
        (``retire``) instead of waiting, paused, for more Steps."""
        check_changes({k: v for k, v in opts.items() if k in SETTABLE})
        opts = {
            "fps": self.fps,
            "max_steps": MAX_STEPS,
            "max_seconds": MAX_SECONDS,
            "paused": paused,
            **opts,
        }
        job = JobHandle(self, config, opts, alive)
        with self._lock:
            self.queue.append(job)
            self._schedule()
        return job

    def submit_group(
        self, configs: list[RunConfig], paused: bool = False, alive=None, **opts
    ) -> list[JobHandle]:
        """Runs that queue as one, start in one process and (unless ``paused``) resume
        together; each counts against the cap."""
        if not 1 <= len(configs) <= MAX_GROUP:
            raise ValueError(f"a group has 1 to {MAX_GROUP} runs, not {len(configs)}")
        check_changes({k: v for k, v in opts.items() if k in SETTABLE})
        opts = {"fps": self.fps, "max_steps": MAX_STEPS, "max_seconds": MAX_SECONDS, **opts}
        opts["paused"] = True
        jobs: list[JobHandle] = []
        for config in configs:
            slot = jobs[0].id if jobs else None
            jobs.append(JobHandle(self, config, dict(opts), alive, slot))
        for job in jobs:
            job.held = not paused
        with self._lock:
            self.queue.extend(jobs)
            self._schedule()
        if not paused:
            threading.Thread(target=self._start_together, args=(jobs,), daemon=True).start()
        return jobs

    def queue_position(self, job: JobHandle) -> int | None:
        """1 for the next to start; a group's members share their position."""
        with self._lock:
            if job not in self.queue:
                return None
            return list(dict.fromkeys(j.slot for j in self.queue)).index(job.slot) + 1

    def training(self) -> int:
        """Runs training or about to (the pages draw fewer frames when many do)."""
        with self._lock:
            return sum(j.state in ("starting", "running") for j in self.active)

    def stop(self, job: JobHandle) -> None:
        """End a run. It has left the queue, its process and the active runs by the time
        its state says "stopped": a page (or the reaper) that sees it stopped sees its
        place free."""
        with self._lock:
            if job in self.queue:
                self.queue.remove(job)
            if job in self.active:
                self.active.remove(job)
            worker = job.worker
            if worker is not None:
                worker.jobs.pop(job.id, None)
            job.state = "stopped"
        if worker is not None:
            worker.send(Stop(job.id))
        self.release(job)

    def retire(self, job: JobHandle) -> None:
        """A run that reached its budget leaves its process and frees its place, keeping
        its state and snapshots (a sweep's runs: the next cells start at once)."""
        worker = job.worker
        if worker is not None:
            worker.send(Stop(job.id))
        self.release(job)

    def release(self, job: JobHandle) -> None:
        with self._lock:
            if job in self.active:
                self.active.remove(job)
            if job.worker is not None:
                job.worker.jobs.pop(job.id, None)
            self._schedule()

    def worker_died(self, worker: Worker, code: int) -> None:
        """A process ended: its runs show an error, their slots free up, a new process
        takes its place (kept warm)."""
        with self._lock:
            if worker in self.workers:
                self.workers.remove(worker)
            jobs = list(worker.jobs.values())
        for job in jobs:
            job.died(code)
            self.release(job)
        with self._lock:
            if self.warm and not self._closed and len(self.workers) < self.processes:
                self.workers.append(Worker(self, spare=True))
            self._schedule()

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self.workers]

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            jobs = list(self.active) + list(self.queue)
        for job in jobs:
            self.stop(job)
        with self._lock:
            workers, self.workers = list(self.workers), []
        for worker in workers:
            worker.kill()

    # --- internals -------------------------------------------------------------------
    def _schedule(self) -> None:
        """Start queued runs while there is room: under the cap, and in a process."""
        while not self._closed and self.queue:
            slot = self.queue[0].slot
            jobs = [j for j in self.queue if j.slot == slot]
            if self.active and len(self.active) + len(jobs) > self.max_runs:
                return  # (a group larger than the cap starts when nothing else runs)
            worker = self._place([j.config for j in jobs])
            if worker is None:
                return
            if not worker.ready.is_set():
                worker.promote()
            for job in jobs:
                self.queue.remove(job)
                self.active.append(job)
                job.attach(worker)

    def _place(self, configs: list[RunConfig]) -> Worker | None:
        """A process for these runs. Spread first, so that every CPU trains: a process
        holding no run (a ready one first), else a new one (up to PROCESSES); once each
        holds runs, one holding runs of their shape (a cohort they may join), the
        emptiest; else the one with the fewest runs. A convolutional run joins no cohort
        and costs a whole step of its own: it goes where the fewest such runs are."""
        from gan_core.engine.cohort import MAX_STACK, shape_key

        n = len(configs)
        room = [
            w
            for w in self.workers
            if not w.dead and (len(w.jobs) + n <= self.per_process or not w.jobs)
        ]
        empty = [w for w in room if not w.jobs]
        if empty:
            return next((w for w in empty if w.ready.is_set()), empty[0])
        if len(self.workers) < self.processes:
            worker = Worker(self)
            self.workers.append(worker)
            return worker
        if configs[0].trains_alone:
            return min(room, key=lambda w: (w.solo_runs(), len(w.jobs))) if room else None
        key = shape_key(configs[0])
        fitting = [w for w in room if w.shapes().get(key, 0) % MAX_STACK]
        return min(fitting or room, key=lambda w: len(w.jobs)) if room else None

    def _start_together(self, jobs: list[JobHandle]) -> None:
        """Resume a group's members once all have their first frame (or have ended).

        A member stays ``held`` until its process says it runs: between the resume and
        that frame its state is still "paused", and a page drawn then would show Train
        instead of Pause."""
        while not self._closed and any(
            j.first_frame_s is None and j.state not in ENDED for j in jobs
        ):
            time.sleep(0.05)
        resumed = [job for job in jobs if job.held]
        for job in resumed:
            job.resume()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(j.held and j.state == "paused" for j in resumed):
            time.sleep(0.02)
        for job in resumed:
            job.held = False

    def _reap_loop(self) -> None:
        while not self._closed:
            time.sleep(1.0)
            self.reap()

    def reap(self) -> None:
        """Pause runs nobody looks at, end those left for longer."""
        now = time.monotonic()
        with self._lock:
            jobs = list(self.active) + list(self.queue)
        for job in jobs:
            if job.alive is not None and not job.alive():
                job.gone_since = job.gone_since or now
                if now - job.gone_since > GONE_GRACE_S:
                    job.message = "ended: its page was closed"
                    self.stop(job)
                    continue
            else:
                job.gone_since = None
            idle = now - job.last_poll
            if idle > IDLE_STOP_S:
                job.message = f"ended: nobody watched it for {IDLE_STOP_S:g} s"
                self.stop(job)
            elif idle > IDLE_PAUSE_S and job.state == "running":
                job.idle_paused = True
                job.pause()
