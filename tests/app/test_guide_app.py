"""Guide page: the lecture's equations, and links that open the presets."""

from gan_core.presets import PRESETS
from ui import presets


def test_guide_builds_with_equations_and_preset_links(app):
    app.run()
    app.switch_page("app_pages/guide.py").run()
    assert not app.exception and not app.error
    latex = " ".join(block.body for block in app.latex)
    assert r"\min_G \max_D V(D,G)" in latex
    assert r"\log\big(1 - D(G(z))\big)" in latex and r"-\mathbb{E}_z\big[\log D(G(z))\big]" in latex
    assert r"\log Q(c\mid x)" in latex and r"I\big(c;\,G(z,c)\big)" in latex
    links = {link.proto.query_string: link.proto.page for link in app.get("page_link")}
    for name in PRESETS:
        page = "compare" if name in presets.for_compare() else ""  # "": the default page
        assert links[f"preset={name}"] == page, name


def test_guide_plots_the_g_losses_and_an_optimal_d_that_follows_the_sliders(app):
    import json

    from tests.app import shown
    from tests.e2e.server import wait_for

    app.run()
    app.switch_page("app_pages/guide.py").run()
    specs = [json.loads(s) for s in shown.figure_specs(app)]
    names = [[t.get("name", "") for t in spec["data"]] for spec in specs]
    g_loss = next(n for n in names if any("non-saturating" in x for x in n))
    assert len(g_loss) == 2, "no run yet: the two curves, no mark"
    d_star = next(spec for spec in specs if any("D*(x)" in t.get("name", "") for t in spec["data"]))
    before = d_star["data"][2]["y"]
    app.slider(key="guide_g_mean").set_value(-1.0).run()  # p_g onto p_data
    specs = [json.loads(s) for s in shown.figure_specs(app)]
    d_star = next(spec for spec in specs if any("D*(x)" in t.get("name", "") for t in spec["data"]))
    after = d_star["data"][2]["y"]
    assert after != before
    values = after if isinstance(after, list) else None
    if values is not None:
        assert max(abs(v - 0.5) for v in values) < 1e-6, "D* is ½ where the densities agree"
    # the demo run is marked on the curves as it trains, slowly enough to watch
    from ui import guide

    assert 15 <= guide.DEMO_STEPS / guide.DEMO_SPEED <= 30, "seconds the demo trains"
    app.button(key="guide_train").click().run()
    handle = app.session_state["job:guide"]
    wait_for(lambda: handle.step > 0, timeout=120, what="the demo trains")
    app.run()
    specs = [json.loads(s) for s in shown.figure_specs(app)]
    marks = [t for spec in specs for t in spec["data"] if "the demo run" in t.get("name", "")]
    assert marks and 0 < marks[0]["x"][0] < 1
    links = {link.proto.query_string: link.proto.page for link in app.get("page_link")}
    assert links["target=moons"] == "", "GAN in action opens the Playground"
    assert "preset=lr-map" in links and links["preset=lr-map"] == "sweep"
    handle.stop()


def test_guide_links_each_mitigation_to_a_playground_run_with_it(app):
    from urllib.parse import parse_qsl

    from gan_core.engine.config import RunConfig

    app.run()
    app.switch_page("app_pages/guide.py").run()
    assert not app.exception and not app.error
    assert "8 · Other ways out of mode collapse" in [h.value for h in app.header]
    latex = " ".join(block.body for block in app.latex)
    assert r"D(x_1,\dots,x_m)" in latex and r"\bar W = \frac{W}{\sigma(W)}" in latex
    base = PRESETS["collapse-ring"].runs["gan"]
    demos = {}
    for link in app.get("page_link"):
        flat = dict(parse_qsl(link.proto.query_string))
        if {"pack", "mbstd", "spectral_norm", "unroll"} & set(flat) or flat.get(
            "gan"
        ) == "selfcond":
            demos[link.proto.label] = (link.proto.page, RunConfig.from_flat(flat))
    want = {
        "PacGAN: D judges 4 samples at once (Playground)": base.replace(pack=4),
        "Minibatch std: D sees the batch's spread (Playground)": base.replace(mbstd="on"),
        "Spectral normalisation of D (Playground)": base.replace(spectral_norm="on"),
        "Unrolled GAN: G looks 5 D steps ahead (Playground)": base.replace(unroll=5),
        "Self-conditioned GAN: labels from D's own clusters (Playground)": base.replace(
            gan="selfcond"
        ),
    }
    assert {label: cfg for label, (_, cfg) in demos.items()} == want
    assert all(page == "" for page, _ in demos.values()), "each opens the Playground"


def test_guide_ends_with_dcgans_rules_and_a_link_breaking_each(app):
    from urllib.parse import parse_qsl

    from gan_core.engine.config import RunConfig

    app.run()
    app.switch_page("app_pages/guide.py").run()
    assert not app.exception and not app.error
    headers = [h.value for h in app.header]
    assert headers[-2] == "9 · DCGAN: convolutional networks for images"
    links = {link.proto.label: link.proto for link in app.get("page_link")}
    assert links["DCGAN's rules on the digits (Compare)"].query_string == "preset=dcgan-rules"
    base = PRESETS["dcgan-rules"].runs["dcgan"]
    broken = {}
    for label, link in links.items():
        flat = dict(parse_qsl(link.query_string))
        if flat.get("arch") == "dcgan":
            broken[label] = RunConfig.from_flat(flat)
    assert broken["DCGAN on the digits, every rule kept (Playground)"] == base
    assert broken["Break a rule: no batchnorm (Playground)"] == base.replace(batchnorm="off")
    assert broken["Break a rule: ReLU in D (Playground)"] == base.replace(leaky_d="off")
    assert len(broken) == 6, "every rule kept, then each of the five broken"
