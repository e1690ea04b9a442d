"""Pelican plugin: the browser editor at `/quan-tri/` (Decap CMS), built with the site.

Writes the admin page (noindex, its own Content-Security-Policy, linked from no
public page), the generated configuration (`config.js`, lantoa.cms_config), the
page's script with the `lantoa` header format, and the pinned Decap CMS files
vendored under `vendor/` (lantoa.cms_vendor). Without them the page says how to
install them, and the rest of the site builds as usual. Every file goes through the
page cache, so an unchanged rebuild keeps them as they were.
"""

from __future__ import annotations

import html
import json
import sys
from datetime import date
from pathlib import Path
from string import Template

from lantoa.cms_config import ADMIN_FOLDER, Backend, admin_policy, page_script
from lantoa.cms_vendor import PACKAGE, VERSION, VendorError, install, is_installed, vendored_files
from lantoa.state import build_state
from pelican import signals

ADMIN = Path(__file__).resolve().parent / "admin"
# The project this plugin is loaded from (PLUGIN_PATHS), where vendor/ lives; not where the
# `lantoa` package is installed, which may be site-packages.
PROJECT = Path(__file__).resolve().parent.parent.parent
_tried_install: list[bool] = []  # one attempt per process: `lantoa serve` rebuilds often
OWN_FILES = ("lantoa-cms.js", "lantoa-cms.css", "LICENSE-decap-cms.txt")
NOT_INSTALLED = ("Chưa cài trình soạn thảo ({package}@{version}): chạy scripts/vendor-cms "
                 "(hoặc make serve) trên máy dựng trang rồi dựng lại.")


def admin_page(policy: str, sitename: str) -> str:
    template = Template((ADMIN / "index.html").read_text(encoding="utf-8"))
    # Single quotes stay readable in the double-quoted attribute.
    return template.substitute(policy=html.escape(policy, quote=False).replace('"', "&quot;"),
                               sitename=html.escape(sitename))


def admin_files(settings: dict) -> dict[str, bytes | Path]:
    """Every file of `/quan-tri/`: generated text as bytes, copied files as their source."""
    backend = Backend.from_settings(settings)
    today = date.fromisoformat(settings["LANTOA_TODAY"]) if settings.get("LANTOA_TODAY") else date.today()
    script = page_script(backend, today, settings.get("SITEURL", ""))
    if not is_installed(PROJECT) and not _tried_install:
        _tried_install.append(True)
        try:  # a build on a fresh clone (CI) fetches the pinned release itself
            install(PROJECT)
        except VendorError as error:
            print(f"Lan Tỏa: không tải được trình soạn thảo: {error}", file=sys.stderr)
    if not is_installed(PROJECT):
        note = NOT_INSTALLED.format(package=PACKAGE, version=VERSION)
        script += f"window.LANTOA_CMS.missing = {json.dumps(note, ensure_ascii=False)};\nwindow.CMS = {{}};\n"
        print(f"Lan Tỏa: {note}", file=sys.stderr)
    files: dict[str, bytes | Path] = {
        "index.html": admin_page(admin_policy(backend), settings.get("SITENAME", "")).encode(),
        "config.js": script.encode(),
    }
    files |= {name: ADMIN / name for name in OWN_FILES}
    files |= {path.name: path for path in vendored_files(PROJECT)}
    return files


def write_admin(generators) -> None:
    """Queue the editor's files with the page cache: rewritten only when they change."""
    settings = generators[0].settings
    pages = build_state(generators[0].context, "lantoa_cms").pages
    for name, source in admin_files(settings).items():
        if isinstance(source, Path):
            stat = source.stat()
            inputs = (str(source), stat.st_size, stat.st_mtime_ns)
            pages.write_bytes(f"{ADMIN_FOLDER}/{name}", inputs, source.read_bytes)
        else:
            pages.write_bytes(f"{ADMIN_FOLDER}/{name}", source, lambda data=source: data)
    # The page cache lists every index.html it writes for the sitemap: not this one (noindex).
    pages.lastmod.pop(f"{ADMIN_FOLDER}/", None)


def register() -> None:
    signals.all_generators_finalized.connect(write_admin)
