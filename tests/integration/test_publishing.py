"""Publishing: the site-URL warning and the CI files, checked against the hosts' schemas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML  # check-jsonschema's own YAML reader

from tests.conftest import ROOT, valid_header, write_profile

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def build(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LANTOA_SITEURL"}
    return subprocess.run([sys.executable, "-m", "lantoa.cli", "build", "--content",
                           str(tmp_path / "content"), "--output", str(tmp_path / "site"), *flags],
                          cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_production_build_without_a_site_url_says_so(tmp_path: Path):
    write_profile(tmp_path / "content", "lam-dong/2023/tot.md", valid_header())
    plain = build(tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "chưa đặt địa chỉ trang (SITEURL)" in plain.stderr and "https://lantoa.example.vn" in plain.stderr
    assert "--siteurl" in plain.stderr
    given = build(tmp_path, "--siteurl", "https://dan-van.example.org")
    assert given.returncode == 0, given.stderr
    assert "SITEURL" not in given.stderr
    assert "https://dan-van.example.org/mo-hinh/tot/" in (tmp_path / "site/mo-hinh/tot/index.html").read_text(
        encoding="utf-8")


WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
GITLAB = ROOT / ".gitlab-ci.yml"


@pytest.mark.parametrize(("schema", "path"), [("vendor.github-workflows", WORKFLOW),
                                              ("vendor.gitlab-ci", GITLAB)])
def test_the_ci_files_are_valid_for_their_host(schema: str, path: Path):
    result = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_would_catch_a_broken_file(tmp_path: Path):
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text(GITLAB.read_text(encoding="utf-8").replace("script:", "scripts:", 1), encoding="utf-8")
    result = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.gitlab-ci", str(broken)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def steps_text(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("with", "")) for step in job.get("steps", []))


def test_github_checks_every_push_and_pull_request_and_deploys_main_with_its_pages_url():
    flow = load(WORKFLOW)
    triggers = flow["on"]
    assert "push" in triggers and "pull_request" in triggers
    jobs = flow["jobs"]
    assert "lantoa check --strict" in steps_text(jobs["check"])
    build_job = jobs["build"]
    assert "refs/heads/main" in build_job["if"]
    text = steps_text(build_job)
    assert "lantoa build --strict" in text and "steps.pages.outputs.base_url" in text
    assert any(step.get("uses", "").startswith("actions/cache@") and step["with"]["path"] == ".cache"
               for job in jobs.values() for step in job["steps"])
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in jobs["deploy"]["steps"])


def test_gitlab_checks_every_push_and_merge_request_and_deploys_the_default_branch():
    ci = load(GITLAB)
    assert "lantoa check --strict" in "\n".join(ci["check"]["script"])
    pages = ci["pages"]
    script = "\n".join(pages["script"])
    assert "lantoa build --strict" in script and "$CI_PAGES_URL" in script and "--output public" in script
    assert pages["artifacts"]["paths"] == ["public"]
    assert "$CI_DEFAULT_BRANCH" in str(pages["rules"])
    assert ".cache/" in str(ci["default"]["cache"]["paths"])
    assert "merge_request_event" in str(ci["workflow"]["rules"])
