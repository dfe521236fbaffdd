"""The notebook export: plain PyTorch that builds for every setting and runs in Jupyter."""

from __future__ import annotations

import ast
import itertools
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from gan_core import notebook
from gan_core.engine import targets as T
from gan_core.engine.config import GAN_TYPES, LOSSES, RunConfig

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"copy", "math", "numpy", "torch", "sklearn", "matplotlib"}
BLOBS = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
FIGURES = re.compile(r"^step (\d+)(?: · (.*))?$", re.M)


def blobs_csv(path: Path) -> Path:
    """Three labelled blobs, as a user's CSV."""
    rng = np.random.default_rng(3)
    labels = np.arange(300) % 3
    points = BLOBS[labels] + 0.1 * rng.standard_normal((300, 2))
    rows = [f"{x!r},{y!r},{lab}" for (x, y), lab in zip(points.tolist(), labels, strict=True)]
    path.write_text("x,y,label\n" + "\n".join(rows) + "\n")
    return path


def config(target: str, **kw) -> RunConfig:
    if target == "custom":
        rng = np.random.default_rng(0)
        labels = np.arange(40) % 2
        kw["custom"] = (BLOBS[labels] + 0.1 * rng.standard_normal((40, 2)), labels)
    return RunConfig(target=target, **kw)


def code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def imported(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


WRITTEN = GAN_TYPES
"""The GAN types the notebook writes: all of them."""
COMBOS = list(itertools.product(T.TARGETS, WRITTEN, LOSSES))


@pytest.mark.parametrize("target", list(T.TARGETS))
def test_every_gan_type_and_loss_builds_code_that_compiles(target):
    for gan, loss in itertools.product(WRITTEN, LOSSES):
        nb = notebook.notebook(config(target, gan=gan, loss=loss), 100)
        nbformat.validate(nb)
        for source in code_cells(nb):
            compile(source, f"<{target} {gan} {loss}>", "exec")
            assert imported(source) <= ALLOWED, (target, gan, loss, imported(source))
            assert "gan_core" not in source


def test_other_settings_reach_the_code():
    cfg = config(
        "ring",
        gan="infogan",
        loss="wgan-gp",
        optimizer="sgd",
        z_dist="uniform",
        ema=0.99,
        cont_codes=2,
        codes=4,
        g_depth=3,
        d_depth=2,
        activation="tanh",
        d_steps=3,
        lr_g=2e-4,
        beta1=0.7,
        gp_weight=5.0,
        info_weight=0.5,
    )
    source = "\n".join(code_cells(notebook.notebook(cfg, 100)))
    for text in (
        "torch.optim.SGD(G.parameters(), lr=LR_G, momentum=BETA1)",
        "torch.rand(n, Z_DIM) * 2 - 1",
        "G_ema = copy.deepcopy(G)",
        "N_CODES = 4",
        "N_CONT = 2",
        "D_STEPS = 3",
        "LR_G, LR_D = 0.0002, 0.001",
        "BETA1, BETA2 = 0.7, 0.999",
        "GP_WEIGHT = 5",
        "INFO_WEIGHT = 0.5",
        "G_eval = G_ema",
    ):
        assert text in source, text
    assert source.count("nn.Tanh()") == 3 + 2
    assert "import copy" in source
    assert imported(source) <= ALLOWED


def test_steps_out_of_range_are_refused():
    with pytest.raises(ValueError, match="steps"):
        notebook.notebook(RunConfig(), 0)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Execute a notebook in a fresh python3 kernel, in an empty folder (where gan_core
    cannot be imported); return its printed output."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.delenv("PYTHONPATH", raising=False)

    def execute(nb) -> str:
        client = NotebookClient(
            nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
        )
        client.execute()
        out = []
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                if o.output_type == "stream":
                    out.append(o.text)
        return "".join(out)

    return execute


def figures_line(out: str) -> str:
    lines = FIGURES.findall(out)
    assert lines, out[-2000:]
    return lines[-1][1]


@pytest.mark.parametrize(
    "target,gan", [(t, g) for t in ("ring", "moons") for g in ("gan", "cgan", "infogan")]
)
def test_notebooks_run_and_print_the_figures(run, target, gan):
    nb = notebook.notebook(config(target, gan=gan), 200)
    out = run(nb)
    assert "step 200: loss_d" in out
    line = figures_line(out)
    if target == "ring":
        assert re.match(r"modes covered \d/8 · hq \d+% · effective modes \d", line), line
    else:
        assert line == "", "moons has no modes: the status line is the step alone"
        assert re.search(r"^kl \d+\.\d+ · js \d+\.\d+$", out, re.M), out[-500:]


def test_a_custom_csv_from_the_command_line_runs(run, tmp_path):
    csv = blobs_csv(tmp_path / "blobs.csv")
    out_file = tmp_path / "run.ipynb"
    args = ["--data", str(csv), "--gan", "cgan", "--steps", "200", "--out", str(out_file)]
    done = subprocess.run(
        [sys.executable, "-m", "gan_core", "notebook", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    nb = nbformat.read(out_file, as_version=4)
    nbformat.validate(nb)
    assert "POINTS = [" in code_cells(nb)[1]
    line = figures_line(run(nb))
    assert re.match(r"classes covered \d/3 · hq \d+%", line), line


def test_the_command_line_refuses_bad_flags(tmp_path, capsys):
    from gan_core.cli import main

    assert main(["notebook", "--steps", "0", "--out", str(tmp_path / "a.ipynb")]) == 2
    assert "steps" in capsys.readouterr().err
    assert main(["notebook", "--target", "nope", "--out", str(tmp_path / "a.ipynb")]) == 2
    assert not (tmp_path / "a.ipynb").exists()


def test_digits_notebook_runs_and_judges(run):
    nb = notebook.notebook(config("digits", gan="cgan"), 200)
    out = run(nb)
    assert "the judge reads real digits" in out
    line = figures_line(out)
    assert re.match(r"digits covered \d+/10 · hq \d+% · effective digits .* · purity \d+%", line)


def test_cgan_ring_at_5000_steps_covers_seven_of_eight_modes(run):
    out = run(notebook.notebook(config("ring", gan="cgan"), 5000))
    covered, total = map(int, re.search(r"modes covered (\d+)/(\d+)", figures_line(out)).groups())
    assert total == 8 and covered >= 7, out[-800:]


# --- the settings against mode collapse (pack, mbstd, spectral_norm) --------------------

AGAINST_COLLAPSE = {
    "pack": {"pack": 3},
    "mbstd": {"mbstd": "on"},
    "sn": {"spectral_norm": "on"},
    "all": {"pack": 2, "mbstd": "on", "spectral_norm": "on"},
}
WRITES = {
    "pack": ("def pack(x, m=PACK):", "PACK = 3", "D(pack(real))"),
    "mbstd": ("def minibatch_std(h):", "minibatch_std(D_body(x))"),
    "sn": ("spectral_norm(nn.Linear(", "with parametrize.cached():", "power_iteration(False)"),
}


@pytest.mark.parametrize("gan", ["gan", "cgan", "infogan"])
@pytest.mark.parametrize("setting", list(AGAINST_COLLAPSE))
def test_each_setting_against_collapse_builds_code_that_compiles(gan, setting):
    for loss in ("nonsaturating", "wgan-gp"):
        nb = notebook.notebook(config("ring", gan=gan, loss=loss, **AGAINST_COLLAPSE[setting]), 100)
        nbformat.validate(nb)
        for source in code_cells(nb):
            compile(source, f"<{gan} {loss} {setting}>", "exec")
            assert imported(source) <= ALLOWED, imported(source)
            assert "gan_core" not in source
        source = "\n".join(code_cells(nb))
        for name, texts in WRITES.items():
            if setting in (name, "all"):
                for text in texts:
                    if name == "pack" and setting == "all":
                        text = text.replace("PACK = 3", "PACK = 2")
                    if gan == "cgan":
                        text = text.replace("pack(real)", "pack(torch.cat([real, cond], 1))")
                    assert text in source, (setting, text)
        md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "## Against mode collapse" in md


def test_without_them_the_notebook_writes_none_of_them():
    for gan in ("gan", "cgan", "infogan"):
        nb = notebook.notebook(config("ring", gan=gan, loss="wgan-gp"), 100)
        source = "\n".join(code_cells(nb))
        for text in ("PACK", "pack(", "minibatch_std", "spectral_norm", "parametrize"):
            assert text not in source, (gan, text)
        assert "Against mode collapse" not in "".join(c.source for c in nb.cells)


def built(cfg: RunConfig) -> dict:
    """The notebook's namespace after its cells up to the training loop, run here."""
    ns: dict = {}
    for source in code_cells(notebook.notebook(cfg, 100)):
        if "for step in range" in source:
            return ns
        exec(compile(source, "<notebook>", "exec"), ns)
    raise AssertionError("no training loop")


def test_the_notebooks_d_is_the_apps_shape_and_method():
    from gan_core.engine.nets import minibatch_std
    from gan_core.engine.trainer import Trainer

    cfg = config("ring", gan="infogan", n_points=600, **AGAINST_COLLAPSE["all"])
    ns = built(cfg)
    torch, parametrize = ns["torch"], ns["parametrize"]
    app = Trainer(cfg).model
    body, head, q = ns["D_body"], ns["D_head"], ns["Q_head"]
    # the same layers, the same sizes: m samples in, one more feature, m samples' codes out
    assert [m.weight.shape for m in (*body[::2], head, q)] == [
        m.weight.shape for m in (*app.D.hidden(), app.D.head, app.D.q)
    ]
    x = ns["X"][:6]
    assert torch.equal(ns["pack"](x), app.packed(x[None])[0])
    assert ns["D"](ns["pack"](x)).shape == (3,)
    assert ns["Q"](ns["pack"](x)).shape == (6, cfg.n_codes)
    h = torch.randn(7, 5)
    assert torch.allclose(ns["minibatch_std"](h), minibatch_std(h))
    # spectral norm on D's hidden layers and head (exactly its norm), not on Q's head
    assert all(parametrize.is_parametrized(m) for m in (*body[::2], head))
    assert not parametrize.is_parametrized(q)
    assert torch.allclose(head.weight.norm(), torch.tensor(1.0))
    raw = body[0].parametrizations.weight.original.detach()
    sigma = torch.linalg.matrix_norm(body[0].weight.detach(), 2).item()
    assert torch.linalg.matrix_norm(raw, 2) > 2 and 0.999 < sigma < 1.05, sigma  # (σ estimated)
    # one power iteration per D step, none in G's
    u = lambda: body[0].parametrizations.weight[0]._u.clone()  # noqa: E731
    before = u()
    ns["power_iteration"](False)
    ns["D"](ns["pack"](x))
    assert torch.equal(u(), before), "G's step reads σ without moving it"
    ns["power_iteration"](True)
    with parametrize.cached():
        ns["D"](ns["pack"](x))
        moved = u()
        ns["D"](ns["pack"](x))
        ns["Q"](ns["pack"](x))
    assert not torch.equal(moved, before) and torch.equal(u(), moved), "one iteration per D step"


@pytest.mark.parametrize("gan", ["gan", "infogan"])
def test_a_notebook_with_all_three_runs_and_prints_the_figures(run, gan):
    nb = notebook.notebook(config("ring", gan=gan, **AGAINST_COLLAPSE["all"]), 100)
    out = run(nb)
    assert "step 100: loss_d" in out
    line = figures_line(out)
    assert re.match(r"modes covered \d/8 · hq \d+% · effective modes \d", line), line


# --- arch dcgan: DCGAN's convolutional nets on the digits -------------------------------

RULES = {
    "all kept": {},
    "strided off": {"strided": "off"},
    "batchnorm off": {"batchnorm": "off"},
    "fc_hidden on": {"fc_hidden": "on"},
    "tanh_out off": {"tanh_out": "off"},
    "leaky_d off": {"leaky_d": "off"},
}


def dcgan(**kw) -> RunConfig:
    return RunConfig(target="digits", arch="dcgan", **kw)


def networks_cell(nb) -> str:
    return next(s for s in code_cells(nb) if "G = nn.Sequential(" in s)


@pytest.mark.parametrize("gan", WRITTEN)
def test_dcgan_notebooks_build_code_that_compiles_with_convolutions(gan):
    for (rule, kw), loss in itertools.product(RULES.items(), ("nonsaturating", "wgan-gp")):
        for extra in ({}, {"pack": 2, "mbstd": "on", "spectral_norm": "on", "ema": 0.99}):
            nb = notebook.notebook(dcgan(gan=gan, loss=loss, **kw, **extra), 100)
            nbformat.validate(nb)
            for source in code_cells(nb):
                compile(source, f"<{gan} {loss} {rule}>", "exec")
                assert imported(source) <= ALLOWED, imported(source)
                assert "gan_core" not in source
            cell = networks_cell(nb)
            assert "nn.Conv2d(" in cell
            assert ("nn.ConvTranspose2d(" in cell) == (kw.get("strided") != "off")
            for rule_name in RULES:  # written out for the rules, no branch on them
                assert rule_name.split()[0] not in cell, rule_name
            assert " if " not in cell


def test_each_broken_rule_changes_the_networks_cell():
    cell = {rule: networks_cell(notebook.notebook(dcgan(**kw), 100)) for rule, kw in RULES.items()}
    kept = cell["all kept"]
    assert kept.count("nn.ConvTranspose2d(") == 2 and kept.count("nn.Conv2d(") == 2
    assert "nn.MaxPool2d" not in kept and "nn.Upsample" not in kept
    assert kept.count("nn.BatchNorm2d(") == 3, "2 in G, 1 in D (not on its input layer)"
    assert kept.count("nn.LeakyReLU(0.2)") == 2 and kept.count("nn.Tanh()") == 1
    pooled = cell["strided off"]
    assert "nn.ConvTranspose2d" not in pooled
    assert pooled.count("nn.MaxPool2d(2)") == 2 and pooled.count("nn.Upsample(") == 2
    assert "BatchNorm" not in cell["batchnorm off"]
    fc = cell["fc_hidden on"]
    assert "nn.Linear(Z_DIM, 4 * G_CH)" in fc and "nn.Linear(D_CH * 8, 4 * D_CH)" in fc
    assert fc.count("nn.BatchNorm1d(") == 2
    assert "nn.Tanh()" not in cell["tanh_out off"]
    assert "LeakyReLU" not in cell["leaky_d off"]
    for rule in RULES:
        if rule != "all kept":
            assert cell[rule] != kept, rule
    md = "\n".join(c.source for c in notebook.notebook(dcgan(strided="off"), 100).cells)
    assert "**broken**: no strided convolutions" in md


def test_dcgan_channels_reach_the_setup():
    source = "\n".join(code_cells(notebook.notebook(dcgan(g_channels=64, d_channels=16), 100)))
    assert "G_CH = 64" in source and "D_CH = 16" in source


DCGAN_CASES = [
    (gan, rule, extra)
    for gan in WRITTEN
    for rule in ("all kept", "strided off", "fc_hidden on")
    for extra in ({}, {"pack": 3}, {"pack": 2, "mbstd": "on"})
]


@pytest.mark.parametrize("gan,rule,extra", DCGAN_CASES)
def test_the_dcgan_notebooks_nets_compute_what_the_apps_compute(gan, rule, extra):
    """With the app's weights (and batchnorm's statistics), the notebook's G and D give
    the app's outputs, in eval mode."""
    import torch

    from gan_core.engine.trainer import Trainer

    cont = {"cont_codes": 1} if gan == "infogan" else {}
    cfg = dcgan(gan=gan, g_channels=16, d_channels=8, **RULES[rule], **extra, **cont)
    ns = built(cfg)
    app = Trainer(cfg).model
    g, d_params = ns["G"], ns["d_params"]
    d_nets = [ns[n] for n in ("D_net", "D_body", "D_head", "Q_head") if n in ns]
    assert [p.shape for p in g.parameters()] == [p.shape for p in app.G.parameters()]
    assert [p.shape for p in d_params] == [p.shape for p in app.D.parameters()]
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for mine, apps in ((g.parameters(), app.G.parameters()), (d_params, app.D.parameters())):
            for a, b in zip(mine, apps, strict=True):
                a.copy_(b + 0.1 * torch.randn(b.shape, generator=gen))
                b.copy_(a)
        g_stats = zip(g.buffers(), app.G.buffers(), strict=True)
        d_stats = zip(d_nets[0].buffers(), app.D.trunk.buffers(), strict=True)
        for a, b in (*g_stats, *d_stats):
            b.copy_(a + (torch.rand(a.shape, generator=gen) if a.is_floating_point() else 0))
            a.copy_(b)
    for net in (g, *d_nets):
        net.eval()
    z = torch.randn(12, g[0].in_features, generator=gen)
    with torch.no_grad():
        assert torch.allclose(g(z), app.G(z), atol=1e-5)
        rows = ns["X"][:12]
        if gan in ("cgan", "selfcond"):
            k = ns.get("N_CLUSTERS", 10)
            rows = torch.cat([rows, ns["F"].one_hot(ns["Y"][:12] % k, k).float()], 1)
        rows = ns["pack"](rows) if "pack" in ns else rows
        if "planes" in ns:
            assert torch.equal(ns["planes"](rows), app.D.planes(rows))
        scores = app.D.scores(rows)
        assert torch.allclose(ns["D"](rows), scores[:, 0], atol=1e-5)
        if gan == "infogan":
            q = app.per_sample(scores[None, :, 1:])[0]
            assert torch.allclose(ns["Q"](rows), q, atol=1e-5)


def test_a_dcgan_notebooks_spectral_norm_is_on_every_layer_of_d():
    cfg = dcgan(gan="infogan", spectral_norm="on", fc_hidden="on")
    ns = built(cfg)
    parametrize = ns["torch"].nn.utils.parametrize
    layers = [m for m in ns["D_body"] if isinstance(m, (ns["nn"].Conv2d, ns["nn"].Linear))]
    assert len(layers) == 3
    assert all(parametrize.is_parametrized(m) for m in (*layers, ns["D_head"]))
    assert not parametrize.is_parametrized(ns["Q_head"])
    assert "power_iteration" not in ns and "parametrize.cached" not in "".join(
        code_cells(notebook.notebook(cfg, 100))
    ), "a DCGAN's D trains in training mode: one iteration per forward, as the app's"


@pytest.mark.parametrize("gan,rule", [("gan", "all kept"), ("cgan", "batchnorm off")])
def test_dcgan_digits_notebooks_run_and_print_the_figures(run, gan, rule):
    nb = notebook.notebook(dcgan(gan=gan, **RULES[rule]), 200)
    source = "\n".join(code_cells(nb))
    assert ("nn.BatchNorm2d(" in source) == (rule != "batchnorm off")
    assert "G_eval.eval()" in source
    out = run(nb)
    assert "step 200: loss_d" in out and "the judge reads real digits" in out
    line = figures_line(out)
    purity = " · purity \\d+%" if gan == "cgan" else ""
    assert re.match(rf"digits covered \d+/10 · hq \d+% · effective digits [\d.]+.*{purity}", line)


# --- unroll: G's step against D looking ahead -------------------------------------------


def trained(cfg: RunConfig, steps: int) -> dict:
    """The notebook's namespace after its training loop of ``steps`` steps, run here."""
    ns: dict = {}
    for source in code_cells(notebook.notebook(cfg, steps)):
        exec(compile(source, "<notebook>", "exec"), ns)
        if "for step in range" in source:
            return ns
    raise AssertionError("no training loop")


@pytest.mark.parametrize(
    "cfg",
    [
        config("ring", n_points=600),
        config("ring", gan="infogan", loss="wgan-gp", n_points=600, **AGAINST_COLLAPSE["all"]),
        dcgan(gan="cgan", spectral_norm="on", g_channels=8, d_channels=8),
    ],
    ids=["gan", "infogan-gp-all", "dcgan-cgan-sn"],
)
def test_unroll_writes_ds_look_ahead_and_moves_only_g(cfg):
    source = "\n".join(code_cells(notebook.notebook(cfg.replace(unroll=3), 100)))
    for text in ("UNROLL = 3", "for _ in range(UNROLL):", "torch.autograd.grad(loss_k, d_params)"):
        assert text in source, text
    assert "UNROLL" not in "\n".join(code_cells(notebook.notebook(cfg, 100)))
    plain, ahead = trained(cfg, 1), trained(cfg.replace(unroll=3), 1)
    d_plain, d_ahead = plain["d_params"], ahead["d_params"]
    assert all(a.equal(b) for a, b in zip(d_plain, d_ahead, strict=True)), "D is put back"
    g_plain, g_ahead = plain["G"].parameters(), ahead["G"].parameters()
    assert not all(a.equal(b) for a, b in zip(g_plain, g_ahead, strict=True))


def test_an_unrolled_notebook_runs(run):
    out = run(notebook.notebook(config("ring", unroll=2, n_points=2000), 200))
    assert "step 200: loss_d" in out
    assert re.match(r"modes covered \d/8 · hq \d+% · effective modes \d", figures_line(out))


# --- selfcond: a cGAN on the clusters of D's features -----------------------------------


@pytest.mark.parametrize(
    "cfg",
    [
        config("ring", gan="selfcond", codes=4, n_points=600, pack=2, mbstd="on"),
        dcgan(gan="selfcond", codes=5, g_channels=8, d_channels=8, pack=2),
    ],
    ids=["mlp-pack-mbstd", "dcgan-pack"],
)
def test_the_notebooks_clusters_are_the_apps(cfg):
    """With the app's D and the same current labels, ``recluster`` gives the app's clusters."""
    import torch

    from gan_core.engine import selfcond
    from gan_core.engine.trainer import Trainer

    source = "\n".join(code_cells(notebook.notebook(cfg, 100)))
    for text in ("from sklearn.cluster import KMeans", "RECLUSTER = 500", "CLUSTERS = recluster()"):
        assert text in source, text
    ns = built(cfg)
    t = Trainer(cfg)
    assert [p.shape for p in ns["d_params"]] == [p.shape for p in t.d_params]
    with torch.no_grad():
        for a, b in zip(ns["d_params"], t.d_params, strict=True):
            a.copy_(b)
    for net in (ns["D_body"], t.model.D):
        net.eval()
    assert not ns["CLUSTERS"].any(), "all 0 until the first clustering"
    labels = torch.randint(
        cfg.n_codes, (len(t.cond_y),), generator=torch.Generator().manual_seed(1)
    )
    t.cond_y.copy_(labels)
    ns["CLUSTERS"] = labels.clone()
    mine = ns["recluster"]()
    assert torch.equal(mine, torch.from_numpy(selfcond.clusters(t)))
    assert mine.dtype == torch.long and len(mine.unique()) == cfg.n_codes


def test_a_selfcond_digits_notebook_clusters_and_runs(run):
    nb = notebook.notebook(config("digits", gan="selfcond", codes=10), 600)
    out = run(nb)
    sizes = re.search(r"^step 500: new clusters of \[([\d, ]+)\] samples$", out, re.M)
    assert sizes, out[-2000:]
    assert sum(map(int, sizes.group(1).split(", "))) == 1797
    assert "step 600: loss_d" in out
    line = figures_line(out)
    assert re.match(r"digits covered \d+/10 · hq \d+% · effective digits .* · purity \d+%", line)
