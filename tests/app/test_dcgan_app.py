"""DCGAN on the Playground (AppTest): the sidebar's expander for ``arch`` and its rules on
image targets only, Train runs a DCGAN, links set it, a model file restores it, and the
notebook download offers it."""

from gan_core.engine import modelfile
from gan_core.engine.config import RunConfig
from gan_core.engine.specs import CONV
from tests.app.playground import job, train
from tests.e2e.server import wait_for
from ui import exports
from ui.controls import SIDEBAR, widget_key

KEY = "pg_cfg_"
RULES = ("strided", "batchnorm", "fc_hidden", "tanh_out", "leaky_d")
IN_CONV = [name for name, spec in SIDEBAR.items() if spec.widget.section == CONV]


def conv_expander(app):
    return next((e for e in app.sidebar.expander if e.label == CONV), None)


def config(app) -> RunConfig:
    return app.session_state["pg_config"]


def test_the_conv_expander_is_on_the_digits_only(app):
    app.query_params["target"] = "digits"
    app.run()
    assert not app.exception and not app.error
    box = conv_expander(app)
    assert box is not None
    assert [r.key for r in box.radio] == [KEY + n for n in ("arch", *RULES)]
    assert [s.key for s in box.select_slider] == [KEY + "g_channels", KEY + "d_channels"]
    assert box.radio(key=KEY + "arch").options == ["mlp", "dcgan"]
    assert box.radio(key=KEY + "arch").value == "mlp"
    assert set(IN_CONV) == {"arch", "g_channels", "d_channels", *RULES}

    app.selectbox(key=KEY + "target").set_value("ring").run()
    assert not app.exception and not app.error
    assert conv_expander(app) is None
    keys = {w.key for w in app.sidebar.get("radio")} | {w.key for w in app.select_slider}
    assert not keys & {KEY + widget_key(n) for n in IN_CONV}
    assert config(app).arch == "mlp"


def test_choosing_dcgan_and_train_trains_a_dcgan(app):
    app.query_params["target"] = "digits"
    app.run()
    app.radio(key=KEY + "arch").set_value("dcgan").run()
    app.radio(key=KEY + "leaky_d").set_value("off").run()
    assert not app.exception and not app.error
    cfg = config(app)
    assert (cfg.arch, cfg.leaky_d) == ("dcgan", "off")
    assert app.query_params["arch"] == "dcgan", "the link holds it"
    handle = train(app)
    assert (handle.config.arch, handle.config.leaky_d) == ("dcgan", "off")
    first = handle.step
    wait_for(lambda: handle.step > first, timeout=60, what="the DCGAN's steps rise")
    wait_for(lambda: handle.history.latest() is not None, timeout=60, what="a snapshot")
    assert handle.history.latest().fake.shape[1] == 64, "8×8 images"
    app.run()
    assert not app.exception
    app.button(key="pg_reset").click().run()


def test_a_link_sets_dcgan_and_its_rules(app):
    app.query_params.update({"target": "digits", "arch": "dcgan", "batchnorm": "off"})
    app.run()
    assert not app.exception and not app.error
    cfg = config(app)
    assert (cfg.target, cfg.arch, cfg.batchnorm, cfg.strided) == ("digits", "dcgan", "off", "on")
    assert app.radio(key=KEY + "arch").value == "dcgan"
    assert app.radio(key=KEY + "batchnorm").value == "off"
    notebook = app.get("download_button")[3]
    assert notebook.label == "Notebook" and not notebook.proto.disabled


def test_a_link_asking_dcgan_on_the_ring_says_why_it_is_ignored(app):
    app.query_params.update({"target": "ring", "arch": "dcgan"})
    app.run()
    assert not app.exception
    errors = [e.value for e in app.main.error]
    assert any(
        e.startswith("Link setting ignored — arch:") and "image target" in e for e in errors
    ), errors
    cfg = config(app)
    assert (cfg.target, cfg.arch) == ("ring", "mlp")


def uploader(app, key):
    return next(u for u in app.get("file_uploader") if u.proto.id.endswith(key))


def test_a_dcgan_model_downloads_and_uploads_with_its_rules(app):
    app.query_params.update({"target": "digits", "arch": "dcgan", "strided": "off"})
    app.run()
    handle = train(app)
    saved = modelfile.read_model(exports.model_file(handle))
    assert saved.config == handle.config and saved.config.arch == "dcgan" and saved.step > 0
    app.button(key="pg_reset").click().run()

    from gan_core.engine.trainer import Trainer

    trainer = Trainer(RunConfig(target="digits", arch="dcgan", batchnorm="off", g_channels=16))
    for _ in range(7):
        trainer.step()
    data = modelfile.model_bytes(trainer)
    uploader(app, "pg_model_file").upload("dc.pt", data).run()
    assert not app.exception and not app.error
    assert any("DCGAN" in s.value and "trained 7 steps" in s.value for s in app.success)
    app.button(key="pg_m_go").click().run()
    assert not app.exception
    handle = job(app)
    cfg = handle.config
    assert (cfg.arch, cfg.batchnorm, cfg.strided, cfg.g_channels) == ("dcgan", "off", "on", 16)
    assert app.radio(key=KEY + "arch").value == "dcgan", "widgets show the file's config"
    assert app.radio(key=KEY + "batchnorm").value == "off"
    assert app.radio(key=KEY + "strided").value == "on"
    wait_for(lambda: handle.step > 7, timeout=60, what="training goes on from step 7")
    assert not app.info, "no Reset asked for: the widgets match the model"
    app.button(key="pg_reset").click().run()
