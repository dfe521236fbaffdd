"""Resident memory and CPU time of a process and its children, read from /proc.

RSS counts shared pages (torch's libraries, mapped by the server and every worker) once
per process; PSS splits them between the processes that map them, so the PSS of a group
adds up to what it really costs the machine. PSS needs /proc/PID/smaps_rollup (our own
processes: readable).
"""

from __future__ import annotations

import glob
import os

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's list: workers are started from threads)."""
    kids: list[int] = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(path) as fh:
                kids.extend(int(k) for k in fh.read().split())
        except OSError:
            pass
    return sorted(set(k for k in kids if alive(k)))


def alive(pid: int) -> bool:
    """Running (a zombie has exited, whatever kill(0) says)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_mb(pid: int) -> float | None:
    kb = _status_kb(pid, "VmRSS")
    return None if kb is None else kb / 1024


def pss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def cpu_s(pid: int) -> float | None:
    """User + system CPU seconds so far."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return None


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of ``pid``'s children alive now (the training processes)."""
    return sum(cpu_s(k) or 0.0 for k in children(pid))


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine so far (/proc/stat's cpu line)."""
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def tree_memory(pid: int) -> dict:
    """The server's and its workers' RSS and PSS, in MB (PSS None where unreadable)."""
    kids = children(pid)
    server_rss, server_pss = rss_mb(pid) or 0.0, pss_mb(pid)
    kid_rss = [rss_mb(k) or 0.0 for k in kids]
    kid_pss = [pss_mb(k) for k in kids]
    pss_ok = server_pss is not None and all(p is not None for p in kid_pss)
    return {
        "server_rss": server_rss,
        "server_pss": server_pss,
        "workers": len(kids),
        "workers_rss": sum(kid_rss),
        "workers_pss": sum(kid_pss) if pss_ok else None,
        "total_rss": server_rss + sum(kid_rss),
        "total_pss": server_pss + sum(kid_pss) if pss_ok else None,
    }
