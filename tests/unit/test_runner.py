"""Runner and worker processes: real subprocesses, waits on conditions with timeouts."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from gan_core.engine import modelfile
from gan_core.engine.config import RunConfig
from gan_core.engine.snapshot import Snapshot
from gan_core.live import runner as R
from gan_core.live.history import History


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


def idle(pid, seconds=0.5):
    """The process used (almost) no CPU over ``seconds``."""

    def cpu():
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = cpu()
    time.sleep(seconds)
    return cpu() - before < 0.1 * seconds


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
        "import sys, pkgutil, importlib, gan_core;"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(gan_core.__path__, "
        "'gan_core.') if m.name != 'gan_core.__main__'];"
        "from gan_core.live import worker; worker.warm_up();"
        "assert 'streamlit' not in sys.modules, 'streamlit imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_run_streams_snapshots_and_obeys_commands(runner):
    job = runner.submit(RunConfig(target="ring", gan="cgan"))
    wait_for(lambda: job.step > 0, what="first steps")
    assert job.info is not None and job.info.centres.shape == (8, 2)
    # the first frames come without an evaluation; the first one comes within a second
    wait_for(lambda: "modes" in job.latest().metrics, timeout=10, what="an evaluation")
    snap = job.latest()
    assert snap.fake.shape[1] == 2 and snap.step > 0

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

    worker = job.worker
    job.stop()
    assert job.state == "stopped" and job.id not in worker.jobs
    wait_for(lambda: idle(worker.pid), what="its process to stop training")
    assert not gone(worker.pid), "the process stays, warm, for the next run"


def test_cap_and_queue(runner):
    runner.max_runs = 1
    first = runner.submit(RunConfig(target="ring"))
    second = runner.submit(RunConfig(target="moons"))
    assert second.queue_position == 1 and second.state == "queued"
    wait_for(lambda: first.step > 0, what="first run")
    first.stop()
    wait_for(lambda: second.step > 0, what="queued run starts when the slot frees")
    assert second.queue_position is None


def test_runs_that_end_when_done_free_their_place_for_the_queue(runner):
    """A sweep's runs: at the budget a run leaves its process, keeps its final figures,
    and the next queued run starts without anyone pressing Reset."""
    runner.max_runs = 1
    opts = {"max_steps": 60, "end_when_done": True}
    first = runner.submit(RunConfig(target="ring"), **opts)
    second = runner.submit(RunConfig(target="ring", seed=1), **opts)
    assert second.state == "queued"
    wait_for(lambda: first.state == "done" and second.state == "done", timeout=60, what="both")
    assert first.step == 60 and first.history.latest().metrics.get("modes") is not None
    assert first not in runner.active and second not in runner.active
    assert not any(w.jobs for w in runner.workers), "their processes let them go"


def test_group_starts_together_in_one_process_and_counts_its_runs(runner):
    runner.max_runs = 2
    group = runner.submit_group([RunConfig(target="ring", gan=g) for g in ("gan", "cgan")])
    single = runner.submit(RunConfig(target="moons"))
    assert [j.queue_position for j in group] == [None, None], "the whole group starts"
    assert single.queue_position == 1, "the group's two runs fill the cap of two"
    assert group[0].worker is group[1].worker, "a group's runs share a process"
    wait_for(lambda: all(j.step > 0 for j in group), timeout=90, what="both members train")
    first_frames = [j.history.snapshots[0] for j in group]
    assert [s.step for s in first_frames] == [0, 0], "members start paused"
    first_steps = [next(s for s in j.history.snapshots if s.step > 0) for j in group]
    assert min(s.wall for s in first_steps) >= max(s.wall for s in first_frames), (
        "no member trains before every member has its first frame"
    )
    group[0].stop()
    wait_for(lambda: single.step > 0, timeout=60, what="a freed run slot goes to the queue")
    group[1].stop()


def test_group_queues_as_one_and_a_pause_before_start_wins(runner):
    runner.max_runs = 2
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


def test_a_runs_own_worker_never_warms_up_idle(runner):
    """Only the spare warms up in SCHED_IDLE: a run's cold worker must not starve."""
    job = runner.submit(RunConfig(target="ring"))
    pid, policies = job.worker.pid, set()
    while job.first_frame_s is None and job.state not in R.ENDED:
        try:
            policies.add(os.sched_getscheduler(pid))
        except OSError:
            break
        time.sleep(0.02)
    wait_for(lambda: job.step > 0, timeout=60, what="first steps")
    assert os.SCHED_IDLE not in policies, policies


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
    # watched (latest() tells the reaper so) until it trains, however slow the machine
    wait_for(lambda: job.latest() and job.step > 0, what="first steps")
    wait_for(lambda: job.state == "paused", timeout=10, what="idle pause")
    worker = job.worker
    wait_for(lambda: job.state == "stopped", timeout=20, what="idle stop")
    assert job.id not in worker.jobs and job not in runner.active


def test_closed_page_ends_its_run(runner, monkeypatch):
    monkeypatch.setattr(R, "GONE_GRACE_S", 0.5)
    connected = [True]
    job = runner.submit(RunConfig(target="ring"), alive=lambda: connected[0])
    wait_for(lambda: job.step > 0, what="first steps")
    connected[0] = False
    wait_for(lambda: job.state == "stopped", timeout=10, what="stop after the page closed")
    assert "page was closed" in job.message


def test_warm_processes_are_ready_and_used():
    r = R.Runner(max_runs=4, warm=True, processes=2)
    try:
        assert len(r.workers) == 2, "one process per CPU, started with the runner"
        assert all(w.wait_ready(120) for w in r.workers), "they warm up"
        job = r.submit(RunConfig(target="ring"))
        assert job.worker in r.workers
        wait_for(lambda: job.step > 0, what="first frame from a warm process")
        assert job.first_frame_s < 5, "no torch import on the way to the first frame"
    finally:
        r.shutdown()


def test_runs_spread_over_the_processes_then_join_cohorts_of_their_shape():
    r = R.Runner(max_runs=8, warm=False, processes=2, per_process=4)
    try:
        ring = [r.submit(RunConfig(target="ring", seed=s)) for s in range(3)]
        assert ring[0].worker is not ring[1].worker, "spread first: every process trains"
        assert ring[2].worker is ring[0].worker, "then a cohort of its shape"
        other = r.submit(RunConfig(target="ring", g_width=64))
        assert other.worker is ring[1].worker, "another shape: the emptier process"
        more = [r.submit(RunConfig(target="moons", seed=s)) for s in range(4)]
        waiting = r.submit(RunConfig(target="moons", seed=9))
        assert all(j.worker is not None for j in more)
        assert waiting.queue_position == 1, "both processes hold 4 runs: it waits"
        assert sorted(len(w.jobs) for w in r.workers) == [4, 4]
        wait_for(lambda: all(j.step > 0 for j in ring + more + [other]), timeout=120, what="steps")
        more[0].stop()
        wait_for(lambda: waiting.step > 0, timeout=60, what="the freed place")
    finally:
        r.shutdown()


def test_convolutional_runs_spread_over_the_processes_before_sharing_one():
    r = R.Runner(max_runs=8, warm=False, processes=2, per_process=4)
    try:
        dcgan = RunConfig(target="digits", arch="dcgan")
        first = r.submit(dcgan)
        mlp = r.submit(dcgan.replace(arch="mlp"))
        broken = r.submit(dcgan.replace(batchnorm="off"))
        assert first.worker is not mlp.worker, "spread first"
        assert broken.worker is mlp.worker, "a DCGAN joins no cohort: not beside the other"
        more = r.submit(dcgan.replace(seed=1))
        assert {w.solo_runs() for w in r.workers} == {1, 2} and more.worker is not None
    finally:
        r.shutdown()


def test_a_dead_process_takes_its_runs_the_others_go_on():
    r = R.Runner(max_runs=8, warm=False, processes=2)
    try:
        runs = [r.submit(RunConfig(target="ring", seed=s)) for s in range(3)]
        doomed = runs[0].worker
        victims = [j for j in runs if j.worker is doomed]
        survivor = next(j for j in runs if j.worker is not doomed)
        assert len(victims) == 2, "spread: two runs in one process, one in the other"
        wait_for(lambda: all(j.step > 0 for j in victims + [survivor]), timeout=120, what="steps")
        os.kill(doomed.pid, signal.SIGKILL)
        wait_for(lambda: all(j.state == "error" for j in victims), what="errors on its pages")
        assert all("ended unexpectedly" in j.message for j in victims)
        wait_for(lambda: not any(j in r.active for j in victims), what="their slots freed")
        step = survivor.step
        wait_for(lambda: survivor.step > step + 100, what="the other process trains on")
        assert survivor.state == "running"
        again = r.submit(RunConfig(target="ring"))
        wait_for(lambda: again.step > 0, timeout=120, what="a new run after the fault")
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


# --- step modes, speed, probe layers, model files through the runner --------------------


def _weights(params):
    return [p.detach().clone() for p in params]


def _same(a, b):
    import torch

    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("gan", ["gan", "cgan", "infogan"])
def test_step_modes_change_only_their_side(gan):
    from gan_core.engine.trainer import Trainer

    t = Trainer(RunConfig(target="ring", gan=gan))
    t.run(3)  # optimiser state exists: the fast Adam path is the one under test
    for mode, d_moves, g_moves in (("d", True, False), ("g", False, True), ("both", True, True)):
        d0, g0 = _weights(t.d_params), _weights(t.g_params)
        before = t.step_count
        t.step(mode)
        assert t.step_count == before + 1
        assert _same(d0, t.d_params) != d_moves, f"{mode}: D {'moves' if d_moves else 'stays'}"
        assert _same(g0, t.g_params) != g_moves, f"{mode}: G {'moves' if g_moves else 'stays'}"


def test_step_modes_and_speed_end_to_end(runner):
    job = runner.submit(RunConfig(target="ring"), paused=True)
    wait_for(lambda: job.latest() is not None, timeout=60, what="first frame")
    first = job.latest()
    assert first.trained == "" and 0 < first.d_real < 1 and 0 < first.d_fake < 1
    job.step_once(5, "d")
    wait_for(lambda: job.step == 5, what="five D steps")
    assert np.array_equal(job.latest().fake, first.fake), "D steps leave G's points alone"
    assert job.latest().trained == "d", "the diagram lights D"
    assert job.latest().d_real != first.d_real, "D's view of the data moved"
    job.step_once(1, "g")
    wait_for(lambda: job.step == 6, what="one G step")
    assert not np.array_equal(job.latest().fake, first.fake), "a G step moves them"
    assert job.latest().trained == "g"
    with pytest.raises(ValueError, match="unknown step mode 'q'"):
        job.step_once(1, "q")
    with pytest.raises(ValueError, match="cannot set 'lr'"):
        job.set(lr=0.1)

    job.set(speed=50)
    job.resume()
    wait_for(lambda: job.step > 10, what="running at 50 steps/s")
    t0, s0 = time.monotonic(), job.step
    time.sleep(2.0)
    rate = (job.step - s0) / (time.monotonic() - t0)
    assert 15 <= rate <= 100, f"{rate:.0f} steps/s at speed 50"
    job.set(mode="d")
    time.sleep(0.5)
    job.pause()
    wait_for(lambda: job.state == "paused", what="paused")
    frozen = job.latest().fake
    job.resume()
    time.sleep(1.0)
    job.pause()
    wait_for(lambda: job.state == "paused", what="paused again")
    assert job.step > s0 and np.array_equal(job.latest().fake, frozen), "mode d: G stays"
    job.stop()


def test_layers_and_view_code_through_the_worker(runner):
    job = runner.submit(RunConfig(target="ring", gan="cgan"), paused=True, layers=["heatmap"])
    wait_for(lambda: job.latest() is not None, timeout=60, what="first frame")
    assert set(job.latest().layers) == {"grid", "heatmap", "heatmap_level", "heatmap_range"}
    job.set(layers=["arrows", "optimal_d"], view_code=3)  # a paused run redraws at once
    wait_for(lambda: "arrows" in job.latest().layers, what="the new layers")
    snap = job.latest()
    assert "heatmap" not in snap.layers and "optimal_d" in snap.layers
    assert snap.view_code == 3 and (snap.codes == 3).all()
    job.set(layers=[], view_code=None)
    wait_for(lambda: not job.latest().layers, what="no layers")
    assert job.latest().view_code is None
    with pytest.raises(ValueError, match="unknown layer 'nope'"):
        job.set(layers=["nope"])
    with pytest.raises(ValueError, match="unknown layer"):
        runner.submit(RunConfig(), layers=["nope"])
    job.stop()


def test_save_model_and_continue_from_it(runner):
    import torch

    from gan_core import export
    from gan_core.engine.snapshot import VIEW_POINTS

    job = runner.submit(RunConfig(target="ring", gan="infogan"), paused=True)
    wait_for(lambda: job.latest() is not None, timeout=60, what="first frame")
    job.step_once(40)
    wait_for(lambda: job.step == 40, what="40 steps")
    data = job.save_model(timeout=30)
    saved = modelfile.read_model(data)
    assert saved.step == 40 and saved.config == job.config
    assert export.series_csv(job.series()).splitlines()[-1].startswith("40,")
    assert export.run_gif(job.info, job.snapshots())[:6] == b"GIF89a"
    job.stop()
    with pytest.raises(RuntimeError, match="no model to save"):
        job.save_model()

    again = runner.submit(saved.config, paused=True, init_state=data)
    wait_for(lambda: again.latest() is not None, timeout=60, what="the continued run's frame")
    assert again.step == 40, "a run from a model file resumes at its step"
    loaded = modelfile.load_trainer(data)
    gen = torch.Generator().manual_seed(saved.config.seed + 3)  # the worker's view seed
    assert np.allclose(again.latest().fake, loaded.sample(VIEW_POINTS, gen)[0], atol=1e-6)
    again.step_once(5)
    wait_for(lambda: again.step == 45, what="training goes on")
    again.stop()

    wrong = runner.submit(RunConfig(target="ring", z_dim=4), init_state=data)
    wait_for(lambda: wrong.state == "error", timeout=60, what="a refused model")
    assert "ModelError" in wrong.message and "shape" in wrong.message
