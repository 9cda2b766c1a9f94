"""No credential is committed: every file git tracks (sources, docs, configuration, snapshots of the
synthesized stacks) is free of the shapes real secrets take. The synthesized stacks themselves are checked
key by key in tests/stacks (test_edge, test_observability_stack)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[1]
# Shapes of real credentials; placeholders in docs ("...") never match them.
SECRET_SHAPES = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(r"aws_secret_access_key\s*[=:]\s*['\"]?[A-Za-z0-9/+]{40}"),
    "private key": re.compile(r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----"),
    "Slack webhook": re.compile(r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"),
    "GitHub token": re.compile(r"\b(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}"),
    "PagerDuty routing key": re.compile(r"routing_key['\"]?\s*[=:]\s*['\"][0-9a-f]{32}['\"]"),
    "password literal": re.compile(
        r"""['"]?password['"]?\s*[=:]\s*['"](?!\.\.\.|\{\{|\$)[^'"\s]{6,}['"]""", re.IGNORECASE
    ),
}
# Upstream files copied byte for byte (chart defaults, CRD and provider schemas): examples in their comments
# are theirs, and the tests read them as data. npm's lock file names packages (one is called "password").
VENDORED = ("charts/", "tfoffline/crds/", "tfoffline/schemas/", "package-lock.json")


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    return [ROOT / name for name in listed if name and not name.startswith(VENDORED)]


def test_no_tracked_file_holds_a_credential() -> None:
    found = []
    for path in tracked_files():
        try:
            text = path.read_text()
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary (gzipped schemas) or deleted in the working tree
        for kind, shape in SECRET_SHAPES.items():
            if match := shape.search(text):
                found.append(f"{path.relative_to(ROOT)}: {kind}: {match.group(0)[:40]}")
    assert found == []


def test_the_shapes_catch_what_they_name() -> None:
    # assembled at run time, so this file holds no credential shape itself
    samples = {
        "AWS access key id": "AKIA" + "IOSFODNN7EXAMPLE",
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "Slack webhook": "https://hooks.slack.com/services/" + "T00000000/B00000000/" + "X" * 24,
        "password literal": "password = " + '"hunter2hunter2"',
    }
    for kind, sample in samples.items():
        assert SECRET_SHAPES[kind].search(sample), kind
    assert not SECRET_SHAPES["password literal"].search('"password": "{{ .password }}"')
    assert not SECRET_SHAPES["password literal"].search('\'{"username":"admin","password":"..."}\'')
