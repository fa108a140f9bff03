"""deploy/k8s: every object valid against the Kubernetes schemas, and the cluster laid out as intended.

The schemas of the Kubernetes API come with `kubernetes-validate` (offline, pinned by the lock).
The CloudNativePG `Cluster` is a custom resource no package ships a schema for; it is checked
against the subset in schemas/cnpg-cluster.schema.json. The NATS Helm values are checked
structurally: the chart's own schema is not available offline.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
# The oldest Kubernetes the manifests are meant for, and the newest schemas at hand.
KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.utils.latest_version())
CUSTOM_SCHEMAS = {("postgresql.cnpg.io/v1", "Cluster"): Path(__file__).parent / "schemas" / "cnpg-cluster.schema.json"}


def objects(manifests: list[Any], kind: str) -> dict[str, dict[str, Any]]:
    return {m.name: m.document for m in manifests if m.kind == kind}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"{deployment['metadata']['name']}: one container per pod"
    return containers[0]  # type: ignore[no-any-return]


def env_values(deployment: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(deployment).get("env", [])}


def runs(deployment: dict[str, Any], work: str) -> bool:
    """Whether the pods do this work (api, relay, consumers, jobs); the settings default to yes."""
    return env_values(deployment).get(f"ZWK_RUN_{work.upper()}", "true") == "true"


def of_service(manifests: list[Any], name: str) -> dict[str, dict[str, Any]]:
    return {
        n: d
        for n, d in objects(manifests, "Deployment").items()
        if d["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/name") == name
    }


def autoscaled(manifests: list[Any]) -> dict[str, dict[str, Any]]:
    """HorizontalPodAutoscalers by the Deployment they scale."""
    return {h["spec"]["scaleTargetRef"]["name"]: h for h in objects(manifests, "HorizontalPodAutoscaler").values()}


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def has_migrations(name: str) -> bool:
    return (REPO / "services" / name / "migrations").is_dir()


def handles_events(name: str) -> bool:
    if importlib.util.find_spec(f"{name}.handlers") is None:
        return False
    return bool(getattr(importlib.import_module(f"{name}.handlers"), "EVENT_HANDLERS", None))


def test_the_object_is_valid_against_its_schema(manifest) -> None:  # type: ignore[no-untyped-def]
    document = manifest.document
    custom = CUSTOM_SCHEMAS.get((document["apiVersion"], document["kind"]))
    if custom is not None:
        schema = json.loads(custom.read_text())
        errors = [f"{e.json_path}: {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]
        assert not errors, "\n".join(errors)
        return
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"Kubernetes {version}: {'.'.join(map(str, error.path))}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            pytest.fail(error.message)


def test_the_custom_resource_schema_refuses_a_misspelt_field() -> None:
    schema = json.loads(CUSTOM_SCHEMAS[("postgresql.cnpg.io/v1", "Cluster")].read_text())
    cluster = yaml.safe_load((K8S / "platform" / "postgres.yaml").read_text())
    cluster["spec"]["instance"] = cluster["spec"].pop("instances")
    assert not jsonschema.Draft202012Validator(schema).is_valid(cluster)


def test_every_kustomization_names_each_manifest_of_its_folder() -> None:
    kustomizations = sorted(K8S.rglob("kustomization.yaml"))
    assert {k.parent.name for k in kustomizations} == {"platform", "migrate", "services"}
    for kustomization in kustomizations:
        folder = kustomization.parent
        spec = yaml.safe_load(kustomization.read_text())
        assert spec["namespace"] == "zwk", folder
        listed = set(spec.get("resources", []))
        present = {p.name for p in folder.glob("*.yaml")} - {"kustomization.yaml"}
        assert listed == present, f"{folder.name}: listed {sorted(listed)}, present {sorted(present)}"
        for generator in spec.get("secretGenerator", []):
            for env_file in generator.get("envs", []):
                assert (folder / f"{env_file}.example").is_file(), f"{folder.name}: {env_file} has no example"
                ignored = subprocess.run(["git", "check-ignore", "--quiet", str(folder / env_file)], cwd=REPO)
                assert ignored.returncode == 0, f"{folder.name}/{env_file} holds secrets and must be git-ignored"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with its built-in kustomize) is not installed")
@pytest.mark.parametrize("folder", ["platform", "migrate", "services"])
def test_kustomize_builds_the_folder(folder: str, tmp_path: Path) -> None:
    copy = tmp_path / folder
    shutil.copytree(K8S / folder, copy)
    for example in copy.glob("*.example"):
        shutil.copy(example, copy / example.stem)
    built = subprocess.run(["kubectl", "kustomize", str(copy)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    namespaced = [d for d in yaml.safe_load_all(built.stdout) if d["kind"] != "Namespace"]
    assert namespaced and all(d["metadata"].get("namespace") == "zwk" for d in namespaced)


def test_every_service_has_a_deployment_with_probes_resources_and_the_images_user(  # type: ignore[no-untyped-def]
    service, manifests, dockerfile
) -> None:
    deployment = objects(manifests, "Deployment").get(service)
    assert deployment is not None, f"no Deployment {service}"
    pod = deployment["spec"]["template"]["spec"]
    main = container(deployment)
    assert main["image"].startswith(f"zwk/{service}:")
    assert "command" not in main and "args" not in main, "the image's CMD runs the service"
    ports = {p["name"]: p["containerPort"] for p in main["ports"]}
    image = dockerfile(REPO / "services" / service / "Dockerfile")
    assert ports == {"http": int(image.one("EXPOSE", "runtime").args)}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    for bound in ("requests", "limits"):
        assert set(main["resources"][bound]) == {"cpu", "memory"}, f"{service}: {bound}"
    uid = int(image.one("USER", "runtime").args.split(":")[0])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == uid
    assert not runs(deployment, "consumers") and not runs(deployment, "jobs"), "the API pods only serve requests"
    service_object = objects(manifests, "Service")[service]
    assert selects(service_object["spec"]["selector"], deployment["spec"]["template"]["metadata"]["labels"])
    others = [d for n, d in of_service(manifests, service).items() if n != service]
    for other in others:
        labels = other["spec"]["template"]["metadata"]["labels"]
        assert not selects(service_object["spec"]["selector"], labels), "requests must reach the API pods only"


def test_a_service_that_handles_events_has_consumers_scaled_by_an_autoscaler(service, manifests) -> None:  # type: ignore[no-untyped-def]
    deployments = of_service(manifests, service)
    consuming = {n: d for n, d in deployments.items() if runs(d, "consumers")}
    if not handles_events(service):
        assert all(n == f"{service}-consumer" for n in consuming), f"{service} consumes nothing: {sorted(consuming)}"
        return
    assert list(consuming) == [f"{service}-consumer"]
    consumer = consuming[f"{service}-consumer"]
    assert not runs(consumer, "api") and not runs(consumer, "jobs")
    hpa = autoscaled(manifests).get(f"{service}-consumer")
    assert hpa is not None, f"{service}-consumer is not autoscaled"
    # Two replicas of one durable consumer share its messages; scaling is safe (tests/test_scale_out.py).
    assert hpa["spec"]["minReplicas"] >= 2


def test_periodic_jobs_and_the_relay_run_where_intended(service, manifests) -> None:  # type: ignore[no-untyped-def]
    deployments = of_service(manifests, service)
    jobs = [n for n, d in deployments.items() if runs(d, "jobs")]
    relays = [n for n, d in deployments.items() if runs(d, "relay")]
    if not has_migrations(service):
        assert not jobs, f"{service} has no database for jobs"
        return
    # A job is written for one runner: exactly one pod, replaced, never rolled alongside.
    assert jobs == [f"{service}-jobs"]
    single = deployments[f"{service}-jobs"]
    assert single["spec"]["replicas"] == 1 and single["spec"]["strategy"]["type"] == "Recreate"
    assert f"{service}-jobs" not in autoscaled(manifests)
    # The relay claims outbox rows with SKIP LOCKED; the API replicas share it.
    assert relays == [service]


def test_the_gateway_is_scaled_by_an_autoscaler(manifests) -> None:  # type: ignore[no-untyped-def]
    hpa = autoscaled(manifests).get("gateway")
    assert hpa is not None
    assert hpa["spec"]["minReplicas"] >= 2


def test_an_autoscaled_deployment_leaves_its_replicas_to_the_autoscaler_and_requests_cpu(manifests) -> None:  # type: ignore[no-untyped-def]
    deployments = objects(manifests, "Deployment")
    for target, hpa in autoscaled(manifests).items():
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment" and target in deployments
        assert "replicas" not in deployments[target]["spec"], f"{target}: every apply would reset the autoscaler"
        metrics = hpa["spec"]["metrics"]
        if any(m["resource"]["name"] == "cpu" for m in metrics if m["type"] == "Resource"):
            assert "cpu" in container(deployments[target])["resources"]["requests"], target


def test_every_deployment_of_more_than_one_pod_has_a_disruption_budget_that_allows_draining(manifests) -> None:  # type: ignore[no-untyped-def]
    hpas = autoscaled(manifests)
    budgets = objects(manifests, "PodDisruptionBudget").values()
    for name, deployment in objects(manifests, "Deployment").items():
        least = hpas[name]["spec"]["minReplicas"] if name in hpas else deployment["spec"].get("replicas", 1)
        if least < 2:
            continue
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [b for b in budgets if selects(b["spec"]["selector"]["matchLabels"], labels)]
        assert len(matching) == 1, f"{name}: {len(matching)} disruption budgets"
        assert matching[0]["spec"]["minAvailable"] < least, f"{name}: the budget would block every drain"


def test_the_migrations_run_as_a_job_of_the_migrations_image(manifests) -> None:  # type: ignore[no-untyped-def]
    jobs = objects(manifests, "Job")
    assert list(jobs) == ["zwk-migrate"]
    main = container(jobs["zwk-migrate"])
    assert main["image"].startswith("zwk/migrate:")
    assert "command" not in main and "args" not in main, "the image's CMD migrates"
    assert jobs["zwk-migrate"]["spec"]["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")


def test_the_database_url_comes_from_the_secret_cloudnative_pg_writes(manifests) -> None:  # type: ignore[no-untyped-def]
    (cluster,) = objects(manifests, "Cluster").values()
    assert cluster["spec"]["bootstrap"]["initdb"]["database"] == "zwk"
    pods = {**objects(manifests, "Deployment"), **objects(manifests, "Job")}
    using = {name: env_values(pod).get("ZWK_DATABASE_URL") for name, pod in pods.items()}
    for name, source in using.items():
        if name == "gateway":
            assert source is None, "the gateway has no database"
            continue
        assert source == {"secretKeyRef": {"name": f"{cluster['metadata']['name']}-app", "key": "uri"}}, name


def test_every_setting_kubernetes_gives_is_one_a_service_reads(manifests, settings_read_by) -> None:  # type: ignore[no-untyped-def]
    everyone = set().union(*settings_read_by.values())
    config = objects(manifests, "ConfigMap")["zwk-config"]["data"]
    assert not set(config) - everyone, f"nothing reads {set(config) - everyone}"
    secrets = [line.split("=", 1)[0] for line in (K8S / "platform" / "secrets.env.example").read_text().splitlines()]
    secret_names = {name for name in secrets if name and not name.startswith("#")}
    assert not secret_names - everyone, f"nothing reads {secret_names - everyone}"
    for name, deployment in objects(manifests, "Deployment").items():
        service = deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        unknown = set(env_values(deployment)) - settings_read_by[service]
        assert not unknown, f"{name} does not read {unknown}"
        sources = [next(iter(s.values()))["name"] for s in container(deployment)["envFrom"]]
        assert sources == ["zwk-config", "zwk-secrets"], name


def test_the_nats_values_ask_for_three_jetstream_servers_on_file_storage(manifests) -> None:  # type: ignore[no-untyped-def]
    values = yaml.safe_load((K8S / "nats-values.yaml").read_text())
    cluster, jetstream = values["config"]["cluster"], values["config"]["jetstream"]
    assert cluster["enabled"] is True and cluster["replicas"] == 3
    assert jetstream["enabled"] is True
    assert jetstream["fileStore"]["enabled"] is True and jetstream["fileStore"]["pvc"]["enabled"] is True
    assert jetstream["memoryStore"]["enabled"] is False
    config = objects(manifests, "ConfigMap")["zwk-config"]["data"]
    assert int(config["ZWK_EVENT_STREAM_REPLICAS"]) == cluster["replicas"]
    # The client Service of the chart is named after the Helm release: `nats`, as deploy/README.md installs it.
    assert urlsplit(config["ZWK_NATS_URL"]).hostname == "nats"
    readme = (REPO / "deploy" / "README.md").read_text()
    assert "helm upgrade --install nats nats/nats --namespace zwk --values deploy/k8s/nats-values.yaml" in readme
