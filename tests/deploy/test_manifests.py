"""Static checks of the container and Kubernetes deployment files.

Run with Debian's interpreter (python3-yaml belongs to it):

    /usr/bin/python3 -m pytest -q tests/deploy

Nothing is built or applied: the files are parsed and their properties checked.
"""

import json
import os
import re
import shlex

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
K8S = os.path.join(ROOT, "deploy", "k8s")
DOCKERFILE = os.path.join(ROOT, "docker", "Dockerfile")
COMPOSE = os.path.join(ROOT, "docker", "compose.yaml")

APP_LABEL = ("app.kubernetes.io/name", "kwaliteitsregister")
IMAGE = "registry.example/kwaliteitsregister:1.0.0"
PORT = 8080

# The configuration table of the service (environment variables the binary reads).
KNOWN_ENV_VARS = frozenset({
    "SMTP_URL", "SMTP_USERNAME", "SMTP_PASSWORD", "MAIL_FROM", "PUBLIC_WEB_URL", "MAIL_POLL_MILLISECONDS",
    "MAIL_RETRY_BASE_SECONDS", "MAIL_MAX_ATTEMPTS", "NOTICE_INTERVAL_SECONDS", "LABEL_OFFICE_EMAIL",
    "RETENTION_INTERVAL_SECONDS", "ADMIN_SECOND_FACTOR", "MONITOR_MONTHS", "MONITOR_INTERVAL_SECONDS",
    "INDICATOR_RATE_LIMIT", "MONITOR_NATIONAL_INTERVAL_SECONDS",
    "EXPIRY_INTERVAL_SECONDS",
    "WEBHOOK_ALLOWED_HOSTS",
    "WEBHOOK_POLL_MILLISECONDS",
    "WEBHOOK_RETRY_BASE_SECONDS",
    "ATTESTATION_KEYS_DIR",
    "ATTESTATION_ACTIVE_KID",
    "ATTESTATION_TTL_SECONDS",
    "DATABASE_URL",
    "PORT",
    "LISTEN_ADDRESS",
    "JWT_SECRET",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "ACCESS_TOKEN_TTL_SECONDS",
    "REFRESH_TOKEN_TTL_SECONDS",
    "BOOTSTRAP_ADMIN_USERNAME",
    "BOOTSTRAP_ADMIN_PASSWORD",
    "MAX_BODY_BYTES",
    "DB_POOL_SIZE",
    "HTTP_THREADS",
    "CORS_ORIGINS",
    "TRUSTED_PROXIES",
    "LOG_LEVEL",
    "STATEMENT_TIMEOUT_MS",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_FAILURE_WINDOW_SECONDS",
    "CONNECTION_TIMEOUT_SECONDS",
    "HEADER_TIMEOUT_SECONDS",
    "BODY_TIMEOUT_SECONDS",
    "MAX_CONNECTIONS",
    "MAX_CONNECTIONS_PER_IP",
    "SHUTDOWN_GRACE_SECONDS",
})
SECRET_ENV_VARS = frozenset({"JWT_SECRET", "BOOTSTRAP_ADMIN_USERNAME", "BOOTSTRAP_ADMIN_PASSWORD", "SMTP_USERNAME",
                             "SMTP_PASSWORD"})

# Files in deploy/k8s that are deliberately not applied by kustomize.
NOT_IN_KUSTOMIZATION = frozenset({"kustomization.yaml", "secret.template.yaml"})


# --------------------------------------------------------------------------- loading

def _yaml_files(folder, include_examples=True):
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        if not include_examples and os.path.basename(dirpath) == "examples":
            continue
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")):
                out.append(os.path.join(dirpath, name))
    return out


def _load_all(path):
    with open(path, encoding="utf-8") as fh:
        return [d for d in yaml.safe_load_all(fh) if d is not None]


ALL_K8S_FILES = _yaml_files(K8S)
APPLIED_FILES = [p for p in _yaml_files(K8S, include_examples=False)
                 if os.path.basename(p) not in NOT_IN_KUSTOMIZATION]


@pytest.fixture(scope="module")
def docs():
    """Every Kubernetes object that kustomize applies, as (file, object)."""
    out = []
    for path in APPLIED_FILES:
        for d in _load_all(path):
            out.append((os.path.relpath(path, K8S), d))
    return out


def _of_kind(docs, kind):
    return [d for _, d in docs if d.get("kind") == kind]


def _one(docs, kind):
    found = _of_kind(docs, kind)
    assert len(found) == 1, f"expected exactly one {kind}, found {len(found)}"
    return found[0]


@pytest.fixture(scope="module")
def deployment(docs):
    return _one(docs, "Deployment")


@pytest.fixture(scope="module")
def job(docs):
    return _one(docs, "Job")


@pytest.fixture(scope="module")
def pg_cluster(docs):
    return _one(docs, "Cluster")


def _pod_labels(workload):
    return workload["spec"]["template"]["metadata"]["labels"]


def _selector_matches(selector, labels):
    """matchLabels/matchExpressions (or a plain map, as in a Service) against labels."""
    if "matchLabels" in selector or "matchExpressions" in selector:
        for k, v in (selector.get("matchLabels") or {}).items():
            if labels.get(k) != v:
                return False
        for expr in selector.get("matchExpressions") or []:
            op, key, values = expr["operator"], expr["key"], expr.get("values") or []
            if op == "In" and labels.get(key) not in values:
                return False
            if op == "NotIn" and labels.get(key) in values:
                return False
            if op == "Exists" and key not in labels:
                return False
            if op == "DoesNotExist" and key in labels:
                return False
        return bool(selector.get("matchLabels") or selector.get("matchExpressions"))
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _resolve_port(container, port):
    if isinstance(port, int):
        return port
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return p["containerPort"]
    raise AssertionError(f"named port {port!r} not declared by container {container['name']}")


def _quantity(q):
    """Kubernetes quantity -> float (cpu cores or bytes)."""
    q = str(q)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
             "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", q)
    assert m, f"bad quantity {q!r}"
    return float(m.group(1)) * units.get(m.group(2), 1) if m.group(2) else float(m.group(1))


# --------------------------------------------------------------------------- parsing

@pytest.mark.parametrize("path", ALL_K8S_FILES + [COMPOSE],
                         ids=lambda p: os.path.relpath(p, ROOT))
def test_every_yaml_file_parses_and_objects_are_well_formed(path):
    documents = _load_all(path)
    assert documents, f"{path} is empty"
    if path == COMPOSE:
        return
    for d in documents:
        assert isinstance(d, dict)
        if d.get("kind") == "Kustomization":
            continue
        assert d.get("apiVersion") and d.get("kind"), f"{path}: apiVersion/kind missing"
        meta = d.get("metadata") or {}
        assert meta.get("name"), f"{path}: metadata.name missing"
        assert meta.get("labels", {}).get(APP_LABEL[0]) == APP_LABEL[1], \
            f"{path}: {d['kind']} lacks label {APP_LABEL[0]}={APP_LABEL[1]}"
        if d["kind"] != "Namespace":
            assert meta.get("namespace") == "kwaliteitsregister", f"{path}: {d['kind']} namespace"


# --------------------------------------------------------------------------- kustomization

def test_kustomization_lists_every_manifest_and_each_exists():
    kust = _load_all(os.path.join(K8S, "kustomization.yaml"))[0]
    listed = kust["resources"]
    assert len(listed) == len(set(listed)), "duplicate kustomization resources"
    for res in listed:
        assert os.path.isfile(os.path.join(K8S, res)), f"kustomization lists missing file {res}"
        assert not res.startswith("examples/"), "examples must not be applied"
    in_folder = {os.path.relpath(p, K8S) for p in APPLIED_FILES}
    assert in_folder == set(listed), \
        f"not listed: {sorted(in_folder - set(listed))}; extra: {sorted(set(listed) - in_folder)}"
    assert "secret.template.yaml" not in listed


def test_restore_example_exists_and_is_a_pitr_cluster():
    path = os.path.join(K8S, "examples", "restore-cluster.yaml")
    (cluster,) = [d for d in _load_all(path) if d["kind"] == "Cluster"]
    rec = cluster["spec"]["bootstrap"]["recovery"]
    assert rec["recoveryTarget"]["targetTime"]
    sources = {c["name"]: c for c in cluster["spec"]["externalClusters"]}
    assert rec["source"] in sources
    assert "barmanObjectStore" in sources[rec["source"]]
    # It must not archive over the source cluster's WAL.
    src = sources[rec["source"]]["barmanObjectStore"]
    dst = cluster["spec"]["backup"]["barmanObjectStore"]
    assert (dst["destinationPath"], dst.get("serverName", cluster["metadata"]["name"])) != \
        (src["destinationPath"], src.get("serverName", rec["source"]))


# --------------------------------------------------------------------------- workloads

def _workload_containers(docs):
    for kind in ("Deployment", "Job"):
        for w in _of_kind(docs, kind):
            for c in w["spec"]["template"]["spec"]["containers"]:
                yield kind, w, c


def test_deployment_replicas_and_selector(deployment):
    assert deployment["spec"]["replicas"] >= 2
    assert _selector_matches(deployment["spec"]["selector"], _pod_labels(deployment))
    assert _pod_labels(deployment).get(APP_LABEL[0]) == APP_LABEL[1]


def test_deployment_probes_point_at_health_endpoints(deployment):
    for c in deployment["spec"]["template"]["spec"]["containers"]:
        assert any(p["containerPort"] == PORT for p in c["ports"]), "container must expose 8080"
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz"),
                            ("startupProbe", "/healthz")):
            assert probe in c, f"{c['name']}: {probe} missing"
            get = c[probe]["httpGet"]
            assert get["path"] == path, f"{c['name']}: {probe} path {get['path']}"
            assert _resolve_port(c, get["port"]) == PORT, f"{c['name']}: {probe} port"


def test_containers_have_resources_and_security(docs):
    seen = 0
    for kind, w, c in _workload_containers(docs):
        seen += 1
        res = c.get("resources") or {}
        for part in ("requests", "limits"):
            for what in ("cpu", "memory"):
                assert what in (res.get(part) or {}), f"{kind}/{c['name']}: {part}.{what} missing"
            assert _quantity(res["requests"]["memory"]) <= _quantity(res["limits"]["memory"])
            assert _quantity(res["requests"]["cpu"]) <= _quantity(res["limits"]["cpu"])
        pod_sc = w["spec"]["template"]["spec"].get("securityContext") or {}
        sc = c.get("securityContext") or {}
        assert sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, f"{kind}: runAsNonRoot"
        uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
        assert uid not in (None, 0), f"{kind}: runAsUser must be a non-zero uid"
        assert sc.get("readOnlyRootFilesystem") is True, f"{kind}: readOnlyRootFilesystem"
        assert sc.get("allowPrivilegeEscalation") is False, f"{kind}: allowPrivilegeEscalation"
        assert "ALL" in (sc.get("capabilities") or {}).get("drop", []), f"{kind}: drop ALL"
        assert c["image"] == IMAGE, f"{kind}: image {c['image']}"
    assert seen >= 2


def test_termination_grace_exceeds_shutdown_grace(docs, deployment):
    config = _one(docs, "ConfigMap")["data"]
    shutdown = int(config["SHUTDOWN_GRACE_SECONDS"])
    spec = deployment["spec"]["template"]["spec"]
    pre_stop = 0
    for c in spec["containers"]:
        cmd = ((c.get("lifecycle") or {}).get("preStop") or {}).get("exec", {}).get("command") or []
        if cmd[:1] == ["sleep"]:
            pre_stop = max(pre_stop, int(cmd[1]))
    assert spec["terminationGracePeriodSeconds"] > shutdown + pre_stop


def test_pods_are_spread(deployment):
    spec = deployment["spec"]["template"]["spec"]
    labels = _pod_labels(deployment)
    spread = spec.get("topologySpreadConstraints") or []
    anti = ((spec.get("affinity") or {}).get("podAntiAffinity") or {})
    assert spread or anti, "no topologySpreadConstraints or podAntiAffinity"
    for tsc in spread:
        assert _selector_matches(tsc["labelSelector"], labels)
    assert any(t["topologyKey"] == "kubernetes.io/hostname" for t in spread) or anti


def test_database_url_comes_from_cnpg_app_secret(docs, pg_cluster):
    want = pg_cluster["metadata"]["name"] + "-app"
    for kind, _, c in _workload_containers(docs):
        env = {e["name"]: e for e in c.get("env") or []}
        assert "DATABASE_URL" in env, f"{kind}: DATABASE_URL missing"
        ref = env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": want, "key": "uri"}, f"{kind}: DATABASE_URL from {ref}"


def test_workloads_use_configmap_and_secret(docs):
    cm_name = _one(docs, "ConfigMap")["metadata"]["name"]
    for kind, _, c in _workload_containers(docs):
        env_from = c.get("envFrom") or []
        assert {"configMapRef": {"name": cm_name}} in env_from, f"{kind}: configmap not in envFrom"
        assert {"secretRef": {"name": "kwaliteitsregister-secrets"}} in env_from, \
            f"{kind}: secret not in envFrom"


def test_migration_job_runs_migrate(job, deployment):
    spec = job["spec"]
    assert isinstance(spec.get("backoffLimit"), int) and spec["backoffLimit"] >= 1
    assert spec["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")
    (c,) = spec["template"]["spec"]["containers"]
    argv = (c.get("command") or []) + (c.get("args") or [])
    assert "migrate" in argv and "serve" not in argv
    if c.get("command"):
        assert c["command"][0].endswith("kwaliteitsregister")
    dep_image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert c["image"] == dep_image
    # The Job's pods must not be picked up by the Service or PDB.
    assert _pod_labels(job) != _pod_labels(deployment)


# --------------------------------------------------------------------------- service, hpa, pdb

def test_service_selects_api_pods_on_8080(docs, deployment, job):
    svc = _one(docs, "Service")
    sel = svc["spec"]["selector"]
    assert _selector_matches(sel, _pod_labels(deployment))
    assert not _selector_matches(sel, _pod_labels(job)), "Service would route to migration pods"
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    for p in svc["spec"]["ports"]:
        assert _resolve_port(container, p.get("targetPort", p["port"])) == PORT


def test_hpa_targets_deployment(docs, deployment):
    hpa = _one(docs, "HorizontalPodAutoscaler")
    pdb = _one(docs, "PodDisruptionBudget")
    ref = hpa["spec"]["scaleTargetRef"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert ref["kind"] == "Deployment" and ref["name"] == deployment["metadata"]["name"]
    assert ref["apiVersion"] == "apps/v1"
    assert hpa["spec"]["minReplicas"] >= 3 and hpa["spec"]["maxReplicas"] >= 10
    assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert hpa["spec"]["minReplicas"] >= pdb["spec"]["minAvailable"] + 1, \
        "PDB would block every voluntary eviction at minReplicas"
    assert deployment["spec"]["replicas"] >= pdb["spec"]["minAvailable"] + 1
    cpu = [m for m in hpa["spec"]["metrics"]
           if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
    assert cpu and 0 < cpu[0]["resource"]["target"]["averageUtilization"] <= 100


def test_pdb_selects_api_pods(docs, deployment, job):
    pdb = _one(docs, "PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert isinstance(pdb["spec"]["minAvailable"], int) and pdb["spec"]["minAvailable"] >= 2
    assert _selector_matches(pdb["spec"]["selector"], _pod_labels(deployment))
    assert not _selector_matches(pdb["spec"]["selector"], _pod_labels(job))


# --------------------------------------------------------------------------- configuration

def test_configmap_keys_are_known_settings_and_not_secret(docs):
    cm = _one(docs, "ConfigMap")
    keys = set(cm["data"])
    assert keys <= KNOWN_ENV_VARS, f"unknown settings: {sorted(keys - KNOWN_ENV_VARS)}"
    assert not keys & SECRET_ENV_VARS, "secrets in the ConfigMap"
    assert "DATABASE_URL" not in keys
    for k in ("PORT", "LISTEN_ADDRESS", "JWT_ISSUER", "JWT_AUDIENCE", "DB_POOL_SIZE",
              "HTTP_THREADS", "LOG_LEVEL", "SHUTDOWN_GRACE_SECONDS"):
        assert k in keys, f"{k} missing from ConfigMap"
    assert cm["data"]["PORT"] == str(PORT)
    assert cm["data"]["LISTEN_ADDRESS"] == "0.0.0.0"
    assert all(isinstance(v, str) for v in cm["data"].values()), "ConfigMap values must be strings"
    assert cm["data"]["LOG_LEVEL"] in ("debug", "info", "warning", "error")
    ttl = int(cm["data"].get("ACCESS_TOKEN_TTL_SECONDS", "900"))
    assert 60 <= ttl <= 900


def test_db_connections_fit_postgres(docs, pg_cluster):
    cm = _one(docs, "ConfigMap")["data"]
    hpa = _one(docs, "HorizontalPodAutoscaler")
    params = pg_cluster["spec"].get("postgresql", {}).get("parameters", {})
    max_conn = int(params.get("max_connections", 100))
    assert hpa["spec"]["maxReplicas"] * int(cm["DB_POOL_SIZE"]) + 10 < max_conn


def test_secret_template_has_only_placeholders_for_known_settings():
    secrets = _load_all(os.path.join(K8S, "secret.template.yaml"))
    app = [s for s in secrets if s["metadata"]["name"] == "kwaliteitsregister-secrets"]
    assert len(app) == 1
    data = app[0].get("stringData") or {}
    assert set(data) <= KNOWN_ENV_VARS, f"unknown settings: {sorted(set(data) - KNOWN_ENV_VARS)}"
    assert "JWT_SECRET" in data
    assert "DATABASE_URL" not in data, "DATABASE_URL comes from the CNPG secret"
    for s in secrets:
        assert s["kind"] == "Secret"
        assert "data" not in s, "template must use stringData placeholders, not encoded values"
        for k, v in (s.get("stringData") or {}).items():
            assert v.startswith("<") and v.endswith(">"), f"{k} is not a <placeholder>"


def test_env_names_in_workloads_are_known(docs):
    for kind, _, c in _workload_containers(docs):
        for e in c.get("env") or []:
            assert e["name"] in KNOWN_ENV_VARS, f"{kind}: unknown env {e['name']}"


# --------------------------------------------------------------------------- PostgreSQL (CNPG)

def test_cnpg_cluster_is_postgres15_ha_with_sync_standby(pg_cluster):
    assert pg_cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    spec = pg_cluster["spec"]
    assert re.fullmatch(r"ghcr\.io/cloudnative-pg/postgresql:15(\.\d+)?(-[\w.-]+)?", spec["imageName"])
    assert spec["instances"] >= 2
    sync = spec.get("minSyncReplicas", 0)
    quorum = ((spec.get("postgresql") or {}).get("synchronous") or {}).get("number", 0)
    assert sync >= 1 or quorum >= 1, "no synchronous standby"
    assert spec.get("maxSyncReplicas", sync) >= sync
    assert spec.get("maxSyncReplicas", sync) <= spec["instances"] - 1
    initdb = spec["bootstrap"]["initdb"]
    assert initdb["database"] == "kwaliteitsregister" and initdb["owner"] == "app"
    assert spec["storage"]["size"]


def test_cnpg_backup_to_object_store(docs, pg_cluster):
    backup = pg_cluster["spec"]["backup"]
    assert re.fullmatch(r"\d+[dwm]", backup["retentionPolicy"])
    store = backup["barmanObjectStore"]
    assert re.match(r"^(s3|gs|https)://[^/]+", store["destinationPath"])
    creds = store.get("s3Credentials") or store.get("azureCredentials") or store.get("googleCredentials")
    assert creds, "object store credentials missing"
    for ref in creds.values():
        if isinstance(ref, dict) and "name" in ref:
            assert ref.get("key"), "credential secret key missing"
    assert store["wal"]["compression"] in ("gzip", "bzip2", "snappy")
    scheduled = _of_kind(docs, "ScheduledBackup")
    assert scheduled, "no ScheduledBackup"
    for sb in scheduled:
        assert sb["apiVersion"] == "postgresql.cnpg.io/v1"
        assert sb["spec"]["cluster"]["name"] == pg_cluster["metadata"]["name"]
        assert sb["spec"].get("method", "barmanObjectStore") == "barmanObjectStore"
        fields = sb["spec"]["schedule"].split()
        assert len(fields) == 6, "CNPG schedules have six fields (seconds first)"
        assert fields[3:] == ["*", "*", "*"], "expected a daily schedule"


# --------------------------------------------------------------------------- Dockerfile

def _dockerfile_instructions():
    with open(DOCKERFILE, encoding="utf-8") as fh:
        text = fh.read()
    text = re.sub(r"\\\n", " ", text)  # join continuation lines
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_base_user_healthcheck_expose():
    ins = _dockerfile_instructions()
    froms = [r for w, r in ins if w == "FROM"]
    assert len(froms) >= 2, "expected a multi-stage build"
    for r in froms:
        assert r.split()[0] == "debian:bookworm-slim", f"FROM {r}"
    last_stage = max(i for i, (w, _) in enumerate(ins) if w == "FROM")
    final = ins[last_stage:]
    users = [r for w, r in final if w == "USER"]
    assert users, "final stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"USER {users[-1]}"
    hc = [r for w, r in final if w == "HEALTHCHECK"]
    assert hc and "NONE" not in hc[0].upper()
    assert "/healthz" in hc[0]
    assert any(w == "EXPOSE" and "8080" in r.split() for w, r in final)
    entry = [r for w, r in final if w == "ENTRYPOINT"]
    assert entry and json.loads(entry[-1]) == ["/usr/local/bin/kwaliteitsregister"]
    cmd = [r for w, r in final if w == "CMD"]
    assert cmd and json.loads(cmd[-1]) == ["serve"]
    env = " ".join(r for w, r in final if w == "ENV")
    assert "LISTEN_ADDRESS=0.0.0.0" in env and "PORT=8080" in env


def test_dockerfile_runtime_stage_has_no_build_tools():
    ins = _dockerfile_instructions()
    last_stage = max(i for i, (w, _) in enumerate(ins) if w == "FROM")
    runs = " ".join(r for w, r in ins[last_stage:] if w == "RUN")
    words = set(shlex.split(runs.replace(";", " ").replace("&&", " ")))
    for forbidden in ("build-essential", "cmake", "npm", "nodejs", "curl", "wget"):
        assert forbidden not in words, f"runtime stage installs {forbidden}"
    assert not any(w.endswith("-dev") for w in words), "runtime stage installs -dev packages"
    for lib in ("libulfius2.7", "libjansson4", "libjwt0", "libpq5", "libargon2-1",
                "libssl3", "libmicrohttpd12", "liborcania2.3", "ca-certificates"):
        assert lib in words, f"runtime stage lacks {lib}"
    copies = [r for w, r in ins[last_stage:] if w == "COPY"]
    assert any("--from=" in r and "kwaliteitsregister" in r for r in copies)


# --------------------------------------------------------------------------- compose

def test_compose_stack():
    services = _load_all(COMPOSE)[0]["services"]
    db, api, migrate = services["db"], services["api"], services["migrate"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["command"] == ["migrate"]
    for svc in (api, migrate):
        assert svc["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}
        env = svc["environment"]
        assert set(env) <= KNOWN_ENV_VARS, f"unknown env: {sorted(set(env) - KNOWN_ENV_VARS)}"
        assert "@db:5432/" in env["DATABASE_URL"]
        default = re.fullmatch(r"\$\{JWT_SECRET:-(.+)\}", env["JWT_SECRET"])
        assert default and len(default.group(1)) >= 32 and "dev" in default.group(1)
        assert env["BOOTSTRAP_ADMIN_USERNAME"] and env["BOOTSTRAP_ADMIN_PASSWORD"]
    assert "8080:8080" in [str(p) for p in api["ports"]]
    assert "/healthz" in " ".join(api["healthcheck"]["test"])


def test_attestation_keys_are_mounted_where_the_config_points(docs):
    """The signing keys come from a Secret volume at ATTESTATION_KEYS_DIR, read-only."""
    objects = [d for _, d in docs]
    cm = [d for d in objects if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "kwaliteitsregister-config"][0]
    keys_dir = cm["data"]["ATTESTATION_KEYS_DIR"]
    assert cm["data"]["ATTESTATION_ACTIVE_KID"]
    dep = [d for d in objects if d["kind"] == "Deployment"][0]
    pod = dep["spec"]["template"]["spec"]
    api = pod["containers"][0]
    mounts = {m["mountPath"]: m for m in api.get("volumeMounts", [])}
    assert keys_dir in mounts and mounts[keys_dir].get("readOnly") is True
    volume = [v for v in pod["volumes"] if v["name"] == mounts[keys_dir]["name"]][0]
    assert volume["secret"]["secretName"] == "kwaliteitsregister-attestation-keys"
