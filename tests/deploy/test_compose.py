"""docker-compose.yml: valid against the compose specification, and wired the way the services expect."""

from __future__ import annotations

import json
import re
import subprocess
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from zwk_common.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
SECRETS = ("ZWK_JWT_SECRET", "POSTGRES_PASSWORD")
REQUIRED_VARIABLE = re.compile(r"\$\{(\w+):\?[^}]*\}")
ANY_VARIABLE = re.compile(r"\$\{(\w+)")
ANY_VALUE = re.compile(r"\$\{[^}]*\}")


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The compose services built from a service's Dockerfile, by service name."""
    found = {}
    for name, service in compose["services"].items():
        dockerfile = service.get("build", {}).get("dockerfile", "")
        match = re.fullmatch(r"services/(\w+)/Dockerfile", dockerfile)
        if match:
            assert match.group(1) == name, f"compose service {name} builds {dockerfile}"
            found[name] = service
    return found


def nats_nodes(compose: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The NATS servers, each with its command-line options."""
    nodes = {}
    for name, service in compose["services"].items():
        if str(service.get("image", "")).startswith("nats:"):
            options = dict(word.removeprefix("--").split("=", 1) for word in service.get("command", []) if "=" in word)
            options.update({w.removeprefix("--"): "" for w in service.get("command", []) if "=" not in w})
            nodes[name] = options
    return nodes


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def test_the_compose_file_is_valid_against_the_compose_specification(compose) -> None:  # type: ignore[no-untyped-def]
    # The compose-spec schema as check-jsonschema vendors it: offline, pinned by the lock.
    schema = json.loads(files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text())
    validator = jsonschema.validators.validator_for(schema)
    errors = [
        f"{e.json_path}: {e.message[:300]}"
        for e in validator(schema, format_checker=validator.FORMAT_CHECKER).iter_errors(compose)
    ]
    assert not errors, "\n".join(errors)


def test_every_service_runs_from_its_own_image(services, compose) -> None:  # type: ignore[no-untyped-def]
    built = app_services(compose)
    assert sorted(built) == sorted(services), "every workspace service needs a compose service of its own"
    for name, service in built.items():
        assert service["build"]["context"] == ".", f"{name}: the Dockerfiles expect the repository as context"
        assert service["image"].startswith(f"zwk/{name}:")
    migrate = compose["services"]["migrate"]
    assert migrate["build"]["dockerfile"] == "deploy/migrate/Dockerfile"
    assert migrate["restart"] == "no", "the migrations run once"


def test_services_start_after_healthy_postgres_and_nats_and_completed_migrations(compose, dockerfile) -> None:  # type: ignore[no-untyped-def]
    nodes = nats_nodes(compose)
    for name, service in app_services(compose).items():
        depends = {target: rule["condition"] for target, rule in service["depends_on"].items()}
        assert depends["postgres"] == "service_healthy", name
        assert all(depends[node] == "service_healthy" for node in nodes), name
        assert depends["migrate"] == "service_completed_successfully", name
    gateway = compose["services"]["gateway"]["depends_on"]
    for name in app_services(compose):
        if name != "gateway":
            assert gateway[name]["condition"] == "service_healthy", f"the gateway starts before {name} is healthy"
    # A `service_healthy` condition on a container without a health check would never be met.
    for name, service in compose["services"].items():
        for target, rule in (service.get("depends_on") or {}).items():
            if isinstance(rule, dict) and rule.get("condition") == "service_healthy":
                checked = compose["services"][target]
                has_check = "healthcheck" in checked or (
                    "build" in checked
                    and dockerfile(REPO / checked["build"]["dockerfile"]).all("HEALTHCHECK", "runtime")
                )
                assert has_check, f"{name} waits for {target} to be healthy, but {target} has no health check"


def test_nats_is_a_three_node_jetstream_cluster_and_the_stream_keeps_three_replicas(compose) -> None:  # type: ignore[no-untyped-def]
    nodes = nats_nodes(compose)
    assert len(nodes) == 3
    assert len({options["cluster_name"] for options in nodes.values()}) == 1
    assert sorted(options["name"] for options in nodes.values()) == sorted(nodes)
    for name, options in nodes.items():
        assert "jetstream" in options, f"{name} runs without JetStream"
        routes = {urlsplit(route).hostname for route in options["routes"].split(",")}
        assert routes >= set(nodes) - {name}, f"{name} does not route to every other node"
        store = options["store_dir"]
        assert any(volume.endswith(":" + store) for volume in compose["services"][name]["volumes"]), (
            f"{name} keeps its stream in the container only"
        )
    for name, service in app_services(compose).items():
        env = environment(service)
        assert env["ZWK_EVENT_STREAM_REPLICAS"] == str(len(nodes)), name
        assert urlsplit(env["ZWK_NATS_URL"]).hostname in nodes, name


def test_every_service_uses_the_one_postgres_database(compose) -> None:  # type: ignore[no-untyped-def]
    postgres = compose["services"]["postgres"]["environment"]
    using = [*app_services(compose).values(), compose["services"]["migrate"]]
    urls = {environment(service)["ZWK_DATABASE_URL"] for service in using}
    assert len(urls) == 1
    url = urlsplit(ANY_VALUE.sub("secret", urls.pop()))
    assert (url.hostname, url.path.lstrip("/"), url.username) == ("postgres", postgres["POSTGRES_DB"], "zwk")
    assert postgres["POSTGRES_USER"] == url.username


def test_secrets_come_only_from_the_uncommitted_env_file(compose, repo) -> None:  # type: ignore[no-untyped-def]
    ignored = subprocess.run(["git", "check-ignore", "--quiet", ".env"], cwd=repo)
    assert ignored.returncode == 0, ".env must be git-ignored"
    for name, service in compose["services"].items():
        for key, value in environment(service).items():
            for secret in SECRETS:
                if secret in key or f"${{{secret}" in value:
                    assert REQUIRED_VARIABLE.search(value), f"{name}.{key} must come from .env, required"
    text = (repo / "docker-compose.yml").read_text()
    example = env_example()
    missing = set(REQUIRED_VARIABLE.findall(text)) - set(example)
    assert not missing, f".env.example does not name {missing}"


def test_what_env_example_sets_is_used_by_compose_or_read_by_a_service(settings_read_by, repo) -> None:  # type: ignore[no-untyped-def]
    interpolated = set(ANY_VARIABLE.findall((repo / "docker-compose.yml").read_text()))
    read = set().union(*settings_read_by.values())
    unused = set(env_example()) - interpolated - read
    assert not unused, f".env.example sets what nothing reads: {unused}"


def test_the_placeholders_of_env_example_are_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="ZWK_JWT_SECRET"):
        ServiceSettings(_env_file=None, environment="production", jwt_secret=env_example()["ZWK_JWT_SECRET"])  # type: ignore[call-arg]


def test_every_setting_compose_gives_a_service_is_one_it_reads(compose, settings_read_by) -> None:  # type: ignore[no-untyped-def]
    for name, service in app_services(compose).items():
        unknown = {k for k in environment(service) if k not in settings_read_by[name] and not k.startswith("OTEL_")}
        assert not unknown, f"{name} does not read {unknown}"
    everyone = set().union(*settings_read_by.values())
    migrate = environment(compose["services"]["migrate"])
    unknown = {k for k in migrate if k not in everyone and not k.startswith("OTEL_")}
    assert not unknown, f"migrate does not read {unknown}"


def test_the_gateway_reaches_every_service_by_its_compose_name(services, compose) -> None:  # type: ignore[no-untyped-def]
    gateway = compose["services"]["gateway"]
    env = environment(gateway)
    for name in services:
        if name != "gateway":
            assert env[f"ZWK_URL_{name.upper()}"] == f"http://{name}:8000"
    assert any(str(port).endswith(":8000") for port in gateway["ports"])


def test_traces_go_from_every_service_through_the_collector_to_jaeger(compose, repo) -> None:  # type: ignore[no-untyped-def]
    collector = compose["services"]["otel-collector"]
    mounted = {v.split(":")[1]: v.split(":")[0] for v in collector["volumes"]}
    config_path = next(word.split("=", 1)[1] for word in collector["command"] if word.startswith("--config="))
    config = yaml.safe_load((repo / mounted[config_path]).read_text())
    http_receiver = urlsplit("//" + config["receivers"]["otlp"]["protocols"]["http"]["endpoint"])
    for name, service in app_services(compose).items():
        endpoint = urlsplit(environment(service)["OTEL_EXPORTER_OTLP_ENDPOINT"])
        assert (endpoint.hostname, endpoint.port) == ("otel-collector", http_receiver.port), name
    for pipeline in config["service"]["pipelines"].values():
        for part in ("receivers", "processors", "exporters"):
            assert set(pipeline.get(part, [])) <= set(config.get(part, {})), f"the pipeline names an unknown {part}"
    exporters = [config["exporters"][e] for e in config["service"]["pipelines"]["traces"]["exporters"]]
    assert any(urlsplit("//" + e["endpoint"]).hostname == "jaeger" for e in exporters)
    assert "jaeger" in compose["services"]
