"""How many CPUs this server may use: its CPU affinity and its cgroup's CPU quota.

``os.cpu_count()`` is the host's count: a container limited to 2 CPUs on a 64-core host
would start 64 warm training processes (~0.45 GB each) that share 2 CPUs. The quota is
cgroup v2's ``cpu.max`` (``"200000 100000"``: 2 CPUs; ``"max 100000"``: none) on the
process's cgroup and its ancestors, or cgroup v1's ``cpu.cfs_quota_us`` and
``cpu.cfs_period_us``; a fractional quota rounds up (1.5 CPUs: two processes share it).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def _v2_quota(root: Path, own: str) -> float | None:
    """The smallest ``cpu.max`` quota from the process's cgroup up to the root."""
    best = None
    here = root / own.strip("/")
    for folder in (here, *here.parents):
        try:
            quota, period = (folder / "cpu.max").read_text().split()[:2]
        except (OSError, ValueError):
            quota = "max"
        if quota != "max":
            cpus = int(quota) / int(period)
            best = cpus if best is None else min(best, cpus)
        if folder == root:
            break
    return best


def _v1_quota(root: Path) -> float | None:
    for folder in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        try:
            quota = int((root / folder / "cpu.cfs_quota_us").read_text())
            period = int((root / folder / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return quota / period if quota > 0 and period > 0 else None
    return None


def quota(root: Path = CGROUP, proc_cgroup: Path = Path("/proc/self/cgroup")) -> float | None:
    """CPUs the cgroup quota allows, or None when it sets none."""
    own = "/"
    try:
        for line in proc_cgroup.read_text().splitlines():
            if line.startswith("0::"):
                own = line[3:]
    except OSError:
        pass
    v2 = _v2_quota(root, own)
    return v2 if v2 is not None else _v1_quota(root)


def usable(
    root: Path = CGROUP, proc_cgroup: Path = Path("/proc/self/cgroup"), affinity=None
) -> int:
    """CPUs this process may run on: its affinity, capped by its cgroup's quota."""
    if affinity is None:
        affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    n = len(affinity) if affinity is not None else (os.cpu_count() or 1)
    allowed = quota(root, proc_cgroup)
    if allowed is not None:
        n = min(n, math.ceil(allowed))
    return max(1, n)
