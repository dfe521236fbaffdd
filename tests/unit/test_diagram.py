"""The GAN-type diagram and the Guide's lecture plots."""

import numpy as np
import pytest

from gan_core.engine.config import RunConfig
from gan_core.figures import diagram, lecture_figures


def names(fig, prefix: str) -> set[str]:
    return {a.name.split(":", 1)[1] for a in fig.layout.annotations if a.name.startswith(prefix)}


def box_text(fig, key: str) -> str:
    return next(a.text for a in fig.layout.annotations if a.name == f"box:{key}")


def fills(fig) -> list[str]:
    return [s.fillcolor for s in fig.layout.shapes]


@pytest.mark.parametrize(
    "gan, extra, arrows",
    [
        ("gan", set(), set()),
        ("cgan", {"y"}, {"y>G", "y>D"}),
        ("infogan", {"c", "Q"}, {"c>G", "D>Q"}),
    ],
)
def test_boxes_and_arrows_follow_the_gan_type(gan, extra, arrows):
    cfg = RunConfig(target="ring", gan=gan, g_width=64, d_depth=2, z_dim=16)
    fig = diagram.figure(cfg)
    assert names(fig, "box:") == {"z", "G", "Gz", "x", "D", "loss"} | extra
    base = {"z>G", "G>Gz", "Gz>D", "x>D", "D>loss"}
    assert names(fig, "arrow:") == base | arrows
    assert "1×64" in box_text(fig, "G") and "2×128" in box_text(fig, "D")
    assert "16-D" in box_text(fig, "z")
    if gan == "cgan":
        assert "1 of 8" in box_text(fig, "y")


def lines(fig, key: str) -> list[str]:
    return box_text(fig, key).split("<br>")


DC = RunConfig(target="digits", arch="dcgan")


def test_dcgan_boxes_say_the_layers_its_rules_build():
    fig = diagram.figure(DC.replace(gan="infogan"))
    assert names(fig, "box:") == {"z", "G", "Gz", "x", "D", "loss", "c", "Q"}
    assert lines(fig, "G") == [
        "<b>G</b> · DCGAN",
        "proj → 2×2×32",
        "convT ↑4×4×16",
        "convT ↑8×8×1",
        "+BN, ReLU, tanh",
    ]
    assert lines(fig, "D") == [
        "<b>D</b> · DCGAN",
        "conv ↓4×4×32",
        "conv ↓2×2×64",
        "+BN, LeakyReLU",
        "→ out",
    ]
    assert "8×8 image" in box_text(fig, "Gz")
    g, d = (next(b for b in diagram.boxes(DC)[0] if b.key == k) for k in "GD")
    assert g.w == d.w == diagram.WIDE and g.size == d.size == 10
    top = g.y + g.h / 2
    assert fig.layout.yaxis.range[1] > top, "G's taller box fits in the figure"
    assert fig.layout.height > diagram.figure(RunConfig(target="digits")).layout.height


@pytest.mark.parametrize(
    "rule, value, g_has, d_has",
    [
        ("strided", "off", ["up+conv ↑4×4×16", "up+conv ↑8×8×1"], ["conv+pool ↓4×4×32"]),
        ("batchnorm", "off", ["ReLU, tanh"], ["LeakyReLU"]),
        ("fc_hidden", "on", ["FC 128 → 2×2×32"], ["FC 128 → out"]),
        ("tanh_out", "off", ["+BN, ReLU, linear"], ["+BN, LeakyReLU"]),
        ("leaky_d", "off", ["+BN, ReLU, tanh"], ["+BN, ReLU"]),
    ],
)
def test_a_broken_dcgan_rule_shows_in_the_boxes(rule, value, g_has, d_has):
    fig = diagram.figure(DC.replace(**{rule: value}))
    g, d = lines(fig, "G"), lines(fig, "D")
    assert set(g_has) <= set(g) and set(d_has) <= set(d), (g, d)
    if rule == "batchnorm":
        assert not [s for s in g + d if "BN" in s]
    if rule == "strided":
        assert not [s for s in g + d if s.startswith(("convT", "conv ↓"))]


def test_dcgan_channels_and_long_lines_fit_a_smaller_type():
    cfg = DC.replace(g_channels=128, d_channels=16)
    fig = diagram.figure(cfg)
    assert "proj → 2×2×128" in lines(fig, "G") and "convT ↑4×4×64" in lines(fig, "G")
    assert lines(fig, "D")[1:3] == ["conv ↓4×4×16", "conv ↓2×2×32"]
    worst = cfg.replace(strided="off", fc_hidden="on", d_channels=128)
    g, d = diagram.conv_layers(worst)
    assert max(map(len, g + d)) == 18  # "conv+pool ↓4×4×128"
    box = next(b for b in diagram.boxes(worst)[0] if b.key == "D")
    assert box.size == 8


def test_an_mlp_on_the_digits_keeps_its_sizes():
    fig = diagram.figure(RunConfig(target="digits", g_depth=2, g_width=256))
    assert box_text(fig, "G") == "<b>G</b><br>2×256" and "DCGAN" not in box_text(fig, "D")


def test_the_network_being_trained_is_lit():
    cfg = RunConfig(target="ring", gan="infogan")
    assert diagram.LIT not in fills(diagram.figure(cfg)), "nothing lit before training"
    for trained, lit in (("d", ["d"]), ("g", ["g"]), ("both", ["d", "g"])):
        fig = diagram.figure(cfg, trained=trained, running=True)
        assert fig.layout.meta["lit"] == lit
        n_lit = fills(fig).count(diagram.LIT)
        assert n_lit == {"d": 2, "g": 1, "both": 3}[trained], "D with its Q head, or G"
    assert diagram.figure(cfg, trained="d").layout.title.text == "the last step trained D"
    assert diagram.figure(cfg, trained="both", running=True).layout.title.text.startswith(
        "now training D, then G"
    )


def test_live_numbers_are_written_under_their_boxes():
    numbers = {"d_real": 0.61, "d_fake": 0.42, "loss_d": 1.2, "loss_g": 0.8}
    fig = diagram.figure(RunConfig(target="ring"), numbers, "both", True)
    live = {a.name: a.text for a in fig.layout.annotations if a.name.startswith("live:")}
    assert "D(x) 0.61" in live["live:D"] and "D(G(z)) 0.42" in live["live:D"]
    assert "1.20" in live["live:loss"] and "0.80" in live["live:loss"]
    critic = diagram.figure(RunConfig(target="ring", loss="wgan-gp"), numbers)
    assert "score(x)" in next(a.text for a in critic.layout.annotations if a.name == "live:D")


def test_g_loss_curves_and_the_runs_mark():
    fig = lecture_figures.g_loss_figure(0.1, "demo")
    minimax, nonsat, mark = fig.data
    i = int(np.argmin(np.abs(np.asarray(minimax.x) - 0.5)))
    assert minimax.y[i] == pytest.approx(np.log(0.5), abs=0.01)
    assert nonsat.y[i] == pytest.approx(-np.log(0.5), abs=0.01)
    # near D(G(z)) = 0 the minimax curve is flat and the non-saturating one steep
    assert abs(minimax.y[1] - minimax.y[0]) < 0.01 < abs(nonsat.y[1] - nonsat.y[0])
    assert list(mark.x) == [0.1, 0.1] and mark.y[0] == pytest.approx(np.log(0.9))
    assert "0.10" in mark.name
    assert len(lecture_figures.g_loss_figure(None).data) == 2


def test_optimal_d_is_half_where_the_densities_agree():
    x = np.linspace(-6, 6, 401)
    p = lecture_figures.gaussian(x, 0.0, 1.0)
    assert np.allclose(lecture_figures.optimal_d(x, p, p), 0.5)
    far = lecture_figures.optimal_d(x, p, lecture_figures.gaussian(x, 5.0, 0.5))
    assert far[200] == pytest.approx(1.0) and far[-1] < 0.01
    fig = lecture_figures.optimal_d_figure(-1.0, 1.5)
    d_star = np.asarray(fig.data[2].y)
    assert d_star.min() >= 0 and d_star.max() <= 1 and fig.data[2].yaxis == "y2"
