import re
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.metrics import mode_metrics
from gan_core.engine.snapshot import RunInfo, Snapshot
from gan_core.figures import curves, mode_plots, palette, plots
from gan_core.live.history import History

N_FAKE = 40


def make_info(gan: str = "gan", target: str = "ring") -> RunInfo:
    cfg = RunConfig(target=target, gan=gan)
    tgt = T.TARGETS[target]
    real, labels = tgt.sample(100, np.random.default_rng(0), **cfg.params)
    modes = tgt.modes(**cfg.params)
    return RunInfo(
        config=cfg,
        real=real.astype(np.float32),
        real_labels=labels,
        extent=float(tgt.extent(**cfg.params)),
        centres=None if modes is None else modes.centres,
        mode_std=None if modes is None else modes.std,
        n_classes=cfg.n_classes,
        n_codes=cfg.n_codes,
        modes_total=None if modes is None else len(modes.centres),
    )


def make_snap(info: RunInfo, step: int = 1200, covered: int = 7, **kw) -> Snapshot:
    """N_FAKE points sitting exactly on the first ``covered`` mode centres, code = mode."""
    idx = np.arange(N_FAKE) % covered
    fake = info.centres[idx].astype(np.float32)
    metrics = mode_metrics(fake, T.Modes(info.centres, info.mode_std, np.full(8, 1 / 8)))
    metrics.pop("covered")  # (the view points decide, unless a test puts it back)
    fields = dict(
        step=step,
        elapsed=65.0,
        steps_per_s=1234.4,
        fake=fake,
        codes=idx.astype(np.int16),
        losses={"loss_d": 1.3, "loss_g": 0.7},
        metrics=metrics,
    )
    fields.update(kw)
    return Snapshot(**fields)


def trace(fig: go.Figure, name: str):
    (found,) = [t for t in fig.data if t.name == name]
    return found


# --- points ----------------------------------------------------------------------------


def test_points_axes_fixed_square_and_stable():
    info = make_info()
    fig = plots.points_figure(info, make_snap(info), height=300)
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert tuple(axis.range) == (-info.extent, info.extent)
        assert axis.autorange is False
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    assert fig.layout.uirevision  # set, so zoom survives updates
    assert fig.layout.uirevision == plots.points_figure(info, None).layout.uirevision
    assert fig.layout.height == 300
    assert all(t.type == "scatter" for t in fig.data)  # SVG, not scattergl


def test_points_traces_real_centres_generated_in_order():
    info = make_info()
    snap = make_snap(info)
    fig = plots.points_figure(info, snap, raster=False)
    assert [t.name for t in fig.data] == ["real", "mode centres", "generated"]
    real = trace(fig, "real")
    assert len(real.x) == len(info.real) and real.marker.color == palette.REAL
    assert real.marker.opacity < 1
    gen = trace(fig, "generated")
    assert len(gen.x) == len(gen.y) == N_FAKE
    np.testing.assert_array_equal(gen.x, snap.fake[:, 0])
    assert len(trace(fig, "mode centres").x) == 8
    assert "mode centres" not in [
        t.name for t in plots.points_figure(info, snap, show_centres=False, raster=False).data
    ]


def test_points_plain_gan_single_colour():
    info = make_info("gan")
    gen = trace(plots.points_figure(info, make_snap(info)), "generated")
    assert gen.marker.color == palette.SINGLE


@pytest.mark.parametrize("gan", ["cgan", "infogan"])
def test_points_coloured_by_class_in_one_trace(gan):
    info = make_info(gan)
    snap = make_snap(info)
    fig = plots.points_figure(info, snap, raster=False)
    gens = [t for t in fig.data if t.name == "generated"]
    assert len(gens) == 1
    marker = gens[0].marker
    np.testing.assert_array_equal(marker.color, snap.codes)
    # the stepped colourscale maps code i to palette.class_colour(i)
    k = info.n_codes
    for i in range(k):
        v = (i - marker.cmin) / (marker.cmax - marker.cmin)
        below = [c for pos, c in marker.colorscale if pos <= v][-1]
        above = [c for pos, c in marker.colorscale if pos >= v][0]
        assert below == above == palette.class_colour(i)
    colours = {palette.class_colour(i) for i in range(k)}
    assert len(colours) == k  # classes look different
    assert marker.showscale  # the colour bar is the key


@pytest.mark.parametrize(
    ("gan", "word"), [("cgan", "class"), ("infogan", "code"), ("selfcond", "cluster")]
)
def test_the_colour_bar_names_what_colours_the_points(gan, word):
    """The self-conditioned GAN's colours are clusters of D's features, not classes."""
    info = make_info(gan)
    fig = plots.points_figure(info, make_snap(info), raster=False)
    assert trace(fig, "generated").marker.colorbar.title.text == word


def test_points_colouring_can_be_forced():
    info = make_info("cgan")
    off = trace(plots.points_figure(info, make_snap(info), coloured=False), "generated")
    assert off.marker.color == palette.SINGLE
    info = make_info("gan")
    on = trace(plots.points_figure(info, make_snap(info), coloured=True), "generated")
    assert on.marker.colorscale is not None


def _image(fig) -> np.ndarray:
    import base64
    import io

    from PIL import Image

    (img,) = fig.layout.images
    data = base64.b64decode(img.source.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


@pytest.mark.parametrize("gan", ["gan", "cgan"])
def test_live_view_draws_both_clouds_into_one_image(gan):
    from gan_core.figures import raster

    info = make_info(gan)
    snap = make_snap(info)
    fig = plots.points_figure(info, snap)  # raster is the default: the live view
    img = _image(fig)
    (placed,) = fig.layout.images
    assert (placed.x, placed.y) == (-info.extent, info.extent)
    assert placed.sizex == placed.sizey == 2 * info.extent
    # every generated point's pixel has its class colour (or the single colour)
    pix = raster.to_pixels(snap.fake, info.extent, img.shape[0])
    for (x, y), code in zip(pix, snap.codes, strict=True):
        colour = palette.class_colour(code) if gan == "cgan" else palette.SINGLE
        assert tuple(img[y, x]) == raster.rgba(colour)
    # real points are there too, grey: the 8th mode has real points and no generated ones
    (cx, cy) = raster.to_pixels(info.centres[7:8], info.extent, img.shape[0])[0]
    patch = img[cy - 3 : cy + 4, cx - 3 : cx + 4].reshape(-1, 4)
    assert (patch == raster.rgba(palette.REAL, 0.7)).all(axis=1).any()
    # the traces only carry the legend: no per-point data goes to the browser twice
    assert all(len(t.x) <= 8 for t in fig.data)
    assert {"real", "generated"} <= {t.name for t in fig.data}


def test_live_view_image_changes_when_points_move():
    info = make_info()
    a = plots.points_figure(info, make_snap(info, covered=7)).layout.images[0].source
    b = plots.points_figure(info, make_snap(info, covered=3)).layout.images[0].source
    assert a != b


def test_points_without_snapshot_or_modes():
    info = make_info(target="moons")
    fig = plots.points_figure(info, None, raster=False)
    assert [t.name for t in fig.data] == ["real"]
    assert tuple(fig.layout.xaxis.range) == (-info.extent, info.extent)


# --- curves ----------------------------------------------------------------------------


def filled_history(gan: str, n: int = 5) -> History:
    info = make_info(gan)
    h = History()
    for i in range(n):
        losses = {"loss_d": 1.0 + i, "loss_g": 2.0 + i}
        if gan == "infogan":
            losses["loss_info"] = 0.5
        h.add(make_snap(info, step=100 * (i + 1), covered=1 + i, losses=losses))
    return h


@pytest.mark.parametrize("gan, expected", [("gan", 2), ("cgan", 2), ("infogan", 3)])
def test_loss_figure_traces(gan, expected):
    h = filled_history(gan)
    fig = curves.loss_figure(h.series, gan)
    assert len(fig.data) == expected
    d = trace(fig, "D loss")
    np.testing.assert_array_equal(d.x, [100, 200, 300, 400, 500])
    np.testing.assert_array_equal(d.y, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(trace(fig, "G loss").y, [2, 3, 4, 5, 6])
    assert all(t.mode == "lines" for t in fig.data)
    assert fig.layout.height == 260


def test_loss_figure_empty_history():
    fig = curves.loss_figure(History().series, "infogan")
    assert len(fig.data) == 3 and all(len(t.x) == 0 for t in fig.data)


def test_coverage_figure():
    h = filled_history("gan")
    fig = curves.coverage_figure(h.series, 8, height=200)
    np.testing.assert_array_equal(trace(fig, "modes covered").y, [1, 2, 3, 4, 5])
    hq = trace(fig, "hq share")
    assert hq.yaxis == "y2" and np.allclose(hq.y, 1.0)
    assert tuple(fig.layout.yaxis2.range)[0] == 0 and fig.layout.yaxis2.range[1] <= 1.05
    assert fig.layout.yaxis.range[1] >= 8
    assert fig.layout.height == 200


def test_metric_curves_change_with_evaluations_not_frames():
    """Snapshots between evaluations repeat the last metrics (measured=False): the curves
    draw the measured steps, so a frame between evaluations leaves them as they were."""
    h = History()

    def add(step: int, measured: bool) -> None:
        metrics = {"modes": step // 100, "hq": 0.5, "coverage": 0.3, "precision": 0.8}
        zeros = np.zeros((2, 2), np.float32)
        losses = {"loss_d": 1.0, "loss_g": 2.0}
        h.add(Snapshot(step, 0.0, 0.0, zeros, np.zeros(2), losses, metrics, measured=measured))

    for step, measured in [(100, True), (200, False), (300, False), (400, True)]:
        add(step, measured)
    modes = trace(curves.coverage_figure(h.series, 8), "modes covered")
    np.testing.assert_array_equal(modes.x, [100, 400])
    np.testing.assert_array_equal(modes.y, [1, 4])
    loss = trace(curves.loss_figure(h.series, "gan"), "D loss")
    np.testing.assert_array_equal(loss.x, [100, 200, 300, 400])  # (losses: every frame)
    before = pio.to_json(curves.prdc_figure(h.series), validate=False)
    add(500, False)
    assert pio.to_json(curves.prdc_figure(h.series), validate=False) == before
    add(600, True)
    coverage = trace(curves.prdc_figure(h.series), "coverage")
    np.testing.assert_array_equal(coverage.x, [100, 400, 600])


def test_coverage_figure_without_modes_says_so():
    fig = curves.coverage_figure(History().series, None)
    assert not fig.data and "no known modes" in fig.layout.annotations[0].text


def test_compare_coverage_figure_one_colour_per_run():
    runs = {"GAN": filled_history("gan").series, "InfoGAN": filled_history("infogan").series}
    fig = curves.compare_coverage_figure(runs, 8, height=240)
    np.testing.assert_array_equal(trace(fig, "GAN modes").y, [1, 2, 3, 4, 5])
    assert trace(fig, "InfoGAN hq").yaxis == "y2"
    assert trace(fig, "GAN modes").line.color == trace(fig, "GAN hq").line.color
    assert trace(fig, "GAN modes").line.color != trace(fig, "InfoGAN modes").line.color
    assert fig.layout.yaxis.range[1] >= 8 and fig.layout.height == 240
    empty = curves.compare_coverage_figure({"GAN": History().series}, 8)
    assert all(len(t.x) == 0 for t in empty.data)
    assert "no known modes" in curves.compare_coverage_figure(runs, None).layout.annotations[0].text


# --- per-mode --------------------------------------------------------------------------


def test_mode_bar_heights_colours_and_expected_line():
    info = make_info()
    snap = make_snap(info, covered=7)
    fig = mode_plots.mode_bar_figure(info, snap)
    counts = snap.metrics["mode_counts"]
    heights = {}
    for name in ("covered", "missed"):
        bars = trace(fig, name)
        assert bars.type == "bar"
        heights.update(zip(bars.x.tolist(), bars.y.tolist(), strict=True))
    assert [heights[i] for i in range(8)] == counts
    assert trace(fig, "covered").x.tolist() == list(range(7))
    assert trace(fig, "missed").x.tolist() == [7]
    assert trace(fig, "covered").marker.color != trace(fig, "missed").marker.color
    line = trace(fig, "equal share")
    assert list(line.y) == [N_FAKE / 8] * 2


def test_mode_bar_uses_the_evaluations_covered_modes_when_present():
    info = make_info()
    snap = make_snap(info, covered=8)
    snap.metrics["covered"] = [True] * 7 + [False]  # the evaluation sample's word wins
    fig = mode_plots.mode_bar_figure(info, snap)
    assert trace(fig, "missed").x.tolist() == [7]


def test_mode_bar_without_snapshot_or_modes():
    assert not mode_plots.mode_bar_figure(make_info(), None).data
    assert not mode_plots.mode_bar_figure(make_info(target="moons"), None).data


def test_code_mode_table():
    info = make_info("infogan")
    snap = make_snap(info, covered=4)  # code i sits on mode i, for i < 4
    table = mode_plots.code_mode_table(info, snap)
    assert len(table) == info.n_codes and all(len(row) == 8 for row in table)
    expected = np.zeros((info.n_codes, 8), int)
    for i in range(4):
        expected[i, i] = N_FAKE // 4
    np.testing.assert_array_equal(table, expected)
    assert sum(map(sum, table)) == N_FAKE
    fig = mode_plots.code_mode_figure(info, snap)
    np.testing.assert_array_equal(fig.data[0].z, expected)
    assert mode_plots.code_mode_table(info, None) == []
    assert mode_plots.code_mode_table(make_info("infogan", "moons"), snap) == []


# --- status ----------------------------------------------------------------------------


def test_status_text_running():
    info = make_info()
    text = plots.status_text(info, make_snap(info, step=1200, covered=7))
    assert "step 1200" in text and re.search(r"step (\d+)", text).group(1) == "1200"
    assert "1,234 steps/s" in text
    assert "modes covered 7/8" in text
    assert "hq 100%" in text
    assert "1:05" in text


def test_status_text_hq_rounding_and_states():
    info = make_info()
    snap = make_snap(info, step=5, state="paused")
    snap.metrics["hq"] = 0.9301
    text = plots.status_text(info, snap)
    assert "hq 93%" in text and "paused" in text
    bad = make_snap(info, state="diverged", message="NaN in G loss")
    assert "diverged: NaN in G loss" in plots.status_text(info, bad)


def test_status_text_without_modes():
    info = make_info(target="moons")
    snap = Snapshot(3, 1.0, 10.0, np.zeros((4, 2), np.float32), np.zeros(4, np.int16), {})
    text = plots.status_text(info, snap)
    assert text.startswith("step 3") and "modes" not in text and "hq" not in text


def test_status_text_before_first_snapshot():
    info = make_info()
    assert plots.status_text(info, None) == "step 0 · waiting…"
    queued = plots.status_text(info, None, queue_position=2)
    assert "queued: position 2" in queued and re.search(r"step (\d+)", queued)


# --- the browser gets valid JSON -------------------------------------------------------


def test_figures_serialise_as_streamlit_does():
    info = make_info("infogan")
    snap = make_snap(info)
    h = filled_history("infogan")
    for fig in (
        plots.points_figure(info, snap),
        curves.loss_figure(h.series, "infogan"),
        curves.coverage_figure(h.series, 8),
        curves.compare_coverage_figure({"a": h.series, "b": h.series}, 8),
        mode_plots.mode_bar_figure(info, snap),
        mode_plots.code_mode_figure(info, snap),
    ):
        assert pio.to_json(fig, validate=False).startswith("{")


def test_plots_import_neither_streamlit_nor_torch():
    code = (
        "import sys, gan_core.figures.plots, gan_core.figures.curves, gan_core.figures.mode_plots;"
        " print('streamlit' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
