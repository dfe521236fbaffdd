"""A one-line progress bar on stderr for the CLI (rewritten in place with \\r)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str = "step", enabled: bool = True, stream=None):
        self.total = max(int(total), 1)
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()
        self._last_draw = 0.0

    def update(self, done: int, extra: str = "", force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        elapsed = now - self.start
        frac = min(done / self.total, 1.0)
        left = f"{elapsed / frac - elapsed:.0f}s" if frac > 0 else "?"
        bar = "#" * int(24 * frac) + "." * (24 - int(24 * frac))
        rate = done / elapsed if elapsed > 0 else 0.0
        # (``done`` may be fractional, e.g. runs with one in progress: shown whole)
        speed = f"{rate:,.0f}/s" if rate >= 1 or rate == 0 else f"{1 / rate:,.1f}s each"
        line = (
            f"\r{self.label} {int(done)}/{self.total} [{bar}] {speed} "
            f"{elapsed:.0f}s elapsed, {left} left  {extra}"
        )
        self.stream.write(line[:160].ljust(100))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.update(self.total, force=True)
            self.stream.write("\n")
            self.stream.flush()
