"""The Helm chart, linted and rendered offline for every ci/*-values.yaml, then checked two ways:
every manifest against the Kubernetes schemas (strict: unknown fields fail), and the essentials of
running ClusterHub safely, which a schema cannot know.

helm-python-sdk embeds Helm's Go engine (no helm binary, no cluster); kubernetes-validate ships the
Kubernetes JSON schemas.
"""

import base64
import copy
from dataclasses import dataclass, field
from pathlib import Path

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

pytestmark = pytest.mark.backend_independent  # no database: run once, in the SQLite pass

CHART = Path(__file__).resolve().parents[2] / "helm" / "clusterhub"
VALUES_FILES = sorted((CHART / "ci").glob("*-values.yaml"))
# The Kubernetes version the chart targets, and the oldest its Chart.yaml accepts (on-premises clusters
# lag behind): validating against old schemas catches fields that only newer clusters know.
KUBERNETES_VERSION = "1.30.0"
OLDEST_KUBERNETES_VERSION = "1.27.0"
RELEASE = "prod"
NAMESPACE = "clusterhub"
FULLNAME = f"{RELEASE}-clusterhub"
HOOK = "helm.sh/hook"
SECRET_ENV = {
    "SECRET_KEY",
    "DATABASE_URL",
    "MIGRATIONS_DATABASE_URL",
    "REPORTING_DATABASE_URL",
    "REDIS_URL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "SENTRY_DSN",
    "WEBHOOK_SECRETS_KEY",
}


@dataclass
class Release:
    values: dict
    manifests: list[dict]
    notes: str
    by_kind: dict = field(default_factory=dict)

    def __post_init__(self):
        for manifest in self.manifests:
            self.by_kind.setdefault(manifest["kind"], []).append(manifest)

    def get(self, kind, name):
        matches = [m for m in self.by_kind.get(kind, []) if m["metadata"]["name"] == name]
        assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
        return matches[0]

    def all(self, kind):
        return self.by_kind.get(kind, [])


def load_values(path):
    return yaml.safe_load(path.read_text()) or {}


def render(chart, values):
    rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    manifests = [
        doc
        for path, text in sorted(rendered.items())
        if not path.endswith("NOTES.txt")
        for doc in yaml.safe_load_all(text)
        if doc
    ]
    notes = next((text for path, text in rendered.items() if path.endswith("NOTES.txt")), "")
    return Release(values, manifests, notes)


@pytest.fixture(scope="module")
def chart():
    with helm.Chart.load(CHART) as loaded:
        yield loaded


@pytest.fixture(scope="module", params=VALUES_FILES, ids=lambda p: p.name.removesuffix("-values.yaml"))
def release(request, chart):
    return render(chart, load_values(request.param))


@pytest.fixture(scope="module")
def minimal_values():
    return load_values(CHART / "ci" / "minimal-values.yaml")


# --- the checks, as functions so that test_checks_* can prove each one fails on a broken manifest ---


def pod_spec(workload):
    return workload["spec"] if workload["kind"] == "Pod" else workload["spec"]["template"]["spec"]


def env_names(container):
    return {entry["name"] for entry in container.get("env", [])}


def check_probes(web):
    container = pod_spec(web)["containers"][0]
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        assert probe in container, f"web container has no {probe}"
        assert container[probe]["httpGet"] == {"path": path, "port": "http"}
    assert {"name": "http", "containerPort": 8000, "protocol": "TCP"} in container["ports"]


def check_restricted(workload):
    spec = pod_spec(workload)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert context["capabilities"]["drop"] == ["ALL"]
        assert container["resources"].get("limits"), f"{container['name']} has no resource limits"


def check_no_secrets_in_configmaps(release, secret_values):
    for config_map in release.all("ConfigMap"):
        data = config_map.get("data", {})
        assert not SECRET_ENV & set(data), f"secret settings in ConfigMap: {SECRET_ENV & set(data)}"
        for key, value in data.items():
            leaked = [secret for secret in secret_values if secret in value]
            assert not leaked, f"ConfigMap {config_map['metadata']['name']} key {key} holds a secret value"


def check_autoscaler_owns_replicas(release, web):
    hpas = release.all("HorizontalPodAutoscaler")
    if release.values.get("autoscaling", {}).get("enabled"):
        assert "replicas" not in web["spec"], "replicas rendered while the HPA is on"
        assert [h["spec"]["scaleTargetRef"]["name"] for h in hpas] == [web["metadata"]["name"]]
    else:
        assert not hpas
        assert web["spec"]["replicas"] == release.values.get("web", {}).get("replicas", 2)


def secret_values_of(release):
    """Every secret the release knows: from its Secrets, and from the secret fields of its values."""
    values = release.values
    given = [
        values.get("secretKey"),
        *values.get("postgresql", {}).values(),
        values.get("redis", {}).get("url"),
        values.get("mail", {}).get("password"),
        *values.get("stripe", {}).values(),
        values.get("storage", {}).get("s3", {}).get("secretAccessKey"),
    ]
    rendered = [
        base64.b64decode(value).decode()
        for secret in release.all("Secret")
        for value in secret.get("data", {}).values()
    ]
    # Short values such as a user name could match by accident; real secrets are long.
    return {value for value in given + rendered if value and len(value) >= 8}


# --- lint and schema validation ----------------------------------------------------------------------


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=lambda p: p.name)
def test_chart_lints_without_warnings(values_file):
    report = helm.lint(
        CHART,
        load_values(values_file),
        strict=True,
        namespace=NAMESPACE,
        kube_version=f"v{KUBERNETES_VERSION}",
    )

    assert report["errors"] == []
    # Severity 1 is informational ("icon is recommended"); 2 and above are warnings and errors.
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("version", [KUBERNETES_VERSION, OLDEST_KUBERNETES_VERSION])
def test_every_manifest_is_valid_for_kubernetes(release, version):
    assert release.manifests
    for manifest in release.manifests:
        kubernetes_validate.validate(manifest, version, strict=True)


@pytest.mark.parametrize(
    "override",
    [
        {"web": {"replicas": "three"}},
        {"storage": {"backend": "nfs"}},
        {"postgresql": {"url": "mysql://app@db/clusterhub"}},
        {"autoscaling": {"enabled": "yes"}},
        {"replicaCount": 3},
    ],
    ids=["replicas-not-integer", "unknown-storage", "not-postgresql", "switch-not-boolean", "unknown-key"],
)
def test_schema_rejects_wrong_values(chart, minimal_values, override):
    with pytest.raises(helm.HelmValuesError):
        chart.render({**minimal_values, **override}, name=RELEASE, namespace=NAMESPACE)


@pytest.mark.parametrize(
    ("drop", "message"),
    [("secretKey", "secretKey is required"), ("postgresql", "postgresql.url is required")],
)
def test_missing_credentials_fail_the_render(chart, minimal_values, drop, message):
    values = {key: value for key, value in minimal_values.items() if key != drop}

    with pytest.raises(helm.HelmRenderError, match=message):
        chart.render(values, name=RELEASE, namespace=NAMESPACE)


def test_s3_storage_needs_a_bucket(chart, minimal_values):
    with pytest.raises(helm.HelmRenderError, match="storage.s3.bucket is required"):
        chart.render({**minimal_values, "storage": {"backend": "s3"}}, name=RELEASE, namespace=NAMESPACE)


# --- the essentials --------------------------------------------------------------------------------


def test_chart_is_versioned_apart_from_the_app(chart, release):
    metadata = chart.metadata
    web = release.get("Deployment", f"{FULLNAME}-web")

    assert metadata["version"] != metadata["appVersion"]
    expected_tag = release.values.get("image", {}).get("tag") or metadata["appVersion"]
    assert pod_spec(web)["containers"][0]["image"].endswith(f":{expected_tag}")


def test_web_pods_have_liveness_and_readiness_probes(release):
    check_probes(release.get("Deployment", f"{FULLNAME}-web"))


def test_every_pod_runs_restricted(release):
    workloads = release.all("Deployment") + release.all("Job") + release.all("Pod")

    assert {w["kind"] for w in workloads} == {"Deployment", "Job", "Pod"}
    for workload in workloads:
        check_restricted(workload)


def test_worker_runs_the_outbox_loop_and_is_restarted_when_it_stops_polling(release):
    worker = release.get("Deployment", f"{FULLNAME}-worker")
    container = pod_spec(worker)["containers"][0]

    assert container["command"] == [
        "flask", "--app", "clusterhub", "outbox", "send", "--loop", "--heartbeat", "/tmp/worker-heartbeat",
    ]  # fmt: skip
    probe = container["livenessProbe"]["exec"]["command"]
    assert probe[:2] == ["python", "-c"] and "/tmp/worker-heartbeat" in probe[2] and "> 120" in probe[2]
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]  # writable on a read-only root


def test_migrations_job_is_a_pre_install_and_pre_upgrade_hook(release):
    job = release.get("Job", f"{FULLNAME}-migrations")
    annotations = job["metadata"]["annotations"]
    container = pod_spec(job)["containers"][0]

    assert set(annotations[HOOK].split(",")) == {"pre-install", "pre-upgrade"}
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
    assert "flask db upgrade" in container["args"][0]
    assert {"MIGRATIONS_DATABASE_URL", "DATABASE_URL", "SECRET_KEY"} <= env_names(container)
    # Nothing but hooks exists when a pre-install hook runs: no ConfigMap, ServiceAccount or chart Secret.
    assert "envFrom" not in container
    assert "serviceAccountName" not in pod_spec(job)


def test_migrations_job_has_its_configuration_on_first_install(release):
    job = release.get("Job", f"{FULLNAME}-migrations")
    secret_names = {
        entry["valueFrom"]["secretKeyRef"]["name"]
        for entry in pod_spec(job)["containers"][0]["env"]
        if "valueFrom" in entry
    }
    existing = release.values.get("existingSecret")

    if existing:
        assert secret_names == {existing}
    else:
        (name,) = secret_names
        hook_secret = release.get("Secret", name)
        secret_weight = int(hook_secret["metadata"]["annotations"]["helm.sh/hook-weight"])
        assert set(hook_secret["metadata"]["annotations"][HOOK].split(",")) == {"pre-install", "pre-upgrade"}
        assert secret_weight < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
        assert "MIGRATIONS_DATABASE_URL" in hook_secret["data"]


def test_only_the_migrations_job_gets_the_owner_connection(release):
    for name in (f"{FULLNAME}-web", f"{FULLNAME}-worker"):
        container = pod_spec(release.get("Deployment", name))["containers"][0]
        assert "MIGRATIONS_DATABASE_URL" not in env_names(container)
        assert {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "REPORTING_DATABASE_URL"} <= env_names(container)
        assert all("secretRef" not in source for source in container.get("envFrom", []))
    for secret in release.all("Secret"):
        if HOOK not in secret["metadata"].get("annotations", {}):
            assert "MIGRATIONS_DATABASE_URL" not in secret["data"]


def test_existing_secret_replaces_the_chart_secret(release):
    existing = release.values.get("existingSecret")
    web = pod_spec(release.get("Deployment", f"{FULLNAME}-web"))["containers"][0]
    refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in web["env"] if "valueFrom" in e}

    assert refs == {existing or FULLNAME}
    assert bool(release.all("Secret")) is not bool(existing)


def test_configmaps_hold_no_secret_values(release):
    secrets = secret_values_of(release)

    check_no_secrets_in_configmaps(release, secrets)


def test_replicas_are_left_to_the_autoscaler_when_it_is_on(release):
    check_autoscaler_owns_replicas(release, release.get("Deployment", f"{FULLNAME}-web"))


def test_disruption_budget_covers_web_pods_when_enabled(release):
    budgets = release.all("PodDisruptionBudget")
    web = release.get("Deployment", f"{FULLNAME}-web")

    if release.values.get("podDisruptionBudget", {}).get("enabled"):
        (budget,) = budgets
        assert budget["spec"]["selector"] == web["spec"]["selector"]
    else:
        assert budgets == []


def test_pods_roll_when_configuration_changes(chart, minimal_values, release):
    for name in (f"{FULLNAME}-web", f"{FULLNAME}-worker"):
        annotations = release.get("Deployment", name)["spec"]["template"]["metadata"]["annotations"]
        assert "checksum/config" in annotations
        assert ("checksum/secret" in annotations) is not bool(release.values.get("existingSecret"))

    def checksums(values):
        web = render(chart, values).get("Deployment", f"{FULLNAME}-web")
        return web["spec"]["template"]["metadata"]["annotations"]

    before = checksums(minimal_values)
    after = checksums({**minimal_values, "logLevel": "debug", "secretKey": "another-secret-key"})
    assert before["checksum/config"] != after["checksum/config"]
    assert before["checksum/secret"] != after["checksum/secret"]


def test_ingress_serves_every_tenant_under_one_host(release):
    (ingress,) = release.all("Ingress")
    (rule,) = ingress["spec"]["rules"]
    ingress_values = release.values.get("ingress", {})

    assert rule["host"] == ingress_values.get("host", "clusterhub.example.org")
    assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [("/", "Prefix")]
    if ingress_values.get("tls", {}).get("enabled"):
        assert ingress["spec"]["tls"] == [
            {"hosts": [rule["host"]], "secretName": ingress_values["tls"]["secretName"]}
        ]
        config = release.get("ConfigMap", FULLNAME)["data"]
        assert config["BASE_URL"].startswith("https://")


def test_forwarded_headers_trust_the_configured_proxies(release):
    config = release.get("ConfigMap", FULLNAME)["data"]

    assert config["PROXY_FIX_X_FOR"] == str(release.values.get("proxyFixXFor", 1))
    assert config["CLUSTERHUB_ENV"] == "production"


def test_helm_test_pod_checks_readiness_through_the_service(release):
    (pod,) = release.all("Pod")

    assert pod["metadata"]["annotations"][HOOK] == "test"
    assert f"http://{FULLNAME}:80/readyz" in pod["spec"]["containers"][0]["command"][-1]


def test_notes_tell_how_to_check_the_release(release):
    assert f"helm test {RELEASE}" in release.notes
    assert "/komi/" in release.notes


# --- the checks above must fail on a broken chart ------------------------------------------------------


@pytest.fixture(scope="module")
def minimal_release(chart, minimal_values):
    return render(chart, minimal_values)


def broken(manifest, edit):
    manifest = copy.deepcopy(manifest)
    edit(manifest)
    return manifest


def test_checks_catch_a_missing_probe(minimal_release):
    web = minimal_release.get("Deployment", f"{FULLNAME}-web")

    with pytest.raises(AssertionError, match="readinessProbe"):
        check_probes(broken(web, lambda m: pod_spec(m)["containers"][0].pop("readinessProbe")))


def test_checks_catch_a_writable_root_file_system(minimal_release):
    web = minimal_release.get("Deployment", f"{FULLNAME}-web")

    def make_writable(manifest):
        pod_spec(manifest)["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False

    with pytest.raises(AssertionError):
        check_restricted(broken(web, make_writable))


def test_checks_catch_a_secret_leaking_into_a_configmap(minimal_release):
    secrets = secret_values_of(minimal_release)
    leaky = copy.deepcopy(minimal_release)
    leaky.get("ConfigMap", FULLNAME)["data"]["BASE_URL"] = minimal_release.values["postgresql"]["url"]

    with pytest.raises(AssertionError, match="holds a secret value"):
        check_no_secrets_in_configmaps(leaky, secrets)


def test_checks_catch_replicas_rendered_with_the_autoscaler_on(chart, minimal_values):
    autoscaled = render(chart, {**minimal_values, "autoscaling": {"enabled": True}})
    web = autoscaled.get("Deployment", f"{FULLNAME}-web")

    with pytest.raises(AssertionError, match="replicas rendered"):
        check_autoscaler_owns_replicas(autoscaled, broken(web, lambda m: m["spec"].update(replicas=2)))


def test_schema_validation_catches_an_unknown_field(minimal_release):
    web = minimal_release.get("Deployment", f"{FULLNAME}-web")

    def misspell(manifest):
        pod_spec(manifest)["containers"][0]["readinesProbe"] = {
            "httpGet": {"path": "/readyz", "port": "http"}
        }

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken(web, misspell), KUBERNETES_VERSION, strict=True)


def test_maintenance_runs_as_restricted_cron_jobs(release):
    jobs = {job["metadata"]["name"]: job for job in release.all("CronJob")}

    assert set(jobs) == {
        f"{FULLNAME}-billing-past-due",
        f"{FULLNAME}-cooperation-digest",
        f"{FULLNAME}-events-remind",
        f"{FULLNAME}-housekeeping-purge",
        f"{FULLNAME}-privacy-remind",
        f"{FULLNAME}-privacy-retention",
        f"{FULLNAME}-reporting-refresh",
    }
    for job in jobs.values():
        assert job["spec"]["concurrencyPolicy"] == "Forbid"
        # Schedules are read in a named zone, a late or hung run gives way to the next, history is capped.
        assert job["spec"]["timeZone"] == "Etc/UTC"
        assert 0 < job["spec"]["startingDeadlineSeconds"] <= 600
        assert 0 < job["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] <= 3600
        assert job["spec"]["successfulJobsHistoryLimit"] == 3 and job["spec"]["failedJobsHistoryLimit"] == 3
        template = job["spec"]["jobTemplate"]["spec"]["template"]
        check_restricted({"kind": "Job", "spec": {"template": template}})
        container = template["spec"]["containers"][0]
        assert container["command"][:3] == ["flask", "--app", "clusterhub"]
        assert "MIGRATIONS_DATABASE_URL" not in env_names(container)
    assert jobs[f"{FULLNAME}-billing-past-due"]["spec"]["jobTemplate"]["spec"]["template"]["spec"][
        "containers"
    ][0]["command"][3:] == ["billing", "mark-past-due"]
    digest = jobs[f"{FULLNAME}-cooperation-digest"]["spec"]
    assert digest["schedule"] == "0 5 * * 1"  # weekly
    assert digest["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"][3:] == [
        "cooperation",
        "digest",
    ]
    purge = jobs[f"{FULLNAME}-housekeeping-purge"]["spec"]
    assert purge["schedule"] == "30 2 * * *"  # daily, at night
    assert purge["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"][3:] == [
        "housekeeping",
        "purge",
        "--older-than-days",
        "90",
    ]
    refresh = jobs[f"{FULLNAME}-reporting-refresh"]["spec"]
    assert refresh["schedule"] == "*/10 * * * *"
    assert refresh["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"][3:] == [
        "reporting",
        "refresh",
    ]


def test_personal_data_jobs_and_terms_are_rendered(release):
    jobs = {job["metadata"]["name"]: job for job in release.all("CronJob")}

    def command(name):
        return jobs[f"{FULLNAME}-{name}"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0][
            "command"
        ][3:]

    assert command("privacy-remind") == ["privacy", "remind"]
    assert command("privacy-retention") == ["privacy", "retention"]
    config = release.get("ConfigMap", FULLNAME)["data"]
    assert (config["PRIVACY_ERASURE_DAYS"], config["PRIVACY_RETENTION_DAYS"]) == ("30", "1095")


def test_reminders_run_hourly_for_each_centers_local_morning(release):
    remind = release.get("CronJob", f"{FULLNAME}-events-remind")["spec"]
    container = remind["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]

    assert remind["schedule"].split()[1:] == ["*", "*", "*", "*"]  # every hour, at a fixed minute
    assert container["command"][3:] == ["events", "remind"]
    config = release.get("ConfigMap", FULLNAME)["data"]
    assert config["REMINDER_LOCAL_HOUR"] == str(release.values.get("reminders", {}).get("localHour", 9))


def test_logs_are_json_and_sentry_is_configured_through_the_secret(chart, minimal_values):
    values = {**minimal_values, "sentry": {"dsn": "https://key@sentry.example.test/7"}}
    release = render(chart, values)
    config = release.get("ConfigMap", FULLNAME)["data"]
    secret = release.get("Secret", FULLNAME)["data"]
    web = pod_spec(release.get("Deployment", f"{FULLNAME}-web"))["containers"][0]

    assert config["LOG_FORMAT"] == "json"
    assert base64.b64decode(secret["SENTRY_DSN"]).decode() == "https://key@sentry.example.test/7"
    assert "SENTRY_DSN" in env_names(web)
    assert "SENTRY_DSN" not in render(chart, minimal_values).get("Secret", FULLNAME)["data"]


def test_the_webhook_secrets_key_reaches_the_pods_and_the_migration_that_encrypts_with_it(
    chart, minimal_values
):
    key = "zP4xP2S5Vh9kq1cJ0rX3T6mY8wQ7eB1nL5uA2oD9fG4="
    release = render(chart, {**minimal_values, "webhookSecretsKey": key})
    assert base64.b64decode(release.get("Secret", FULLNAME)["data"]["WEBHOOK_SECRETS_KEY"]).decode() == key
    job = release.get("Job", f"{FULLNAME}-migrations")
    [entry] = [e for e in pod_spec(job)["containers"][0]["env"] if e["name"] == "WEBHOOK_SECRETS_KEY"]
    hook_secret = release.get("Secret", entry["valueFrom"]["secretKeyRef"]["name"])
    assert base64.b64decode(hook_secret["data"]["WEBHOOK_SECRETS_KEY"]).decode() == key
    for name in (f"{FULLNAME}-web", f"{FULLNAME}-worker"):
        assert "WEBHOOK_SECRETS_KEY" in env_names(pod_spec(release.get("Deployment", name))["containers"][0])
    assert "WEBHOOK_SECRETS_KEY" not in render(chart, minimal_values).get("Secret", FULLNAME)["data"]


def test_web_pods_are_reached_only_from_the_ingress_controller_and_monitoring(release):
    policy = release.get("NetworkPolicy", f"{FULLNAME}-web")["spec"]
    web = release.get("Deployment", f"{FULLNAME}-web")

    assert (
        policy["podSelector"]["matchLabels"].items() <= web["spec"]["template"]["metadata"]["labels"].items()
    )
    namespaces = [
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for rule in policy["ingress"]
        for peer in rule["from"]
        if "namespaceSelector" in peer
    ]
    assert namespaces == ["ingress-nginx", "monitoring"]
    assert policy["ingress"][0]["ports"] == [{"port": "http", "protocol": "TCP"}]


def test_pods_reach_only_dns_the_database_redis_mail_and_https(release):
    policy = release.get("NetworkPolicy", f"{FULLNAME}-egress")["spec"]

    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    ports = {(port["port"], port["protocol"]) for rule in policy["egress"] for port in rule["ports"]}
    mail_port = release.values.get("mail", {}).get("port", 587)
    assert ports == {
        (53, "UDP"),
        (53, "TCP"),
        (8000, "TCP"),
        (5432, "TCP"),
        (6379, "TCP"),
        (443, "TCP"),
        (mail_port, "TCP"),
    }


def test_network_policies_can_be_switched_off(chart, minimal_values):
    release = render(chart, {**minimal_values, "networkPolicy": {"enabled": False}})
    assert release.all("NetworkPolicy") == []


def test_service_monitor_scrapes_metrics_of_the_web_service_when_enabled(chart, minimal_values):
    assert render(chart, minimal_values).all("ServiceMonitor") == []
    values = {
        **minimal_values,
        "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}}},
    }
    release = render(chart, values)
    monitor = release.get("ServiceMonitor", FULLNAME)
    service = release.get("Service", FULLNAME)

    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"] == [
        {"port": "http", "path": "/metrics", "interval": "30s", "scrapeTimeout": "10s"}
    ]
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
