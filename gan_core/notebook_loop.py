"""The training loop of an exported notebook (notebook.py), as source text from a RunConfig.

D_STEPS steps of D on a real and a fake batch, then one step of G through D, as the
engine's step (cohort.py): the cGAN's labels, InfoGAN's codes and Q loss, G's moving
average, and the settings against mode collapse (notebook_mitigations.py).
"""

from __future__ import annotations

from gan_core import notebook_mitigations as M
from gan_core import notebook_selfcond as S
from gan_core.engine.config import RunConfig


def _fake_batch(cfg: RunConfig, n: str, indent: str, labels_from: str | None) -> list[str]:
    """Lines drawing G's input for n samples: ``z_in`` (and ``labels``/``cond``, or
    ``code``/``cont``); ``labels_from``: the real batch's indices (cGAN's D step)."""
    if M.cond(cfg):
        ys = S.labels(cfg)
        pick = labels_from or f"torch.randint(len({'X' if S.on(cfg) else 'Y'}), ({n},))"
        what = "clusters" if S.on(cfg) else "the classes"
        lines = [
            f"labels = {ys}[{pick}]  # {what} to draw, as often as in the data",
            f"cond = F.one_hot(labels, {M.cond(cfg)}).float()",
            f"z_in = g_input({n}, labels)",
        ]
    elif cfg.gan == "infogan":
        lines = [f"code, cont = codes({n})", f"z_in = g_input({n}, code, cont)"]
    else:
        lines = [f"z_in = noise({n})"]
    return [indent + ln for ln in lines]


def _d_loss(cfg: RunConfig, fake: str, out: str, indent: str) -> list[str]:
    """Lines computing D's loss ``out`` on ``real`` and the fake batch ``fake``."""
    cgan, info = M.cond(cfg) is not None, cfg.gan == "infogan"
    labelled = (lambda v: f"torch.cat([{v}, cond], 1)") if cgan else (lambda v: v)
    d_of = lambda v: f"D({M.d_input(cfg, labelled(v))})"  # noqa: E731
    lines = [f"{indent}{out} = d_loss({d_of('real')}, {d_of(fake)})"]
    if len(lines[0]) + 4 * M.sn_steps(cfg) > 100:  # (a cGAN's packs: over two lines)
        lines = [
            f"{indent}{out} = d_loss(",
            f"{indent}    {d_of('real')}, {d_of(fake)}",
            f"{indent})",
        ]
    if cfg.loss == "wgan-gp":
        gp_cond = ", cond" if cgan else ""
        gp = f"gradient_penalty(real, {fake}{gp_cond})"
        lines.append(f"{indent}{out} = {out} + GP_WEIGHT * {gp}")
    if info:
        q_of = f"Q({M.d_input(cfg, fake)})"
        lines.append(f"{indent}{out} = {out} + INFO_WEIGHT * info_loss({q_of}, code, cont)")
    return lines


def _unrolled(cfg: RunConfig) -> list[str]:
    """G's look-ahead (``unroll``): D advanced UNROLL plain gradient steps of its own loss
    on G's batch, first order (the steps are not differentiated)."""
    return [
        "    # unroll: D looks ahead UNROLL plain gradient steps of its loss on this batch",
        "    # (G's points held fixed); G scores against that D, then D gets its weights back",
        "    d_now = [p.detach().clone() for p in d_params]",
        "    fake_d = fake.detach()",
        "    for _ in range(UNROLL):",
        *_d_loss(cfg, "fake_d", "loss_k", " " * 8),
        "        grads = torch.autograd.grad(loss_k, d_params)",
        "        with torch.no_grad():",
        "            for p, grad in zip(d_params, grads):",
        "                p -= LR_D * grad",
    ]


UNDO = [
    "    with torch.no_grad():  # D's weights before the look-ahead: G's step moves only G",
    "        for p, p_now in zip(d_params, d_now):",
    "            p.copy_(p_now)",
]


def loop(cfg: RunConfig) -> str:
    info = cfg.gan == "infogan"
    cgan = M.cond(cfg) is not None
    labelled = (lambda v: f"torch.cat([{v}, cond], 1)") if cgan else (lambda v: v)
    d_of = lambda v: f"D({M.d_input(cfg, labelled(v))})"  # noqa: E731
    q_of = f"Q({M.d_input(cfg, 'fake')})"
    sn = M.sn_steps(cfg)
    bn = cfg.arch == "dcgan" and cfg.batchnorm == "on"
    unroll = cfg.unroll > 0
    i2 = " " * 8
    lines = ["LOG_EVERY = max(STEPS // 10, 1)"]
    if cfg.ema > 0:
        lines.append("g_updates = 0")
    if cfg.arch == "dcgan":
        why = ": batchnorm normalises each batch by its own statistics" * bn
        lines += [
            f"# training mode{why} (samples: eval mode)",
            f"for net in (G, {', '.join(M.d_modules(cfg))}):",
            "    net.train()",
        ]
    lines += [
        "for step in range(1, STEPS + 1):",
        "    # D: D_STEPS steps on a real batch and a fake batch (G's output held fixed)",
        *["    power_iteration(True)  # each D step moves the estimate of σ"] * sn,
        "    for _ in range(D_STEPS):",
        f"{i2}idx = torch.randint(len(X), (BATCH,))",
        f"{i2}real = X[idx]",
        *_fake_batch(cfg, "BATCH", i2, "idx"),
        f"{i2}with torch.no_grad():",
        f"{i2}    fake = G(z_in)",
        *M.d_step(cfg, _d_loss(cfg, "fake", "loss_d", i2), i2),
        f"{i2}opt_d.zero_grad()",
        f"{i2}loss_d.backward()",
        f"{i2}opt_d.step()",
        "",
        "    # G: one step, through D" + (" and Q" if info else ""),
        *["    power_iteration(False)  # G reads σ as it is"] * sn,
    ]
    if unroll:  # (a real batch too, for D's look-ahead)
        lines += ["    idx = torch.randint(len(X), (BATCH,))", "    real = X[idx]"]
    lines += [
        *_fake_batch(cfg, "BATCH", "    ", "idx" if unroll else None),
        "    fake = G(z_in)",
        *(_unrolled(cfg) if unroll else []),
        f"    loss_g = g_loss({d_of('fake')})",
    ]
    if info:
        lines.append(f"    loss_g = loss_g + INFO_WEIGHT * info_loss({q_of}, code, cont)")
    lines += ["    opt_g.zero_grad()", "    loss_g.backward()", "    opt_g.step()"]
    lines += UNDO * unroll
    if cfg.ema > 0:
        lines += [
            "    g_updates += 1",
            "    decay = min(EMA, (1 + g_updates) / (10 + g_updates))",
            "    with torch.no_grad():",
            "        for p_ema, p in zip(G_ema.parameters(), G.parameters()):",
            "            p_ema.lerp_(p, 1 - decay)",
        ]
        if bn:
            lines += [
                "        for b_ema, b in zip(G_ema.buffers(), G.buffers()):",
                "            b_ema.copy_(b)  # batchnorm's running statistics, G's own",
            ]
    lines += S.loop(cfg) if S.on(cfg) else []
    lines += [
        "",
        "    if step % LOG_EVERY == 0 or step == STEPS:",
        '        print(f"step {step}: loss_d {loss_d.item():.4f} · loss_g {loss_g.item():.4f}")',
        "        if not (math.isfinite(loss_d.item()) and math.isfinite(loss_g.item())):",
        '            print(f"diverged at step {step}: a loss is not finite")',
        "            break",
    ]
    return "\n".join(lines)
