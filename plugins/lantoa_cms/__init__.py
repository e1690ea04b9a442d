"""Pelican plugin: the browser editor at `/quan-tri/` (Decap CMS), built with the site.

Writes the admin page (noindex, its own Content-Security-Policy, linked from no
public page), the generated configuration (`config.js`, lantoa.cms_config), the
page's script with the `lantoa` header format, and the pinned Decap CMS files
vendored under `vendor/` (lantoa.cms_vendor). Without them the page says how to
install them, and the rest of the site builds as usual.
"""

from __future__ import annotations

import html
import shutil
import sys
from datetime import date
from pathlib import Path
from string import Template

from lantoa.cms_config import ADMIN_FOLDER, Backend, admin_policy, page_script
from lantoa.cms_vendor import PACKAGE, VERSION, is_installed, vendored_files
from lantoa.files import link_or_copy, write_atomic
from pelican import signals

ADMIN = Path(__file__).resolve().parent / "admin"
OWN_FILES = ("lantoa-cms.js", "lantoa-cms.css", "LICENSE-decap-cms.txt")
NOT_INSTALLED = ("Chưa cài trình soạn thảo ({package}@{version}): chạy scripts/vendor-cms "
                 "(hoặc make serve) trên máy dựng trang rồi dựng lại.")


def admin_page(policy: str, sitename: str) -> str:
    template = Template((ADMIN / "index.html").read_text(encoding="utf-8"))
    # Single quotes stay readable in the double-quoted attribute.
    return template.substitute(policy=html.escape(policy, quote=False).replace('"', "&quot;"),
                               sitename=html.escape(sitename))


def write_admin(settings: dict, output: Path) -> Path:
    """Write the editor into `output/quan-tri/`; return that folder."""
    folder = output / ADMIN_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    backend = Backend.from_settings(settings)
    today = date.fromisoformat(settings["LANTOA_TODAY"]) if settings.get("LANTOA_TODAY") else date.today()
    write_atomic(folder / "index.html",
                 admin_page(admin_policy(backend), settings.get("SITENAME", "")).encode())
    script = page_script(backend, today, settings.get("SITEURL", ""))
    if not is_installed():
        script += ("window.LANTOA_CMS.missing = "
                   + repr(NOT_INSTALLED.format(package=PACKAGE, version=VERSION)).replace("<", "\\x3c")
                   + ";\nwindow.CMS = {};\n")
        print(f"Lan Tỏa: {NOT_INSTALLED.format(package=PACKAGE, version=VERSION)}", file=sys.stderr)
    write_atomic(folder / "config.js", script.encode())
    for name in OWN_FILES:
        shutil.copyfile(ADMIN / name, folder / name)
    for path in vendored_files():  # read-only and large: linked, not copied, where possible
        link_or_copy(path, folder / path.name)
    return folder


def on_finalized(pelican) -> None:
    write_admin(pelican.settings, Path(pelican.settings["OUTPUT_PATH"]))


def register() -> None:
    signals.finalized.connect(on_finalized)
