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
