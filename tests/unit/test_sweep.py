"""Sweeps: axes and their validation, the grid of runs, the map's cells, the CLI."""

import json

import pytest

from gan_core import sweep as S
from gan_core.cli import main
from gan_core.engine.config import RunConfig

BASE = RunConfig(target="ring")


def test_axis_values_are_parsed_checked_and_typed():
    x = S.parse_axis("x", "lr_d=1e-4, 3e-4,0.001", BASE)
    assert x.name == "lr_d" and x.values == (1e-4, 3e-4, 1e-3) and x.log
    w = S.parse_axis("y", "width=32,64", BASE)
    assert w.fields == ("g_width", "d_width") and w.values == (32, 64) and not w.log
    loss = S.parse_axis("y", "loss=hinge,lsgan", BASE)
    assert not loss.numeric and loss.values == ("hinge", "lsgan")
    assert S.parse_axis("x", "lr_g=log:1e-4:1e-2:3", BASE).values == (1e-4, 1e-3, 1e-2)
    assert S.log_values(1e-4, 3e-2, 6) == [0.0001, 0.00031, 0.00098, 0.0031, 0.0096, 0.03]


@pytest.mark.parametrize(
    "text, words",
    [
        ("lr_d=", "no values"),
        ("lr_d= , ,", "no values"),
        ("lr_d=1e-3,0.001", "0.001 is given twice"),
        ("lr_d=5", "out of range"),
        ("z_dim=1.5", "not an integer"),
        ("loss=adam", "unknown 'adam'"),
        ("lr_d=1,2,3,4,5,6,7,8,9", "at most 8"),
        ("seed=1,2", "cannot be an axis"),
        ("target=ring,moons", "cannot be an axis"),
        ("colour=1", "unknown setting 'colour'"),
        ("lr_d", "SETTING=VALUE"),
        ("lr_d=log:1e-4:1e-2", "log:LOW:HIGH:N"),
        ("lr_d=log:1e-4:1e-2:12", "2 to 8"),
        ("lr_d=log:0:1e-2:3", "positive"),
    ],
)
def test_bad_axes_say_why(text, words):
    with pytest.raises(S.SweepError, match=words.replace("(", r"\(")):
        S.parse_axis("x", text, BASE)


def test_the_same_setting_on_both_axes_is_refused():
    lr_d = S.parse_axis("x", "lr_d=1e-4,1e-3", BASE)
    with pytest.raises(S.SweepError, match="both set lr_d"):
        S.Sweep(BASE, lr_d, S.parse_axis("y", "lr_d=1e-3,1e-2", BASE))
    with pytest.raises(S.SweepError, match="both set lr_d"):  # an alias overlaps too
        S.Sweep(BASE, lr_d, S.parse_axis("y", "lr=1e-3,1e-2", BASE))
    with pytest.raises(S.SweepError, match="seeds per cell"):
        S.Sweep(BASE, lr_d, S.parse_axis("y", "batch=32", BASE), seeds=6)


def test_runs_cross_the_axes_over_the_base_with_seeds_per_cell():
    base = BASE.replace(seed=7, d_steps=2)
    sweep = S.Sweep(
        base,
        S.parse_axis("x", "lr_d=1e-4,1e-3,1e-2", base),
        S.parse_axis("y", "loss=hinge,lsgan", base),
        seeds=2,
    )
    runs = sweep.runs()
    assert sweep.shape == (2, 3) and len(runs) == 12
    r = next(r for r in runs if (r.i, r.j, r.seed) == (2, 1, 8))
    assert (r.config.lr_d, r.config.loss, r.config.seed) == (1e-2, "lsgan", 8)
    assert r.config.d_steps == 2 and r.config.target == "ring", "the rest from the base"
    assert sweep.row(r, {"modes": 3}) == {"lr_d": 1e-2, "loss": "lsgan", "seed": 8, "modes": 3}


def test_dcgan_rules_are_axes_whose_runs_build_their_nets():
    from torch import nn

    from gan_core.engine.trainer import Trainer

    assert {"arch", "g_channels", "d_channels", "strided", "batchnorm"} <= set(S.AXIS_NAMES)
    base = RunConfig(target="digits", arch="dcgan", batch=16)
    sweep = S.Sweep(
        base,
        S.parse_axis("x", "batchnorm=on,off", base),
        S.parse_axis("y", "strided=on,off", base),
        steps=10,
        metric="coverage",
    )
    runs = sweep.runs()
    assert sweep.shape == (2, 2) and len(runs) == 4
    assert {(r.config.batchnorm, r.config.strided) for r in runs} == {
        (b, s) for b in ("on", "off") for s in ("on", "off")
    }
    assert {(r.config.target, r.config.arch) for r in runs} == {("digits", "dcgan")}
    for r in runs:
        t = Trainer(r.config)
        t.step()
        kinds = {type(m) for m in t.model.D.modules()}
        assert (nn.BatchNorm2d in kinds) == (r.config.batchnorm == "on")
        assert (nn.MaxPool2d in kinds) == (r.config.strided == "off")
    arch = S.parse_axis("x", "arch=mlp,dcgan", base)
    assert arch.values == ("mlp", "dcgan") and not arch.numeric
    with pytest.raises(S.SweepError, match="dcgan needs an image target"):
        S.parse_axis("x", "arch=mlp,dcgan", BASE)


def test_cells_take_the_median_of_seeds_so_far_and_count_divergence():
    sweep = S.Sweep(
        BASE, S.parse_axis("x", "lr_d=1e-4,1e-3", BASE), S.parse_axis("y", "batch=32", BASE), 3
    )
    runs = sweep.runs()  # cell (0, 0): runs 0-2; cell (1, 0): runs 3-5
    results = {
        runs[0]: {"modes": 2},
        runs[1]: {"modes": 8},
        runs[2]: {"modes": 5},
        runs[3]: {"error": "diverged"},
        runs[4]: None,
        runs[5]: {"modes": None},
    }
    grid = S.cells(sweep, results)
    assert grid[0][0].value == 5 and grid[0][0].done == 3
    assert grid[0][1].value is None and grid[0][1].diverged == 1 and grid[0][1].done == 1


def test_colours_point_the_same_way_for_every_metric():
    assert S.value_range("modes", [3.0], 8) == (0.0, 8.0)
    assert S.goodness("modes", 8, (0, 8)) == 1.0 and S.goodness("modes", 0, (0, 8)) == 0.0
    assert S.goodness("js", 0.0, S.value_range("js", [], None)) == 1.0, "lower js is better"
    assert S.value_range("density", [0.5, 1.7], None) == (0.0, 1.7)


def test_cli_sweep_json_rows_equal_train_json_of_that_cell(capsys, tmp_path):
    csv = tmp_path / "map.csv"
    args = ["sweep", "--target", "ring", "--x", "lr_d=1e-4,1e-3", "--y", "loss=hinge,lsgan"]
    code = main([*args, "--seeds", "2", "--steps", "40", "--json", "--quiet", "--csv", str(csv)])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 8
    assert [(r["lr_d"], r["loss"], r["seed"]) for r in rows[:3]] == [
        (1e-4, "hinge", 0),
        (1e-4, "hinge", 1),
        (1e-3, "hinge", 0),
    ]
    assert {"step", "modes", "hq", "effective_modes", "js", "precision", "loss_d"} <= set(rows[0])
    lines = csv.read_text().splitlines()
    assert len(lines) == 9 and lines[0].startswith("lr_d,loss,seed,step")
    # a cell's seed gives the numbers it gives alone
    one = ["train", "--target", "ring", "--lr_d", "1e-3", "--loss", "lsgan", "--seed", "1"]
    assert main([*one, "--steps", "40", "--json", "--quiet"]) == 0
    alone = json.loads(capsys.readouterr().out)
    cell = next(r for r in rows if (r["lr_d"], r["loss"], r["seed"]) == (1e-3, "lsgan", 1))
    for key in ("modes", "hq", "js", "coverage", "loss_d", "loss_g"):
        assert cell[key] == alone[key], key


def test_cli_sweep_prints_the_map_and_runs_a_preset(capsys):
    assert main(["sweep", "--preset", "dsteps-loss", "--steps", "20", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "effective modes at step 20" in out and "wgan-gp" in out
    assert out.count("\n") >= 7, out


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--x", "lr_d=1e-3,1e-3", "--y", "batch=32"], "given twice"),
        (["--x", "lr_d=1e-3", "--y", "lr=1e-3"], "both set"),
        (["--y", "batch=32"], "give --x"),
        (["--x", "lr_d=1e-3", "--y", "batch=32", "--seeds", "9"], "seeds per cell"),
    ],
)
def test_cli_sweep_bad_input_starts_nothing(capsys, extra, words):
    assert main(["sweep", "--target", "ring", "--steps", "10", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and words in err, err
