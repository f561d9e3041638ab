"""The deployment description (deploy/) is valid as its tools read it: the Kubernetes
manifests against Kubernetes' own schemas (kubernetes-validate, offline), the Compose file
by docker-compose's `config`, and nginx's files by Debian's nginx (`nginx -t`) with the
upstreams' host names pointed at this machine and a certificate made for the test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.stack import HUB_VENV, REPO

DEPLOY = REPO / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _tool(path: str | None, what: str) -> str:
    if path and Path(path).exists():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is not installed (CI=true)")
    pytest.skip(f"{what} is not installed")


def _manifests() -> list[Path]:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text("utf-8"))
    return [KUBERNETES / name for name in kustomization["resources"]]


def test_every_kubernetes_manifest_is_listed_and_valid_against_the_api_schemas() -> None:
    listed = {path.name for path in _manifests()}
    on_disk = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk
    done = subprocess.run(
        [str(HUB_VENV / "bin" / "kubernetes-validate"), "--strict", "--kubernetes-version", "1.30.0",
         *map(str, sorted(_manifests()))],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    resources = re.findall(r"passed for resource (\S+)", done.stdout + done.stderr)
    assert {"deployment/hub", "statefulset/rasa", "deployment/nginx", "deployment/content"} <= set(
        resources
    )


def test_the_kubernetes_cluster_runs_several_hubs_and_rasa_instances_with_readiness() -> None:
    docs = [d for p in _manifests() for d in yaml.safe_load_all(p.read_text("utf-8")) if d]
    by_name = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    hub = by_name[("Deployment", "hub")]["spec"]
    assert hub["replicas"] >= 2
    assert hub["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"] == "/ready"
    rasa = by_name[("StatefulSet", "rasa")]["spec"]
    assert rasa["replicas"] >= 2
    names = [c["name"] for c in rasa["template"]["spec"]["containers"]]
    assert names == ["rasa", "actions", "nlg"]
    content = by_name[("Deployment", "content")]["spec"]["template"]["spec"]["containers"][0]
    urls = next(e["value"] for e in content["env"] if e["name"] == "RASA_URLS").split(",")
    assert len(urls) == rasa["replicas"]  # a publish reaches every instance


def test_the_compose_file_is_valid_and_runs_two_hubs_and_two_rasa_instances(tmp_path: Path) -> None:
    compose = _tool(shutil.which("docker-compose"), "docker-compose")
    done = subprocess.run(
        [compose, "-f", str(DEPLOY / "compose.yml"), "--env-file", str(DEPLOY / ".env.example"),
         "config"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert {"hub1", "hub2", "rasa1", "rasa2", "postgres", "redis", "nginx"} <= set(services)
    assert services["actions1"]["network_mode"] == "service:rasa1"
    assert services["content"]["environment"]["RASA_URLS"].count(",") == 1
    # Without the secrets set, Compose refuses to start anything.
    missing = subprocess.run(
        [compose, "-f", str(DEPLOY / "compose.yml"), "config"],
        capture_output=True, text=True, cwd=tmp_path, env={"PATH": os.environ["PATH"]},
    )  # fmt: skip
    assert missing.returncode != 0


def _local(conf: str, tmp_path: Path) -> str:
    """`conf` with its paths and host names pointed at this machine and the test's files."""
    for host in ("hub1", "hub2", "rasa1", "rasa2", "hub"):
        conf = re.sub(rf"server {host}:", "server 127.0.0.1:", conf)
    conf = conf.replace("/etc/nav/nginx/", f"{tmp_path}/nav/").replace(
        "/etc/nav/tls/", f"{tmp_path}/"
    )
    conf = conf.replace("pid /run/nginx.pid;", f"pid {tmp_path}/nginx.pid;")
    # (IPv6 may be off here; `nginx -t` binds nothing, so the ports may be taken.)
    return re.sub(r"\n *listen \[::\]:.*", "", conf)


@pytest.mark.parametrize(
    "top", [DEPLOY / "nginx" / "nginx.conf", KUBERNETES / "nginx-kubernetes.conf"]
)
def test_debians_nginx_accepts_the_configuration(top: Path, tmp_path: Path) -> None:
    nginx = _tool(NGINX, "nginx (Debian's package)")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=nav.test",
         "-keyout", str(tmp_path / "tls.key"), "-out", str(tmp_path / "tls.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "nav").mkdir()
    for part in (DEPLOY / "nginx").glob("*.conf"):
        (tmp_path / "nav" / part.name).write_text(
            _local(part.read_text("utf-8"), tmp_path), "utf-8"
        )
    conf = tmp_path / "nginx.conf"
    conf.write_text(_local(top.read_text("utf-8"), tmp_path), "utf-8")
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
