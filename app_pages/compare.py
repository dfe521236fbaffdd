"""Compare: 2–4 runs side by side on the same target, data and seed, trained together."""

from ui import compare, live

compare.setup()
live.live(compare.panel, fast=compare.training)
live.live(compare.curves, every=live.SLOW)
compare.late_caption()
