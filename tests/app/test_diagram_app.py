"""The Playground's diagram (AppTest): boxes follow the GAN type, Step D / Step G light
the network they train, live numbers on it; on by default in presentation mode."""

import json

from tests.app import shown
from tests.app.playground import job
from tests.e2e.server import wait_for


def diagram(app) -> dict | None:
    for spec in shown.figure_specs(app):
        fig = json.loads(spec)
        if "lit" in (fig["layout"].get("meta") or {}):
            return fig
    return None


def boxes(fig) -> set[str]:
    return {a["name"][4:] for a in fig["layout"]["annotations"] if a["name"].startswith("box:")}


def test_diagram_follows_the_gan_type_and_the_step_mode(app):
    app.query_params.update({"target": "ring", "gan": "cgan"})
    app.run()
    assert diagram(app) is None, "off by default on a laptop"
    app.toggle(key="pg_diagram").set_value(True).run()
    fig = diagram(app)
    assert boxes(fig) == {"z", "G", "Gz", "x", "D", "loss", "y"}
    assert fig["layout"]["meta"]["lit"] == []
    app.selectbox(key="pg_cfg_gan").set_value("infogan").run()
    assert {"c", "Q"} <= boxes(diagram(app)) and "y" not in boxes(diagram(app))

    app.radio(key="pg_mode").set_value("d").run()
    app.button(key="pg_step").click().run()
    handle = job(app)
    wait_for(lambda: handle.step >= 1 and handle.latest().trained == "d", timeout=60, what="D step")
    app.run()
    fig = diagram(app)
    assert fig["layout"]["meta"]["lit"] == ["d"]
    assert fig["layout"]["title"]["text"] == "the last step trained D"
    notes = fig["layout"]["annotations"]
    live = {a["name"]: a["text"] for a in notes if a["name"].startswith("live:")}
    assert "D(x)" in live["live:D"] and "L<sub>info</sub>" in live["live:loss"]

    app.radio(key="pg_mode").set_value("g").run()
    app.button(key="pg_step").click().run()
    wait_for(lambda: handle.latest().trained == "g", timeout=30, what="G step")
    app.run()
    assert diagram(app)["layout"]["meta"]["lit"] == ["g"]
    app.button(key="pg_reset").click().run()


def test_diagram_is_on_in_presentation_mode(app):
    app.query_params.update({"present": "1", "preset": "infogan-ring"})
    app.run()
    assert not app.exception
    assert app.toggle(key="pg_diagram").value is True
    assert {"c", "Q"} <= boxes(diagram(app))


def box_text(fig, key: str) -> str:
    return next(a["text"] for a in fig["layout"]["annotations"] if a["name"] == f"box:{key}")


def test_a_dcgan_diagram_says_its_layers_and_follows_a_rule(app):
    app.query_params.update({"target": "digits", "arch": "dcgan", "diagram": "1"})
    app.run()
    assert not app.exception and not app.error
    fig = diagram(app)
    g, d = box_text(fig, "G"), box_text(fig, "D")
    assert g.startswith("<b>G</b> · DCGAN") and "convT ↑8×8×1" in g and "+BN" in g
    assert d.startswith("<b>D</b> · DCGAN") and "conv ↓2×2×64" in d and "LeakyReLU" in d
    app.radio(key="pg_cfg_strided").set_value("off").run()
    app.radio(key="pg_cfg_batchnorm").set_value("off").run()
    g, d = box_text(diagram(app), "G"), box_text(diagram(app), "D")
    assert "up+conv ↑4×4×16" in g and "conv+pool ↓4×4×32" in d
    assert "BN" not in g + d
    app.selectbox(key="pg_cfg_target").set_value("ring").run()
    assert "DCGAN" not in box_text(diagram(app), "G"), "the ring trains an MLP"
