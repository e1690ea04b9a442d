"""The editor at /quan-tri/ is built with the site: vendored, configured, hidden from search."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lantoa.cms_vendor import MAIN_SCRIPT, is_installed, vendor_dir

from tests.conftest import ROOT, build_site, valid_header, write_profile


def config_of(site: Path) -> dict:
    script = (site / "quan-tri" / "config.js").read_text(encoding="utf-8")
    return json.loads(script.split("window.LANTOA_CMS = ", 1)[1].rstrip().rstrip(";"))


def test_the_admin_page_is_built_noindex_with_its_own_policy_and_local_scripts(sample_site: Path):
    assert is_installed(ROOT), "Decap CMS chưa được cài: chạy scripts/vendor-cms"
    page = (sample_site / "quan-tri" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "script-src 'self' 'unsafe-eval';" in policy and "'unsafe-inline'" not in policy.split(";")[1]
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["config.js", MAIN_SCRIPT, "lantoa-cms.js"]  # nothing from another site
    assert "<script>" not in page
    published = (sample_site / "quan-tri" / MAIN_SCRIPT).read_bytes()
    assert published == (vendor_dir(ROOT) / MAIN_SCRIPT).read_bytes()
    assert (sample_site / "quan-tri" / "LICENSE-decap-cms.txt").is_file()
    assert not list((sample_site / "quan-tri").glob("*.map"))


def test_no_public_page_links_to_the_editor_and_search_engines_are_not_told(sample_site: Path):
    for page in sample_site.rglob("*.html"):
        if "quan-tri" not in page.parts:
            assert not re.search(r"href=\"[^\"]*quan-tri", page.read_text(encoding="utf-8")), page
    assert "quan-tri" not in (sample_site / "sitemap.xml").read_text(encoding="utf-8")


def test_without_a_repository_the_published_editor_says_what_to_set(sample_site: Path):
    data = config_of(sample_site)
    assert "LANTOA_CMS_REPO" in data["missing"]
    assert data["config"]["site_url"] == "https://lantoa.example.vn/"


def test_a_configured_host_gets_review_through_merge_requests(tmp_path: Path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/tot.md", valid_header())
    site = build_site(content, tmp_path / "site", SITEURL="https://dan-van.example.vn",
                      LANTOA_CMS_BACKEND="gitlab", LANTOA_CMS_REPO="ban-dan-van/lantoa",
                      LANTOA_CMS_APP_ID="abc123", LANTOA_CMS_BASE_URL="https://git.tinh.example.vn",
                      LANTOA_CMS_API_ROOT="https://git.tinh.example.vn/api/v4")
    data = config_of(site)
    assert data["missing"] == ""
    assert data["config"]["publish_mode"] == "editorial_workflow"
    assert data["config"]["backend"] | {"commit_messages": None} == {
        "name": "gitlab", "repo": "ban-dan-van/lantoa", "branch": "main", "squash_merges": True,
        "base_url": "https://git.tinh.example.vn", "api_root": "https://git.tinh.example.vn/api/v4",
        "app_id": "abc123", "auth_type": "pkce", "commit_messages": None}
    page = (site / "quan-tri" / "index.html").read_text(encoding="utf-8")
    assert "connect-src 'self' blob: https://git.tinh.example.vn;" in page
