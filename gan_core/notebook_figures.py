"""The last code cells of an exported notebook: samples, their plot and the run's figures.

The figures are the app's (metrics.py, coverage.py, judge.py) written out in numpy and
scikit-learn, printed as the app's status line words them (figures/plots.py).
"""

from __future__ import annotations

from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.figures.base import plural
from gan_core.notebook_cells import mode_word

SAMPLE = {
    "gan": """    fake = G_eval(noise(N_EVAL))
fake_codes = np.zeros(N_EVAL, dtype=int)""",
    "cgan": """    labels = Y[torch.randint(len(Y), (N_EVAL,))]
    fake = G_eval(g_input(N_EVAL, labels))
fake_codes = labels.numpy()  # each sample's class""",
    "selfcond": """    labels = CLUSTERS[torch.randint(len(X), (N_EVAL,))]
    fake = G_eval(g_input(N_EVAL, labels))
fake_codes = labels.numpy()  # each sample's cluster""",
    "infogan": """    code, cont = codes(N_EVAL)
    fake = G_eval(g_input(N_EVAL, code, cont))
fake_codes = code.numpy()  # each sample's categorical code""",
}


def sample(cfg: RunConfig) -> str:
    g = "G_ema" if cfg.ema > 0 else "G"
    mode = ""
    if cfg.arch == "dcgan":
        why = "  # batchnorm: its running statistics, not the batch's" * (cfg.batchnorm == "on")
        mode = f"G_eval.eval(){why}\n"
    return (
        f"N_EVAL = 2500\nG_eval = {g}\n{mode}with torch.no_grad():\n{SAMPLE[cfg.gan]}\n"
        "fake = fake.numpy()\n"
        'assert np.isfinite(fake).all(), "G\'s samples are not finite: the run diverged"'
    )


def plot(cfg: RunConfig) -> str:
    coded = cfg.gan != "gan"
    row = {"gan": "", "cgan": "class", "infogan": "code", "selfcond": "cluster"}[cfg.gan]
    what = f", coloured by {row}" if coded else ""
    if T.TARGETS[cfg.target].image is not None:
        order = "np.argsort(fake_codes[:100], kind='stable')" if coded else "np.arange(100)"
        by = f", sorted by {row}" if coded else ""
        return f"""{sample(cfg)}

show = fake[{order}]  # 100 samples{by}
fig, axes = plt.subplots(10, 10, figsize=(6, 6))
for ax, image in zip(axes.ravel(), show):
    ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
    ax.axis("off")
fig.suptitle(f"G's digits after {{step}} steps{by}")
plt.show()"""
    cmap = "tab10" if max(cfg.n_classes, cfg.n_codes) <= 10 else "tab20"
    colour = f'c=fake_codes, cmap="{cmap}"' if coded else 'c="tab:orange"'
    return f"""{sample(cfg)}

fig, ax = plt.subplots(figsize=(6, 6))
ax.scatter(x[:, 0], x[:, 1], s=2, c="lightgrey", label="real")
ax.scatter(fake[:, 0], fake[:, 1], s=2, {colour}, label="generated")
ax.set_xlim(-EXTENT, EXTENT)
ax.set_ylim(-EXTENT, EXTENT)
ax.set_aspect("equal")
ax.legend(loc="upper right", markerscale=4)
ax.set_title(f"Real and generated points after {{step}} steps{what}")
plt.show()"""


MODE_FIGURES = '''def mode_figures(idx, high, weights, min_share=0.0):
    """Figures from each sample's mode (idx) and whether it is high quality (high).

    A mode is covered when it holds a high-quality sample (and at least min_share of
    all samples); effective modes: exp of the entropy of the samples' modes; rkl: the
    KL divergence of the samples' mode shares from the target's."""
    k, n = len(weights), len(idx)
    counts = np.bincount(idx, minlength=k)
    hq_counts = np.bincount(idx[high], minlength=k)
    p = counts / n
    nz = p > 0
    effective = float(np.exp(-(p[nz] * np.log(p[nz])).sum()))
    return {
        "covered": int(((hq_counts > 0) & (hq_counts >= min_share * n)).sum()),
        "total": k,
        "hq": float(high.mean()),
        "effective": effective,
        "collapsed": effective <= k / 2,
        "rkl": float((p[nz] * np.log(p[nz] / weights[nz])).sum()),
    }

'''

MIXTURE = """d2 = ((fake[:, None, :] - CENTRES[None, :, :]) ** 2).sum(-1)
idx = d2.argmin(1)  # each sample's nearest mode
high = np.sqrt(d2.min(1)) <= 3 * STD  # high quality: within 3 std of it
figures = mode_figures(idx, high, np.full(len(CENTRES), 1 / len(CENTRES)))"""

CLASSES = """# one Gaussian mode per class of your points: its mean and covariance
dist = np.empty((len(fake), N_CLASSES))
for c in range(N_CLASSES):
    pts = x[y == c]
    if len(pts) >= 2:
        cov = np.cov(pts, rowvar=False)
        cov = cov + (1e-6 * np.mean(np.diag(cov)) + 1e-12) * np.eye(2)
    else:  # a single point: a tiny round mode on it
        cov = (1e-6 * np.mean(np.diag(np.cov(x, rowvar=False))) + 1e-12) * np.eye(2)
    diff = fake - pts.mean(0)
    dist[:, c] = np.sqrt(np.maximum(np.einsum("nd,nd->n", diff @ np.linalg.inv(cov), diff), 0))
idx = dist.argmin(1)  # each sample's class: the nearest in Mahalanobis distance
high = dist.min(1) <= 3  # high quality: within 3 (Mahalanobis) std of it
figures = mode_figures(idx, high, np.bincount(y, minlength=N_CLASSES) / len(y))"""

JUDGE = """# a judge: logistic regression fitted on 3/4 of the real digits
x_fit, x_test, y_fit, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
judge = LogisticRegression(C=1.0, max_iter=1000, random_state=0).fit(x_fit, y_fit)
accuracy = judge.score(x_test, y_test)
print(f"the judge reads real digits it was not fitted on with {accuracy:.0%} accuracy")
p = judge.predict_proba(np.clip(fake, -1, 1))
idx = p.argmax(1)  # the digit each image shows
high = p.max(1) >= 0.9  # high quality: the judge is at least 90% sure
# a digit is covered when at least 1% of the images are confident ones of it
figures = mode_figures(idx, high, np.full(10, 0.1), min_share=0.01)"""

PURITY = """table = np.zeros((fake_codes.max() + 1, 10), dtype=int)  # {rows} × judged digit
np.add.at(table, (fake_codes, idx), 1)
purity = table.max(1).sum() / len(idx)  # share of images showing their {row}'s usual digit
"""

HISTOGRAMS = '''

def histogram(points, bins=40):
    """Smoothed histogram on the plot's square; points outside count at its edges."""
    pts = np.clip(points, -EXTENT, EXTENT * (1 - 1e-9))
    h, _, _ = np.histogram2d(pts[:, 0], pts[:, 1], bins=bins, range=[[-EXTENT, EXTENT]] * 2)
    h = h + 0.5
    return h / h.sum()


p_data, p_g = histogram(x), histogram(fake)
m = 0.5 * (p_data + p_g)
kl = (p_data * np.log(p_data / p_g)).sum()
js = 0.5 * (p_data * np.log(p_data / m)).sum() + 0.5 * (p_g * np.log(p_g / m)).sum()'''


def figures(cfg: RunConfig) -> str:
    target = T.TARGETS[cfg.target]
    word = mode_word(cfg)
    words = plural(word) if word else ""
    code = []
    line = ['parts = [f"step {step}"]']
    more = []
    if word is not None:
        code.append(MODE_FIGURES)
        if target.image is not None:
            code.append(JUDGE)
        elif target.modes(**cfg.params) is not None:
            code.append(MIXTURE)
        else:
            code.append(CLASSES)
        line += [
            f"parts.append(f\"{words} covered {{figures['covered']}}/{{figures['total']}}\")",
            "parts.append(f\"hq {figures['hq']:.0%}\")",
            'collapsed = " (collapsed)" if figures["collapsed"] else ""',
            f"parts.append(f\"effective {words} {{figures['effective']:.1f}}{{collapsed}}\")",
        ]
        more.append("f\"rkl {figures['rkl']:.3f}\"")
        if target.image is not None and cfg.gan != "gan":
            row = {"cgan": "class", "infogan": "code", "selfcond": "cluster"}[cfg.gan]
            code.append(PURITY.format(rows=f"{row}es" if row == "class" else f"{row}s", row=row))
            line.append('parts.append(f"purity {purity:.0%}")')
    if target.planar:
        code.append(HISTOGRAMS)
        more += ['f"kl {kl:.3f}"', 'f"js {js:.3f}"']
    line.append('print(" · ".join(parts))  # as the app\'s status line')
    if more:
        line.append(f'print(" · ".join([{", ".join(more)}]))')
    return "\n".join(code).strip("\n") + "\n\n" + "\n".join(line)
