"""Throughput: our trainer's steps/s beside a plain loop written from the lecture's slide.

Both sides train at the lecture's settings (``RunConfig(target="moons")``: gan,
nonsaturating loss, batch 50, one hidden layer of 128 units with the default activation,
z 32, Adam lr 1e-3, one D step per G step) on one thread, in the same process, in short
alternating bursts so that noise from the machine (other processes, frequency changes)
falls on both sides alike. Ours runs with live snapshots on: every ~0.2 s of training it
takes a ``snapshot.take`` with an ``Evaluator`` and pickles it (what sending it to the
page costs), as the app's worker does, and that time counts against it.

The figure of merit is the ratio of the median steps/s of each side (docs/measurements.md,
"Engine"); the absolute numbers depend on the machine.

    .venv/bin/python bench/throughput.py                 # gan, cgan, infogan
    .venv/bin/python bench/throughput.py --gans gan --rounds 7 --seconds 3
    .venv/bin/python bench/throughput.py --json          # one JSON object on stdout
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core.engine import snapshot  # noqa: E402
from gan_core.engine.config import RunConfig  # noqa: E402
from gan_core.engine.evaluation import Evaluator  # noqa: E402
from gan_core.engine.nets import ACTIVATIONS  # noqa: E402
from gan_core.engine.trainer import Trainer, make_dataset  # noqa: E402

SNAPSHOT_EVERY = 0.2  # seconds of training between live snapshots (the worker's rate)
WARMUP_STEPS = 200


# --- the plain loop, as on the lecture's slide ------------------------------------------
class SlideLoop:
    """The slide's loop, line for line: Sigmoid D, log losses, no detach, plain Adam.

    The minibatches come from the same pre-made training tensor as ours, by
    ``torch.randint`` indexing, so both sides pay for the same data pipeline.

    cGAN: the one-hot label is concatenated to z and to x. InfoGAN: D's trunk is shared
    by the real/fake head and a Q head; λ·CE(Q(G(z, c)), c) is added to both losses.

    The slide logs ``loss.item()`` only every few hundred steps, so no per-step
    ``.item()`` here (on the CPU it would cost a few µs, not a device sync, anyway).
    """

    def __init__(self, cfg: RunConfig):
        torch.manual_seed(cfg.seed)
        x, y = make_dataset(cfg)
        self.data_x = torch.as_tensor(x, dtype=torch.float32)
        self.data_y = torch.as_tensor(y, dtype=torch.long)
        self.n_data = len(self.data_x)
        self.kind = cfg.gan
        self.batch, self.z_dim, h = cfg.batch, cfg.z_dim, cfg.g_width
        self.k = {"gan": 0, "cgan": cfg.n_classes, "infogan": cfg.n_codes}[cfg.gan]
        self.info_weight = cfg.info_weight
        d_cond = self.k if cfg.gan == "cgan" else 0
        act = ACTIVATIONS[cfg.activation]  # the same nn module as ours: nn.LeakyReLU(0.2), …
        self.G = nn.Sequential(nn.Linear(self.z_dim + self.k, h), act(), nn.Linear(h, 2))
        if cfg.gan == "infogan":  # the trunk is shared by D's head and Q
            self.D_body = nn.Sequential(nn.Linear(2, cfg.d_width), act())
            self.D_head = nn.Sequential(nn.Linear(cfg.d_width, 1), nn.Sigmoid())
            self.Q = nn.Linear(cfg.d_width, self.k)
            d_params = [*self.D_body.parameters(), *self.D_head.parameters()]
            d_params += list(self.Q.parameters())
        else:
            self.D = nn.Sequential(
                nn.Linear(2 + d_cond, cfg.d_width),
                act(),
                nn.Linear(cfg.d_width, 1),
                nn.Sigmoid(),
            )
            d_params = list(self.D.parameters())
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g)
        self.opt_d = torch.optim.Adam(d_params, lr=cfg.lr_d)
        self.step_count = 0

    def step(self) -> None:
        if self.kind == "gan":
            self._gan_step()
        elif self.kind == "cgan":
            self._cgan_step()
        else:
            self._infogan_step()
        self.step_count += 1

    def _gan_step(self) -> None:
        G, D, n = self.G, self.D, self.batch
        x = self.data_x[torch.randint(self.n_data, (n,))]
        z = torch.randn(n, self.z_dim)
        d_loss = -(torch.log(D(x)) + torch.log(1 - D(G(z)))).mean()
        self.opt_d.zero_grad()
        d_loss.backward()
        self.opt_d.step()

        z = torch.randn(n, self.z_dim)
        g_loss = -torch.log(D(G(z))).mean()
        self.opt_g.zero_grad()
        g_loss.backward()
        self.opt_g.step()

    def _cgan_step(self) -> None:
        G, D, n, k = self.G, self.D, self.batch, self.k
        idx = torch.randint(self.n_data, (n,))
        x, y = self.data_x[idx], nn.functional.one_hot(self.data_y[idx], k).float()
        z = torch.randn(n, self.z_dim)
        fake = G(torch.cat([z, y], 1))
        d_real = D(torch.cat([x, y], 1))
        d_fake = D(torch.cat([fake, y], 1))
        d_loss = -(torch.log(d_real) + torch.log(1 - d_fake)).mean()
        self.opt_d.zero_grad()
        d_loss.backward()
        self.opt_d.step()

        y = nn.functional.one_hot(self.data_y[torch.randint(self.n_data, (n,))], k).float()
        z = torch.randn(n, self.z_dim)
        g_loss = -torch.log(D(torch.cat([G(torch.cat([z, y], 1)), y], 1))).mean()
        self.opt_g.zero_grad()
        g_loss.backward()
        self.opt_g.step()

    def _infogan_step(self) -> None:
        G, n, k = self.G, self.batch, self.k
        ce = nn.functional.cross_entropy
        x = self.data_x[torch.randint(self.n_data, (n,))]
        z, c = torch.randn(n, self.z_dim), torch.randint(k, (n,))
        h_fake = self.D_body(G(torch.cat([z, nn.functional.one_hot(c, k).float()], 1)))
        d_real = self.D_head(self.D_body(x))
        d_loss = -(torch.log(d_real) + torch.log(1 - self.D_head(h_fake))).mean()
        d_loss = d_loss + self.info_weight * ce(self.Q(h_fake), c)
        self.opt_d.zero_grad()
        d_loss.backward()
        self.opt_d.step()

        z, c = torch.randn(n, self.z_dim), torch.randint(k, (n,))
        h_fake = self.D_body(G(torch.cat([z, nn.functional.one_hot(c, k).float()], 1)))
        g_loss = -torch.log(self.D_head(h_fake)).mean()
        g_loss = g_loss + self.info_weight * ce(self.Q(h_fake), c)
        self.opt_g.zero_grad()
        g_loss.backward()
        self.opt_g.step()


# --- ours: the real Trainer with live snapshots ------------------------------------------
class Ours:
    def __init__(self, cfg: RunConfig):
        self.trainer = Trainer(cfg)
        self.evaluator = Evaluator(self.trainer)
        self.snapshots = 0
        self.snapshot_s = 0.0
        self.since_snap = 0.0  # training time since the last snapshot
        self.snap_step = 0

    @property
    def step_count(self) -> int:
        return self.trainer.step_count

    def step(self) -> None:
        self.trainer.step()

    def run_for(self, seconds: float) -> tuple[int, float]:
        """Train for ``seconds``, a snapshot every SNAPSHOT_EVERY s of training (the
        interval runs on across calls); (steps, wall time including snapshots)."""
        t, step = self.trainer, self.trainer.step
        clock = time.perf_counter
        start = clock()
        steps0 = t.step_count
        mark = start - self.since_snap  # when the last snapshot was, on this clock
        while True:
            step()
            now = clock()
            if now - mark >= SNAPSHOT_EVERY:
                rate = (t.step_count - self.snap_step) / (now - mark)
                snap = snapshot.take(t, self.evaluator, now - start, rate, view_seed=t.cfg.seed + 3)
                pickle.dumps(snap)  # the worker sends it through a pipe
                mark = clock()
                self.snapshots += 1
                self.snapshot_s += mark - now
                self.snap_step = t.step_count
            if now - start >= seconds:
                break
        end = clock()
        self.since_snap = end - mark
        return t.step_count - steps0, end - start


def run_plain_for(loop: SlideLoop, seconds: float) -> tuple[int, float]:
    step, clock = loop.step, time.perf_counter
    start = clock()
    steps0 = loop.step_count
    while True:
        for _ in range(10):  # look at the clock now and then, not every step
            step()
        if clock() - start >= seconds:
            break
    return loop.step_count - steps0, clock() - start


def bench(gan: str, rounds: int, seconds: float, slices: int, log) -> dict:
    cfg = RunConfig(target="moons", gan=gan)
    ours, plain = Ours(cfg), SlideLoop(cfg)
    for side in (ours, plain):
        for _ in range(WARMUP_STEPS):
            side.step()
    rows = []
    for r in range(rounds):
        # each round alternates short bursts of the two sides, first one then the other
        # going first, so that a slow spell of the machine falls on both alike
        done = {"ours": [0, 0.0], "plain": [0, 0.0]}
        for k in range(slices):
            order = ("ours", "plain") if (r * slices + k) % 2 == 0 else ("plain", "ours")
            for name in order:
                if name == "ours":
                    steps, dt = ours.run_for(seconds / slices)
                else:
                    steps, dt = run_plain_for(plain, seconds / slices)
                done[name][0] += steps
                done[name][1] += dt
        row = {name: steps / dt for name, (steps, dt) in done.items()}
        row["ratio"] = row["ours"] / row["plain"]
        rows.append(row)
        log(
            f"  {gan:8s} round {r + 1}/{rounds}: ours {row['ours']:7.0f}  "
            f"plain {row['plain']:7.0f}  ratio {row['ratio']:.2f}"
        )
    med_ours = statistics.median(r["ours"] for r in rows)
    med_plain = statistics.median(r["plain"] for r in rows)
    snap_ms = 1000 * ours.snapshot_s / max(ours.snapshots, 1)
    return {
        "gan": gan,
        "ours_steps_per_s": round(med_ours, 1),
        "plain_steps_per_s": round(med_plain, 1),
        "ratio": round(med_ours / med_plain, 3),
        "median_of_round_ratios": round(statistics.median(r["ratio"] for r in rows), 3),
        "rounds": [{k: round(v, 3) for k, v in row.items()} for row in rows],
        "snapshots": ours.snapshots,
        "snapshot_ms": round(snap_ms, 2),
        "final_losses": ours.trainer.losses(),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gans", default="gan,cgan,infogan", help="comma-separated GAN types")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=3.0, help="per side per round")
    ap.add_argument("--slices", type=int, default=6, help="alternating bursts per round")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object only")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    c = RunConfig(target="moons")

    def log(msg):
        print(msg, file=sys.stderr if args.json else sys.stdout, flush=True)

    log(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); lecture settings "
        f"({c.target}, {c.loss}, batch {c.batch}, {c.g_depth}x{c.g_width} {c.activation}, "
        f"z {c.z_dim}, Adam {c.lr_g:g}, {c.effective_d_steps} D step); "
        f"{args.rounds} rounds x {args.seconds:g} s per side in {args.slices} alternating "
        f"bursts; snapshots every "
        f"{SNAPSHOT_EVERY} s on our side"
    )
    results = [
        bench(g.strip(), args.rounds, args.seconds, args.slices, log) for g in args.gans.split(",")
    ]
    if args.json:
        out = {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "rounds": args.rounds,
            "seconds": args.seconds,
            "slices": args.slices,
            "snapshot_every_s": SNAPSHOT_EVERY,
            "results": {r["gan"]: r for r in results},
        }
        print(json.dumps(out))
        return 0
    print()
    print(
        f"{'gan':8s} {'ours steps/s':>13s} {'plain steps/s':>14s} {'ratio':>6s} "
        f"{'(per round)':>11s}  snapshots"
    )
    for r in results:
        print(
            f"{r['gan']:8s} {r['ours_steps_per_s']:13.0f} {r['plain_steps_per_s']:14.0f} "
            f"{r['ratio']:5.2f}x {r['median_of_round_ratios']:10.2f}x  "
            f"{r['snapshots']} x {r['snapshot_ms']:.1f} ms"
        )
    print("ratio: median ours / median plain; (per round): median of the rounds' ratios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
