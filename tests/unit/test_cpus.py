"""The default number of training processes follows the CPUs the server may use."""

from pathlib import Path

from gan_core.live import cpus


def cgroup(tmp_path: Path, own: str, files: dict[str, str]) -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    proc = tmp_path / "proc_cgroup"
    proc.write_text(f"0::{own}\n")
    return root, proc


def test_a_container_quota_caps_the_host_count(tmp_path):
    root, proc = cgroup(tmp_path, "/", {"cpu.max": "200000 100000\n"})
    assert cpus.usable(root, proc, affinity=set(range(64))) == 2


def test_no_quota_leaves_the_affinity(tmp_path):
    root, proc = cgroup(tmp_path, "/", {"cpu.max": "max 100000\n"})
    assert cpus.usable(root, proc, affinity={0, 3, 5}) == 3


def test_the_affinity_caps_a_larger_quota(tmp_path):
    root, proc = cgroup(tmp_path, "/", {"cpu.max": "800000 100000\n"})
    assert cpus.usable(root, proc, affinity={1}) == 1


def test_a_parent_cgroups_quota_counts_and_fractions_round_up(tmp_path):
    root, proc = cgroup(
        tmp_path,
        "/kubepods/pod1/app",
        {"kubepods/pod1/cpu.max": "150000 100000", "kubepods/pod1/app/cpu.max": "max 100000"},
    )
    assert cpus.quota(root, proc) == 1.5
    assert cpus.usable(root, proc, affinity=set(range(8))) == 2


def test_cgroup_v1_quota(tmp_path):
    root, proc = cgroup(
        tmp_path, "/", {"cpu/cpu.cfs_quota_us": "300000", "cpu/cpu.cfs_period_us": "100000"}
    )
    assert cpus.usable(root, proc, affinity=set(range(16))) == 3
    (root / "cpu/cpu.cfs_quota_us").write_text("-1")
    assert cpus.usable(root, proc, affinity=set(range(16))) == 16


def test_no_cgroup_files_at_all(tmp_path):
    assert cpus.usable(tmp_path / "none", tmp_path / "none2", affinity={0, 1}) == 2
