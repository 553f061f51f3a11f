"""Checks that a fresh clone is complete: the test command needs nothing outside the repository.

Run with Debian's interpreter (python3-yaml belongs to it):

    /usr/bin/python3 -m pytest -q tests/deploy
"""

import json
import os
import shlex
import shutil
import subprocess

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHECK_SH = os.path.join("tests", "contract", "check.sh")
# A developer's checkout may sit beside a folder called shared; a new user's clone has none.
# (Spelled in pieces so that this file does not name it itself.)
SIBLING = os.path.join("..", "shared")


def tracked_files():
    r = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], capture_output=True)
    assert r.returncode == 0, f"git ls-files failed (run the tests from a git clone): {r.stderr!r}"
    return [p for p in r.stdout.decode().split("\0") if p]


def lint_ruleset():
    """The ruleset path `npm run lint:openapi` passes to spectral with -r, relative to ROOT."""
    with open(os.path.join(ROOT, "package.json"), encoding="utf-8") as f:
        script = json.load(f)["scripts"]["lint:openapi"]
    args = shlex.split(script)
    for flag in ("-r", "--ruleset"):
        if flag in args:
            return args[args.index(flag) + 1]
    pytest.fail(f"lint:openapi names no ruleset (-r): {script}")


def test_no_tracked_file_refers_to_the_shared_folder():
    needle = SIBLING.encode()
    found = []
    for path in tracked_files():
        full = os.path.join(ROOT, path)
        if os.path.islink(full) or not os.path.isfile(full):
            continue
        with open(full, "rb") as f:
            for n, line in enumerate(f, 1):
                if needle in line:
                    found.append(f"{path}:{n}: {line.decode('utf-8', 'replace').strip()[:120]}")
    assert not found, (f"tracked files refer to {SIBLING}, which a new user's clone does not have "
                       f"(keep what they need inside the repository):\n" + "\n".join(found))


def test_the_lint_ruleset_is_a_tracked_file_of_the_repository():
    path = lint_ruleset()
    assert not os.path.isabs(path), f"lint:openapi uses an absolute ruleset path: {path}"
    full = os.path.normpath(os.path.join(ROOT, path))
    assert full.startswith(ROOT + os.sep), f"lint:openapi's ruleset {path} is outside the repository"
    assert os.path.relpath(full, ROOT) in tracked_files(), f"the ruleset {path} is not tracked by git"
    with open(os.path.join(ROOT, CHECK_SH), encoding="utf-8") as f:
        assert path in f.read(), f"{CHECK_SH} does not check for the ruleset lint:openapi uses ({path})"


def test_the_lint_ruleset_enforces_the_nl_gov_api_design_rules():
    with open(os.path.join(ROOT, lint_ruleset()), encoding="utf-8") as f:
        text = f.read()
    head = text[:2000].lower()
    assert "origin" in head and "licence" in head, "the ruleset's header does not state its origin and licence"
    rules = yaml.safe_load(text)["rules"]
    # A sample of the design rules the published ruleset checks as errors.
    for name in ("nlgov:missing-version-header", "nlgov:include-major-version-in-uri",
                 "nlgov:paths-no-trailing-slash", "nlgov:use-problem-schema",
                 "nlgov:problem-schema-members", "nlgov:problem-invalid-input", "nlgov:semver",
                 "oas3-schema", "oas3-valid-media-example"):
        rule = rules.get(name)
        assert rule is not None, f"the ruleset has no rule {name}"
        severity = rule if isinstance(rule, str) else rule.get("severity")
        assert severity == "error", f"{name} is not an error ({severity})"


def test_the_contract_check_fails_loudly_without_its_ruleset(tmp_path):
    """check.sh in a copy of the repository's tooling files, with the ruleset left out."""
    for name in ("package.json", CHECK_SH):
        os.makedirs(tmp_path / os.path.dirname(name), exist_ok=True)
        shutil.copy(os.path.join(ROOT, name), tmp_path / name)
    r = subprocess.run(["bash", str(tmp_path / CHECK_SH)], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode != 0, f"check.sh passed without the ruleset:\n{out}"
    assert lint_ruleset() in out and "missing" in out, f"check.sh does not say the ruleset is missing:\n{out}"
    assert "contract checks: OK" not in out
