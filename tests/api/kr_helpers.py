"""Shared helpers for the kwaliteitsregister API tests.

Everything here is plain Python (Debian's python3-requests, python3-jsonschema 4.10,
python3-yaml); no PyPI packages. conftest.py turns these into fixtures; test modules may
import the pure helpers (assert_problem, forge_jwt, decode_jwt, ...) directly.
"""

import atexit
import base64
import copy
import hashlib
import hmac
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import jsonschema
import requests
import yaml
from requests.structures import CaseInsensitiveDict

# --------------------------------------------------------------------------- constants

REPO = Path(os.environ.get("KR_REPO", Path(__file__).resolve().parents[2]))
SERVER_BIN = Path(os.environ.get("KR_SERVER_BIN", str(REPO / "build" / "kwaliteitsregister")))
OPENAPI_PATH = REPO / "openapi" / "openapi.yaml"
LSAN_SUPP = REPO / "tests" / "lsan.supp"
PG_BIN = Path("/usr/lib/postgresql/15/bin")

JWT_SECRET = "kr-api-test-secret-0123456789abcdefghijklmnopqrs"
JWT_ISSUER = "kwaliteitsregister"
JWT_AUDIENCE = "kwaliteitsregister-api"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Adm1n-Test-Pa55word!"
ALLOWED_ORIGIN = "https://app.example.test"
FOREIGN_ORIGIN = "https://evil.example.test"
LOGIN_FAILURE_LIMIT = 5
PROBLEM_URN = "urn:kwaliteitsregister:problem:"

assert len(JWT_SECRET) == 48
assert len(ADMIN_PASSWORD) == 20

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

# Secrets that must never show up in the server's logs (tokens received, passwords used).
SECRETS = set()


def remember_secret(value):
    if isinstance(value, str) and len(value) >= 12:
        SECRETS.add(value)


remember_secret(ADMIN_PASSWORD)

# --------------------------------------------------------------------------- process safety net

_LIVE_PROCS = {}  # pid -> Popen
_LIVE_CLUSTERS = {}  # id -> PgCluster
_lock = threading.Lock()


def _emergency_cleanup():
    with _lock:
        procs = list(_LIVE_PROCS.values())
        clusters = list(_LIVE_CLUSTERS.values())
    for p in procs:
        try:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        except Exception:
            pass
    for c in clusters:
        try:
            c.destroy()
        except Exception:
            pass


atexit.register(_emergency_cleanup)


def _sigterm_to_interrupt(signum, frame):  # let pytest unwind fixtures on SIGTERM
    raise KeyboardInterrupt("SIGTERM")


if threading.current_thread() is threading.main_thread():
    try:
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _sigterm_to_interrupt)
    except (ValueError, OSError):
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(text, n=60):
    lines = text.splitlines()
    return "\n".join(lines[-n:])


def sanitizer_report(text):
    """The sanitizer report in text (from the first marker on), or None."""
    idx = [text.find(m) for m in SANITIZER_MARKERS if m in text]
    if not idx:
        return None
    start = min(idx)
    start = text.rfind("\n", 0, max(0, start - 200)) + 1 if start > 200 else 0
    return text[start:start + 12000]


# --------------------------------------------------------------------------- PostgreSQL

class PgCluster:
    """A throwaway PostgreSQL 15 cluster in /tmp/kr-pg-*, socket-only, trust auth."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kr-pg-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.as_root = os.geteuid() == 0
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.logfile = os.path.join(self.dir, "postgres.log")
        self.port = free_port()
        self._initialised = False
        with _lock:
            _LIVE_CLUSTERS[id(self)] = self

    def _cmd(self, args):
        if self.as_root:
            return ["runuser", "-u", "postgres", "--"] + args
        return args

    def _run(self, args, check=True, timeout=120):
        r = subprocess.run(self._cmd(args), capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}\n"
                               f"{self.log_tail()}")
        return r

    def init(self):
        self._run([str(PG_BIN / "initdb"), "-D", self.data, "-U", "postgres", "--auth=trust",
                   "-E", "UTF8", "--locale=C"])
        self._initialised = True

    def start(self):
        opts = f"-k {self.dir} -p {self.port} -c listen_addresses=''"
        self._run([str(PG_BIN / "pg_ctl"), "-D", self.data, "-l", self.logfile, "-w", "-t", "60",
                   "-o", opts, "start"])

    def stop(self, mode="fast"):
        if not self.running():
            return
        self._run([str(PG_BIN / "pg_ctl"), "-D", self.data, "-m", mode, "-w", "-t", "60", "stop"])

    def running(self):
        if not self._initialised or not os.path.isdir(self.data):
            return False
        r = self._run([str(PG_BIN / "pg_ctl"), "-D", self.data, "status"], check=False, timeout=30)
        return r.returncode == 0

    def destroy(self):
        try:
            if self._initialised:
                try:
                    self.stop("fast")
                except Exception:
                    self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            with _lock:
                _LIVE_CLUSTERS.pop(id(self), None)

    def log_tail(self, n=40):
        try:
            with open(self.logfile, errors="replace") as f:
                return "postgres log:\n" + tail(f.read(), n)
        except OSError:
            return ""

    def url(self, db="kr_test"):
        return f"postgresql:///{db}?host={self.dir}&port={self.port}&user=postgres"

    def psql(self, query, db="kr_test", check=True):
        """Run one SQL command with psql; returns rows as tuples of strings ('' for NULL)."""
        args = [str(PG_BIN / "psql"), "-X", "-q", "-h", self.dir, "-p", str(self.port), "-U", "postgres",
                "-d", db, "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", query]
        r = subprocess.run(args, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise RuntimeError(f"psql failed ({r.returncode}) for {query!r}:\n{r.stderr}")
        return [tuple(line.split("|")) for line in r.stdout.splitlines() if line != ""]

    def createdb(self, name):
        self.psql(f'create database "{name}"', db="postgres")

    def dropdb(self, name):
        self.psql(f'drop database if exists "{name}" with (force)', db="postgres", check=False)


# --------------------------------------------------------------------------- server processes

LABEL_OFFICE_EMAIL = "label-office@example.test"


def server_env(pg, port, db="kr_test", **overrides):
    """The environment the server runs with. overrides: NAME=value, or NAME=None to unset."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DATABASE_URL": pg.url(db) if pg is not None else "",
        "PORT": str(port),
        "LISTEN_ADDRESS": "127.0.0.1",
        "JWT_SECRET": JWT_SECRET,
        "JWT_ISSUER": JWT_ISSUER,
        "JWT_AUDIENCE": JWT_AUDIENCE,
        "BOOTSTRAP_ADMIN_USERNAME": ADMIN_USERNAME,
        "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LOGIN_FAILURE_LIMIT": str(LOGIN_FAILURE_LIMIT),
        # the whole suite signs in from 127.0.0.1; tests of the per-address limit lower it
        "LOGIN_ADDRESS_FAILURE_LIMIT": "100000",
        "CORS_ORIGINS": ALLOWED_ORIGIN,
        "LOG_LEVEL": "info",
        # outcomes submitted are announced here; notices due from dates are looked for every second
        "LABEL_OFFICE_EMAIL": LABEL_OFFICE_EMAIL,
        "NOTICE_INTERVAL_SECONDS": "1",
        # the suite's admins sign in with a password alone; test_second_factor.py runs a server
        # with the default (required) of its own
        "ADMIN_SECOND_FACTOR": "optional",
        "MONITOR_NATIONAL_INTERVAL_SECONDS": "0",  # the nation's figures follow every change at once
        "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    }
    if LSAN_SUPP.exists():
        env["LSAN_OPTIONS"] = f"suppressions={LSAN_SUPP}:print_suppressions=0"
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def require_binary(binary=None):
    binary = binary or SERVER_BIN
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise FileNotFoundError(f"server binary {binary} not found (build it, or set KR_SERVER_BIN)")


class ServerProcess:
    """One running `kwaliteitsregister serve` (or another build of it: binary), logging to files
    in its own temp dir."""

    def __init__(self, pg, env_overrides=None, args=("serve",), db="kr_test", name="server", binary=None):
        binary = Path(binary) if binary else SERVER_BIN
        require_binary(binary)
        self.name = name
        self.port = free_port()
        overrides = dict(env_overrides or {})
        if "PORT" in overrides and overrides["PORT"] is not None:
            self.port = int(overrides["PORT"])
        self.env = server_env(pg, self.port, db=db, **overrides)
        self.workdir = tempfile.mkdtemp(prefix=f"kr-{name}-")
        self.stdout_path = os.path.join(self.workdir, "stdout.log")
        self.stderr_path = os.path.join(self.workdir, "stderr.log")
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([str(binary)] + list(args), env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=self._err, cwd=self.workdir)
        with _lock:
            _LIVE_PROCS[self.proc.pid] = self.proc
        self.returncode = None

    def stdout_text(self):
        with open(self.stdout_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr_text(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_tails(self, n=40):
        return (f"--- {self.name} stdout (tail) ---\n{tail(self.stdout_text(), n)}\n"
                f"--- {self.name} stderr (tail) ---\n{tail(self.stderr_text(), n)}")

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        s = requests.Session()
        s.trust_env = False
        last = None
        try:
            while time.monotonic() < deadline:
                rc = self.proc.poll()
                if rc is not None:
                    self._finish(rc)
                    raise RuntimeError(f"{self.name} exited with {rc} before becoming ready\n{self.log_tails()}")
                try:
                    r = s.get(self.base_url + "/readyz", timeout=2)
                    last = r.status_code
                    if r.status_code == 200:
                        return self
                except requests.RequestException as e:
                    last = repr(e)
                time.sleep(0.1)
        finally:
            s.close()
        raise RuntimeError(f"{self.name} not ready after {timeout}s (last: {last})\n{self.log_tails()}")

    def _finish(self, rc):
        self.returncode = rc
        with _lock:
            _LIVE_PROCS.pop(self.proc.pid, None)
        for f in (self._out, self._err):
            try:
                f.close()
            except Exception:
                pass

    def stop(self, timeout=20):
        """SIGTERM, wait; returns the exit code (kills and raises after timeout)."""
        if self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                self._finish(self.proc.returncode)
                raise AssertionError(f"{self.name} did not exit within {timeout}s of SIGTERM (killed)\n"
                                     f"{self.log_tails()}")
        self._finish(self.proc.returncode)
        return self.returncode

    def problems_after_stop(self):
        """List of human-readable problems (exit code, sanitizer reports) after stop()."""
        problems = []
        err = self.stderr_text()
        rep = sanitizer_report(err)
        if rep:
            problems.append(f"{self.name}: sanitizer report on stderr:\n{rep}")
        if self.returncode != 0:
            problems.append(f"{self.name}: exit code {self.returncode} after SIGTERM (expected 0)\n"
                            f"{self.log_tails()}")
        return problems

    def cleanup_files(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_records(self):
        """stdout parsed as JSON lines: list of (line, obj-or-None)."""
        out = []
        for line in self.stdout_text().splitlines():
            if not line.strip():
                continue
            try:
                out.append((line, json.loads(line)))
            except ValueError:
                out.append((line, None))
        return out


def run_binary(args, env, timeout=30):
    """Run the binary to completion (kills it after timeout). Returns CompletedProcess-like."""
    require_binary()
    p = subprocess.Popen([str(SERVER_BIN)] + list(args), env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with _lock:
        _LIVE_PROCS[p.pid] = p
    try:
        out, err = p.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate(timeout=10)
        timed_out = True
    finally:
        with _lock:
            _LIVE_PROCS.pop(p.pid, None)
    r = subprocess.CompletedProcess(p.args, p.returncode, out.decode("utf-8", "replace"),
                                    err.decode("utf-8", "replace"))
    r.timed_out = timed_out
    return r


# --------------------------------------------------------------------------- OpenAPI contract

class _NoTimestampLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates/timestamps as strings (as JSON would)."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_openapi_yaml(path=OPENAPI_PATH):
    with open(path, "rb") as f:
        doc = yaml.load(f, Loader=_NoTimestampLoader)
    # JSON has string keys only (YAML `200:` is an int key)
    return json.loads(json.dumps(doc))


_DATE_TIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

FORMAT_CHECKER = copy.deepcopy(jsonschema.Draft202012Validator.FORMAT_CHECKER)


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _check_date_time(value):
    if not isinstance(value, str):
        return True
    if not _DATE_TIME_RE.match(value):
        return False
    import datetime
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00").replace("t", "T"))
    return True


def media_base(ct):
    return (ct or "").split(";", 1)[0].strip().lower()


def media_params(ct):
    params = {}
    for part in (ct or "").split(";")[1:]:
        if "=" in part:
            k, v = part.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"')
    return params


def _media_matches(actual, documented):
    a, d = media_base(actual), media_base(documented)
    if d == "*/*":
        return True
    if d.endswith("/*"):
        return a.split("/", 1)[0] == d.split("/", 1)[0]
    return a == d


def _is_json_media(ct):
    b = media_base(ct)
    return b == "application/json" or b.endswith("+json")


class Contract:
    """The OpenAPI document: operation lookup by server path, response validation."""

    def __init__(self, doc):
        self.doc = doc
        self.version = doc["info"]["version"]
        self.routes = []  # (server_template, [segment regex], literal_mask, path_item)
        for p, item in doc.get("paths", {}).items():
            item = self.resolve(item)
            full = self._server_path(p, item)
            segs = full.strip("/").split("/") if full.strip("/") else []
            rx, lit = [], []
            for s in segs:
                if "{" in s:
                    rx.append(re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(s)) + "$"))
                    lit.append(0)
                else:
                    rx.append(s)
                    lit.append(1)
            self.routes.append((full, rx, tuple(lit), item))
        schemas = doc.get("components", {}).get("schemas", {})
        self.problem_schema = {"$ref": "#/components/schemas/Problem"} if "Problem" in schemas else None

    @staticmethod
    def _server_path(p, item):
        servers = item.get("servers")
        if servers and all("/v1" not in (s.get("url") or "") for s in servers):
            return p
        return "/v1" + p

    def operations(self):
        """Set of (METHOD, server path template) documented."""
        ops = set()
        for full, _, _, item in self.routes:
            for m in item:
                if m in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                    ops.add((m.upper(), full))
        return ops

    def methods_for(self, server_template):
        for full, _, _, item in self.routes:
            if full == server_template:
                return {m.upper() for m in item if m in
                        ("get", "put", "post", "delete", "patch", "head", "options", "trace")}
        raise KeyError(server_template)

    def resolve(self, obj, _depth=0):
        while isinstance(obj, dict) and "$ref" in obj and isinstance(obj["$ref"], str) \
                and obj["$ref"].startswith("#/"):
            target = self.doc
            for part in obj["$ref"][2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[urllib.parse.unquote(part)]
            obj = target
            _depth += 1
            if _depth > 50:
                raise ValueError("$ref loop")
        return obj

    def match(self, path):
        """(server_template, path_item) for a concrete path (no query), or (None, None)."""
        path = path.split("?", 1)[0]
        segs = path.strip("/").split("/") if path.strip("/") else []
        if path != "/" and path.endswith("/"):
            return None, None  # trailing slash never matches a template
        best = None
        for full, rx, lit, item in self.routes:
            if len(rx) != len(segs):
                continue
            ok = True
            for r, s in zip(rx, segs):
                if isinstance(r, str):
                    if r != s:
                        ok = False
                        break
                elif not s or not r.match(s):
                    ok = False
                    break
            if ok and (best is None or lit > best[0]):
                best = (lit, full, item)
        if best is None:
            return None, None
        return best[1], best[2]

    def validator(self, schema):
        cache = self.__dict__.setdefault("_validators", {})
        key = id(schema)
        hit = cache.get(key)
        if hit is not None and hit[0] is schema:
            return hit[1]
        v = self._new_validator(schema)
        cache[key] = (schema, v)
        return v

    def _new_validator(self, schema):
        resolver = jsonschema.RefResolver(base_uri="", referrer=self.doc)
        return jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=FORMAT_CHECKER)

    def validate_instance(self, schema, instance, what):
        v = self.validator(schema)
        errors = sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            msgs = []
            for e in errors[:8]:
                loc = "/".join(str(x) for x in e.absolute_path) or "(root)"
                msgs.append(f"  at {loc}: {e.message[:300]}")
            raise AssertionError(f"{what}: body does not match the documented schema:\n" + "\n".join(msgs) +
                                 f"\nbody: {json.dumps(instance)[:1500]}")

    def check_response(self, method, path, status, headers, content):
        """Assert that one response conforms to the document. Raises AssertionError."""
        method = method.upper()
        what = f"{method} {path} -> {status}"
        ct = headers.get("Content-Type")
        api_version = headers.get("API-Version")
        assert api_version == self.version, \
            f"{what}: API-Version header is {api_version!r}, expected {self.version!r}"
        template, item = self.match(path)
        if template is None or method.lower() not in item:
            expected = 404 if template is None else 405
            assert status == expected, \
                f"{what}: undocumented {'path' if template is None else 'method'}; expected {expected}, " \
                f"got {status}: {content[:500]!r}"
            assert media_base(ct) == "application/problem+json", f"{what}: Content-Type {ct!r} is not problem+json"
            body = self._json(content, what)
            if self.problem_schema:
                self.validate_instance(self.problem_schema, body, what)
            return
        op = self.resolve(item[method.lower()])
        responses = op.get("responses", {})
        key = None
        for k in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
            if k in responses:
                key = k
                break
        assert key is not None, \
            f"{what}: status {status} is not documented for {method} {template} " \
            f"(documented: {sorted(responses)}); body: {content[:800]!r}"
        resp_doc = self.resolve(responses[key])
        for hname, hdoc in (resp_doc.get("headers") or {}).items():
            hdoc = self.resolve(hdoc)
            if hdoc.get("required") and hname.lower() != "content-type":
                assert headers.get(hname) is not None, f"{what}: documented required header {hname} missing"
        contents = resp_doc.get("content") or {}
        if not contents:
            assert content in (b"", None), \
                f"{what}: no content documented, but the body is {content[:300]!r}"
            return
        if method == "HEAD":
            return
        assert ct, f"{what}: no Content-Type, documented {sorted(contents)}"
        matching = [m for m in contents if _media_matches(ct, m)]
        assert matching, f"{what}: Content-Type {ct!r} is not one of the documented {sorted(contents)}"
        mdoc = self.resolve(contents[matching[0]]) or {}
        if _is_json_media(ct):
            body = self._json(content, what)
            if "schema" in mdoc:
                self.validate_instance(mdoc["schema"], body, what)

    @staticmethod
    def _json(content, what):
        try:
            return json.loads(content)
        except (ValueError, TypeError) as e:
            raise AssertionError(f"{what}: body is not JSON ({e}): {content[:300]!r}")


# --------------------------------------------------------------------------- HTTP client

_MISSING = object()


class RawResponse:
    """Minimal requests.Response look-alike for responses read with http.client."""

    def __init__(self, status, headers, content, send_error=None):
        self.status_code = status
        self.headers = CaseInsensitiveDict()
        for k, v in headers:
            if k in self.headers:
                self.headers[k] = self.headers[k] + ", " + v
            else:
                self.headers[k] = v
        self.content = content
        self.send_error = send_error

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


class ApiClient:
    """requests.Session wrapper: base URL, bearer tokens, and contract validation of every response.

    request(method, path, token=..., json=..., data=..., headers=..., params=..., validate=True)
      path is the full server path ("/v1/accounts", "/healthz"); validate=False only where a test
      deliberately uses something the document does not describe (e.g. OPTIONS preflights).
    Every response is recorded in self.seen as (requestId, method, path, status).
    """

    def __init__(self, base_url, contract):
        self.base_url = base_url.rstrip("/")
        self.contract = contract
        self.session = requests.Session()
        self.session.trust_env = False
        self.seen = []

    def close(self):
        self.session.close()

    def _record(self, method, path, resp):
        self.seen.append((resp.headers.get("X-Request-Id"), method.upper(), path.split("?", 1)[0],
                          resp.status_code))
        if media_base(resp.headers.get("Content-Type")) == "application/json":
            try:
                body = json.loads(resp.content)
            except ValueError:
                return
            if isinstance(body, dict):
                for k in ("access_token", "refresh_token"):
                    remember_secret(body.get(k))

    def request(self, method, path, *, token=None, json=_MISSING, data=None, headers=None, params=None,
                validate=True, timeout=30, **kw):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if json is not _MISSING:
            if isinstance(json, dict):
                for k in ("password", "client_secret", "currentPassword", "newPassword"):
                    remember_secret(json.get(k))
            data = _json_dumps(json)
            h.setdefault("Content-Type", "application/json")
        if isinstance(data, dict):
            remember_secret(data.get("password"))
        resp = self.session.request(method, self.base_url + path, headers=h, data=data, params=params,
                                    timeout=timeout, allow_redirects=False, **kw)
        req_path = urllib.parse.urlsplit(resp.request.path_url).path if resp.request is not None else path
        self._record(method, req_path, resp)
        if validate:
            self.contract.check_response(method, req_path, resp.status_code, resp.headers, resp.content)
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def options(self, path, **kw):
        return self.request("OPTIONS", path, **kw)

    def raw(self, method, path, *, headers=(), body=None, chunks=None, validate=True, timeout=60):
        """Send a request with http.client (exact control of framing). Tolerates the server
        answering before the whole body is sent. chunks -> Transfer-Encoding: chunked."""
        u = urllib.parse.urlsplit(self.base_url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        send_error = None
        try:
            conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
            hdrs = list(headers.items()) if isinstance(headers, dict) else list(headers)
            if chunks is not None:
                hdrs.append(("Transfer-Encoding", "chunked"))
            elif body is not None and not any(k.lower() == "content-length" for k, _ in hdrs):
                hdrs.append(("Content-Length", str(len(body))))
            for k, v in hdrs:
                conn.putheader(k, v)
            conn.endheaders()
            try:
                if chunks is not None:
                    for c in chunks:
                        if c:
                            conn.send(b"%x\r\n" % len(c) + c + b"\r\n")
                    conn.send(b"0\r\n\r\n")
                elif body is not None:
                    view = memoryview(body)
                    for i in range(0, len(view), 65536):
                        conn.send(view[i:i + 65536])
            except (BrokenPipeError, ConnectionResetError) as e:
                send_error = e
            try:
                r = conn.getresponse()
                content = r.read()
            except (http.client.HTTPException, OSError) as e:
                raise AssertionError(f"{method} {path}: no HTTP response (send error: {send_error!r}; "
                                     f"read error: {e!r})")
            resp = RawResponse(r.status, r.getheaders(), content, send_error)
        finally:
            conn.close()
        self._record(method, path, resp)
        if validate:
            self.contract.check_response(method, path, resp.status_code, resp.headers, resp.content)
        return resp


def _json_dumps(value):
    return json.dumps(value).encode("utf-8")


# --------------------------------------------------------------------------- problems

SLUG_BY_STATUS = {
    401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed", 409: "conflict", 410: "gone",
    406: "not-acceptable", 413: "payload-too-large", 415: "unsupported-media-type", 429: "too-many-requests",
    500: "internal-error", 503: "service-unavailable",
}
_DEFAULT = object()


def field_names(body):
    return [e.get("field") for e in (body.get("errors") or []) if isinstance(e, dict)]


def assert_problem(resp, status, slug=_DEFAULT, fields=None, error=None, exact_fields=False):
    """Assert resp is an RFC 9457 problem with this status; returns the parsed body.

    slug: expected `type` suffix (default: the spec's slug for that status; None = any URN).
    fields: field names that errors[] must name (each with a message). error: OAuth `error` code.
    """
    body_text = resp.content[:1500]
    assert resp.status_code == status, f"expected HTTP {status}, got {resp.status_code}: {body_text!r}"
    ct = resp.headers.get("Content-Type")
    assert media_base(ct) == "application/problem+json", f"Content-Type {ct!r}, body {body_text!r}"
    body = resp.json()
    assert isinstance(body, dict), body
    assert body.get("status") == status, f"problem status {body.get('status')!r} != {status}: {body}"
    assert isinstance(body.get("title"), str) and body["title"].strip(), f"problem without title: {body}"
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), f"problem without detail: {body}"
    assert isinstance(body.get("type"), str) and body["type"].startswith(PROBLEM_URN), \
        f"problem type {body.get('type')!r} is not a {PROBLEM_URN}<slug> URN"
    if slug is _DEFAULT:
        slug = SLUG_BY_STATUS.get(status)
    if slug:
        assert body["type"] == PROBLEM_URN + slug, f"problem type {body['type']!r}, expected {PROBLEM_URN + slug}"
    if fields is not None:
        errs = body.get("errors")
        assert isinstance(errs, list) and errs, f"expected errors[] naming {sorted(fields)}: {body}"
        for e in errs:
            assert isinstance(e.get("field"), str) and e["field"], f"error without field: {e}"
            assert isinstance(e.get("message"), str) and e["message"].strip(), f"error without message: {e}"
        names = set(field_names(body))
        missing = set(fields) - names
        assert not missing, f"errors[] does not name {sorted(missing)} (names {sorted(names)}): {body}"
        if exact_fields:
            assert names == set(fields), f"errors[] names {sorted(names)}, expected exactly {sorted(fields)}"
    if error is not None:
        assert body.get("error") == error, f"OAuth error {body.get('error')!r}, expected {error!r}: {body}"
        assert isinstance(body.get("error_description"), str) and body["error_description"], \
            f"OAuth problem without error_description: {body}"
    return body


# --------------------------------------------------------------------------- JWT

def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(s):
    s = s + "=" * (-len(s) % 4)
    return base64.urlsafe_b64decode(s.encode("ascii"))


def forge_jwt(header, claims, secret=JWT_SECRET, alg=None):
    """A compact JWS. alg picks the real HMAC ("HS256"/"HS384"/"HS512"; default: header's alg);
    alg "none" (or header alg none) gives an empty signature."""
    alg = alg or header.get("alg", "HS256")
    h = b64url(json.dumps(header, separators=(",", ":")))
    p = b64url(json.dumps(claims, separators=(",", ":")))
    signing_input = f"{h}.{p}".encode()
    if str(alg).lower() == "none":
        return f"{h}.{p}."
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    if isinstance(secret, str):
        secret = secret.encode()
    sig = hmac.new(secret, signing_input, digest).digest()
    return f"{h}.{p}.{b64url(sig)}"


def decode_jwt(token):
    """(header, claims) without verification."""
    parts = token.split(".")
    assert len(parts) == 3, f"not a compact JWS: {token[:40]}..."
    return json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))


def verify_hs256(token, secret=JWT_SECRET):
    h, p, s = token.split(".")
    sig = hmac.new(secret.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(b64url(sig), s)


# --------------------------------------------------------------------------- accounts helper

LINK_FIELD = {
    "admin": None,
    "professional": "professionalId",
    "organisation": "organisationId",
    "certifier": "certifyingBodyId",
    "municipality": "municipalityCode",
}
MACHINE_ROLES = {"certifier", "municipality"}


def unique_name(prefix="u"):
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def new_password():
    pw = "Pw-" + uuid.uuid4().hex[:16] + "-x"
    remember_secret(pw)
    return pw


class Kr:
    """Per-session helpers bound to one server + database: logins, accounts, link rows."""

    def __init__(self, client, pg):
        self.client = client
        self.pg = pg
        self._admin = None  # (token, obtained_at)

    def sql(self, query, db="kr_test"):
        return self.pg.psql(query, db=db)

    def derive_statuses(self, db="kr_test"):
        """Rows inserted with SQL behind the service's back get their stored statuses the way a
        bulk load does: `kwaliteitsregister migrate` derives whatever is missing."""
        require_binary()
        r = subprocess.run([str(SERVER_BIN), "migrate"], env=server_env(self.pg, 8080, db=db),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        assert r.returncode == 0, f"migrate failed: {r.stderr.decode(errors='replace')[-2000:]}"

    # link rows
    def new_professional(self):
        n = uuid.uuid4().hex[:8]
        pid = self.sql("insert into professionals(given_name, family_name, email, profile, education_level) "
                       f"values ('Test', 'Prof{n}', 'prof{n}@example.test', 'sociaal-werker-hbo', 'hbo') "
                       "returning id")[0][0]
        self.derive_statuses()  # a row made behind the service's back gets its status timeline
        return pid

    def new_organisation(self):
        kvk = str(uuid.uuid4().int)[:8].rjust(8, "1")
        return self.sql(f"insert into organisations(name, kvk_number) values ('Org {kvk}', '{kvk}') returning id")[0][0]

    def new_certifying_body(self):
        return self.sql(f"insert into certifying_bodies(name) values ('Body {uuid.uuid4().hex[:8]}') returning id")[0][0]

    def new_link(self, role):
        return {
            "admin": lambda: None,
            "professional": self.new_professional,
            "organisation": self.new_organisation,
            "certifier": self.new_certifying_body,
            "municipality": lambda: "GM0363",
        }[role]()

    # tokens
    def token_request(self, body, form=False, validate=True):
        if form:
            return self.client.post("/v1/auth/token", data=body, validate=validate)
        return self.client.post("/v1/auth/token", json=body, validate=validate)

    def login(self, username, password, expect=200):
        """Password grant; returns the parsed token response (asserts the status)."""
        r = self.token_request({"grant_type": "password", "username": username, "password": password})
        assert r.status_code == expect, f"login {username}: {r.status_code} {r.content[:500]!r}"
        return r.json()

    def client_credentials(self, client_id, client_secret, expect=200):
        r = self.token_request({"grant_type": "client_credentials", "client_id": client_id,
                                "client_secret": client_secret})
        assert r.status_code == expect, f"client_credentials {client_id}: {r.status_code} {r.content[:500]!r}"
        return r.json()

    def admin_token(self):
        if self._admin is None or time.monotonic() - self._admin[1] > 600:
            self._admin = (self.login(ADMIN_USERNAME, ADMIN_PASSWORD)["access_token"], time.monotonic())
        return self._admin[0]

    def make_account(self, role, *, username=None, password=None, link=_MISSING, extra=None):
        """POST /v1/accounts as admin (asserts 201). Returns dict: account, username, password, link."""
        username = username or unique_name(role[:4])
        password = password or new_password()
        body = {"username": username, "password": password, "role": role}
        field = LINK_FIELD[role]
        if link is _MISSING:
            link = self.new_link(role)
        if field and link is not None:
            body[field] = link
        if extra:
            body.update(extra)
        r = self.client.post("/v1/accounts", token=self.admin_token(), json=body)
        assert r.status_code == 201, f"create {role} account: {r.status_code} {r.content[:800]!r}"
        return {"account": r.json(), "username": username, "password": password, "link": link,
                "role": role, "response": r}

    def token_for(self, acct):
        """An access token for an account made by make_account (password or client_credentials)."""
        if acct["role"] in MACHINE_ROLES:
            return self.client_credentials(acct["username"], acct["password"])["access_token"]
        return self.login(acct["username"], acct["password"])["access_token"]
