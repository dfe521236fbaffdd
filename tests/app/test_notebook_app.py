"""Playground: the run's settings as a notebook, before Train and after."""

import re

import nbformat

from tests.app.playground import train
from ui import exports


def notebook_button(app):
    return next(b for b in app.download_button if b.label == "Notebook")


def test_the_notebook_download_follows_the_settings_before_and_after_train(app):
    app.query_params.update({"target": "ring", "gan": "cgan", "loss": "hinge"})
    app.run()
    button = notebook_button(app)
    assert not button.proto.disabled, "a notebook needs settings, not a run"
    assert button.proto.deferred_file_id, "made when clicked"
    cfg = app.session_state["pg_config"]
    nb = nbformat.reads(exports.run_notebook(cfg, None).decode(), as_version=4)
    nbformat.validate(nb)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "STEPS = 5000" in source and "MODES, RADIUS, STD = 8, 2, 0.02" in source
    assert "F.relu(1 - real)" in source, "the hinge loss"
    assert "F.one_hot(labels, N_CLASSES)" in source, "cGAN's labels"
    assert "gan_core" not in source

    handle = train(app)
    app.run()
    assert not notebook_button(app).proto.disabled
    before = handle.step
    nb = nbformat.reads(exports.run_notebook(handle.config, handle).decode(), as_version=4)
    steps = int(re.search(r"^STEPS = (\d+)", nb.cells[1].source, re.M).group(1))
    assert 0 < before <= steps <= handle.step, "the run's steps so far"
