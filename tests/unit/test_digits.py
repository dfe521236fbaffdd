"""The digits target end to end in the engine, and coverage for targets without modes."""

import base64
import io
import json

import numpy as np
import torch
from PIL import Image

from gan_core import cli
from gan_core.engine.config import RunConfig
from gan_core.engine.evaluation import Evaluator
from gan_core.engine.snapshot import GRID, run_info, sheet, take
from gan_core.engine.trainer import Trainer
from gan_core.export import run_gif
from gan_core.figures import raster

SMALL = dict(target="digits", g_width=64, d_width=64, batch=32)


def run_json(capsys, argv: list[str]) -> dict:
    assert cli.main(argv + ["--quiet", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sheet_rows_follow_labels_and_columns_share_z():
    t = Trainer(RunConfig(**SMALL, gan="cgan"))
    fake, codes = sheet(t, torch.Generator().manual_seed(0))
    assert (
        fake.shape == (GRID * GRID, 64) and codes.tolist() == np.repeat(np.arange(10), 10).tolist()
    )
    calls = []
    hook = t.model.G.register_forward_hook(lambda mod, inp, out: calls.append(inp[0].clone()))
    sheet(t, torch.Generator().manual_seed(0))
    hook.remove()
    z = calls[-1][:, : t.cfg.z_dim].view(GRID, GRID, -1)
    assert torch.equal(z[0, 4], z[9, 4]), "one z down a column"
    assert not torch.equal(z[0, 4], z[0, 5]), "another z in the next column"
    _, one = sheet(t, torch.Generator().manual_seed(0), view_code=3)
    assert set(one.tolist()) == {3}, "one label asked for: every row draws it"


def test_infogan_sheet_sweeps_the_continuous_code_along_columns():
    t = Trainer(RunConfig(**SMALL, gan="infogan", cont_codes=1))
    calls = []
    g = t.model.G
    hook = g.register_forward_hook(lambda mod, inp, out: calls.append(inp[0].clone()))
    sheet(t, torch.Generator().manual_seed(0))
    hook.remove()
    g_in = calls[-1]
    cont = g_in[:, -1].view(GRID, GRID)
    assert torch.allclose(cont[0], torch.linspace(-1, 1, GRID)), "columns: c₁ from -1 to 1"
    assert torch.equal(cont[0], cont[5]), "every row sweeps the same way"
    z = g_in[:, : t.cfg.z_dim].view(GRID, GRID, -1)
    assert torch.equal(z[2, 0], z[2, 7]), "z fixed along a row"
    codes = g_in[:, t.cfg.z_dim : t.cfg.z_dim + 10].argmax(1).view(GRID, GRID)
    assert codes[:, 0].tolist() == list(range(10)), "a row per code"


def png(uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def test_digit_picture_is_generated_beside_real_by_row():
    t = Trainer(RunConfig(**SMALL, gan="cgan"))
    ev = Evaluator(t)
    info = run_info(t, ev)
    assert info.image == (8, 8) and info.modes_total == 10 and info.centres is None
    snap = take(t, ev, 0.0, 0.0, layers=("heatmap",))
    assert snap.layers == {}, "plane layers are not computed for images"
    made = png(raster.made_sheet(info, snap.fake, GRID, GRID))
    assert made.size == raster.sheet_size(info, GRID, GRID, beside_real=False)
    real = np.asarray(png(raster.real_sheet_uri(info, GRID, GRID)))
    assert real.shape == made.size[::-1]
    cell = 8 * raster.PIXEL + raster.GAP
    # the real sheet's rows are the digits 0..9: row r looks like the real digit r
    from gan_core.engine.judge import judge

    for r in (0, 1, 7):
        block = real[r * cell : r * cell + 8 * raster.PIXEL, : 8 * raster.PIXEL]
        digit = block[:: raster.PIXEL, :: raster.PIXEL].astype(float)
        x = (1 - digit / 255) * 2 - 1  # back to the data's [-1, 1], ink high
        assert judge().proba(x.reshape(1, 64)).argmax() == r


def test_custom_labelled_blobs_get_modes_and_every_target_gets_prdc(tmp_path, capsys):
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [4, 0], [0, 4], [4, 4], [8, 0], [8, 4]], dtype=float)
    labels = rng.integers(0, 6, 600)
    points = centres[labels] + 0.3 * rng.standard_normal((600, 2))
    csv = tmp_path / "blobs.csv"
    np.savetxt(csv, np.column_stack([points, labels]), delimiter=",", fmt="%.5f")
    out = run_json(
        capsys,
        ["train", "--target", "custom", "--data", str(csv), "--gan", "cgan", "--steps", "300"],
    )
    assert out["modes_total"] == 6 and out["modes"] is not None and out["hq"] is not None
    for key in ("precision", "recall", "density", "coverage"):
        assert out[key] is not None and out[key] >= 0
    moons = run_json(capsys, ["train", "--target", "moons", "--steps", "50"])
    assert moons["modes"] is None and moons["coverage"] is not None


def test_digits_gif_frames_are_sheets():
    t = Trainer(RunConfig(**SMALL))
    ev = Evaluator(t)
    snaps = [take(t, ev, 0.0, 0.0)]
    t.run(5)
    snaps.append(take(t, ev, 0.0, 0.0))
    gif = Image.open(io.BytesIO(run_gif(run_info(t, ev), snaps)))
    width, height = raster.sheet_size(run_info(t, ev), GRID, GRID)
    assert gif.n_frames == 2 and gif.size == (width, height + 18)


def test_cli_json_has_the_new_metrics_for_digits(capsys):
    out = run_json(capsys, ["train", "--target", "digits", "--gan", "cgan", "--steps", "20"])
    assert out["modes_total"] == 10 and out["kl"] is None
    assert {"purity", "precision", "recall", "density", "coverage"} <= set(out)
    assert json.dumps(out)
