"""deploy/: the Kubernetes manifests pass a schema validator; compose has sticky sessions;
both run Redis for the rooms and point the app at it."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s" / "gan-lab.yaml"
COMPOSE = ROOT / "deploy" / "compose.yaml"
VALIDATE = Path(sys.executable).parent / "kubernetes-validate"


def validate(path: Path) -> subprocess.CompletedProcess:
    """kubernetes-validate ships its schemas: this works offline."""
    return subprocess.run(
        [str(VALIDATE), "--strict", str(path)], capture_output=True, text=True, timeout=120
    )


def manifests() -> list[dict]:
    return list(yaml.safe_load_all(K8S.read_text()))


def docs() -> dict[str, dict]:
    """The app's own resources by kind (Redis's are named gan-lab-redis)."""
    return {d["kind"]: d for d in manifests() if d["metadata"]["name"] == "gan-lab"}


def app_env() -> dict[str, str]:
    container = docs()["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e["value"] for e in container["env"]}


def test_manifests_pass_the_schema_validator():
    result = validate(K8S)
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(docs()) == {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler"}
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in manifests())
    assert kinds == sorted(
        [(kind, "gan-lab") for kind in docs()]
        + [("Deployment", "gan-lab-redis"), ("Service", "gan-lab-redis")]
    )


def test_the_validator_rejects_a_broken_manifest(tmp_path):
    broken = K8S.read_text().replace("containerPort: 8501", "containerPort: eighty")
    (tmp_path / "broken.yaml").write_text(broken)
    assert validate(tmp_path / "broken.yaml").returncode != 0


def test_probes_limits_and_session_affinity():
    d = docs()
    container = d["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert container["ports"][0]["containerPort"] == 8501
    notes = d["Ingress"]["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    hpa = d["HorizontalPodAutoscaler"]["spec"]
    assert hpa["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["scaleTargetRef"]["name"] == d["Deployment"]["metadata"]["name"]


def test_compose_runs_replicas_behind_a_sticky_balancer():
    spec = yaml.safe_load(COMPOSE.read_text())
    app = spec["services"]["app"]
    assert app["deploy"]["replicas"] >= 2
    labels = app["labels"]
    assert "traefik.http.services.gan-lab.loadbalancer.sticky.cookie=true" in labels
    assert "traefik.http.services.gan-lab.loadbalancer.server.port=8501" in labels
    assert any("healthcheck.path=/_stcore/health" in label for label in labels)
    build = app["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == (
        ROOT / "Dockerfile"
    )
    assert "proxy" in spec["services"]


def test_one_replica_has_the_same_size_in_both():
    """Kubernetes and compose give a replica the same processes, cap on runs, CPUs and memory."""
    container = docs()["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    env = app_env()
    app = yaml.safe_load(COMPOSE.read_text())["services"]["app"]
    for name in ("GANLAB_PROCESSES", "GANLAB_MAX_RUNS"):
        assert env[name] == app["environment"][name], name
    limits = app["deploy"]["resources"]["limits"]
    assert container["resources"]["limits"]["cpu"] == limits["cpus"]
    assert container["resources"]["limits"]["memory"].removesuffix("Gi") == limits[
        "memory"
    ].removesuffix("g")


def test_kubernetes_points_the_app_at_its_redis_service():
    url = urlsplit(app_env()["GANLAB_REDIS_URL"])
    assert url.scheme == "redis"
    services = {d["metadata"]["name"]: d for d in manifests() if d["kind"] == "Service"}
    service = services[url.hostname]
    assert url.port in [p["port"] for p in service["spec"]["ports"]]
    (redis,) = [
        d
        for d in manifests()
        if d["kind"] == "Deployment"
        and d["spec"]["template"]["metadata"]["labels"].items()
        >= service["spec"]["selector"].items()
    ]
    (container,) = redis["spec"]["template"]["spec"]["containers"]
    assert container["image"].startswith("redis:")
    assert container["ports"][0]["containerPort"] == 6379
    assert redis["spec"]["replicas"] == 1  # one Redis: every pod sees the same rooms


def test_compose_points_the_replicas_at_its_redis_service():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    app = services["app"]
    url = urlsplit(app["environment"]["GANLAB_REDIS_URL"])
    assert (url.scheme, url.port) == ("redis", 6379)
    assert services[url.hostname]["image"].startswith("redis:")
    assert url.hostname in app["depends_on"]
    assert "deploy" not in services[url.hostname]  # one Redis, not one per replica
