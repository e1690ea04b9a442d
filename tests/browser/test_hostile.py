"""Every page built from the hostile corpus, opened in Chromium: no script runs.

Each page is opened twice: with the site's Content-Security-Policy bypassed, which
proves the escaping itself, and with it enforced, as a visitor gets it.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.browser.conftest import _Quiet
from tests.hostile.corpus import write_corpus
from tests.integration.test_foundation import run_cli

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_served(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-browser")
    write_corpus(base / "content", base / "ngoai")
    output = base / "site"
    built = run_cli("build", "--content", str(base / "content"), "--output", str(output), "--siteurl", "")
    assert built.returncode == 0, built.stderr
    handler = functools.partial(_Quiet, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield output, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _open_all(browser, base: str, urls: list[str], bypass_csp: bool) -> list[str]:
    context = browser.new_context(bypass_csp=bypass_csp)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    for url in urls:
        page.goto(f"{base}/{url}", wait_until="load")
    page.wait_for_timeout(100)
    context.close()
    return dialogs


@pytest.mark.parametrize("bypass_csp", [True, False], ids=["escaping-only", "with-csp"])
def test_no_page_built_from_hostile_content_runs_script(browser, hostile_served, bypass_csp):
    output, base = hostile_served
    # Every page that shows content: profiles, the listings of their place, pages, search.
    pages = sorted(p.relative_to(output).as_posix().removesuffix("index.html") for p in output.rglob("*.html")
                   if p.parts[-3] in ("mo-hinh", "dien-hinh") or p.parent.name == "trang-co-ma-doc"
                   or p.parent in (output, output / "tim-kiem", output / "dia-phuong/lam-dong"))
    assert len(pages) >= 20
    assert _open_all(browser, base, pages, bypass_csp) == []


def test_the_dialog_watch_sees_a_script_that_runs(browser, hostile_served):
    output, base = hostile_served
    (output / "kiem-tra.html").write_text('<!doctype html><img src=x onerror="alert(1)">', encoding="utf-8")
    assert _open_all(browser, base, ["kiem-tra.html"], bypass_csp=True) != []


def test_templates_compiled_without_escaping_are_never_run_with_it(browser, tmp_path):
    """A site built once with `autoescape` off in JINJA_ENVIRONMENT, then with it on again: the
    pages are rendered again and the templates compiled again (the compiled templates kept
    in the cache are the code of how the environment compiled them), so the title's script
    that ran in the first site does not run in the second."""
    from lantoa.build import build_atomic, load_settings

    from tests.conftest import ROOT, valid_header, write_profile

    content, output = tmp_path / "content", tmp_path / "site"
    write_profile(content, "lam-dong/2023/tieu-de-co-ma.md",
                  valid_header(Title='Mô hình <img src=x onerror="alert(1)">'))
    settings = load_settings(ROOT / "pelicanconf.py", content, output, siteurl="", cache=tmp_path / "cache")
    unescaped = {**settings, "JINJA_ENVIRONMENT": {**settings["JINJA_ENVIRONMENT"], "autoescape": False}}
    handler = functools.partial(_Quiet, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        build_atomic(unescaped)
        assert _open_all(browser, base, ["mo-hinh/tieu-de-co-ma/"], bypass_csp=True) != []
        build_atomic(dict(settings))
        assert _open_all(browser, base, ["mo-hinh/tieu-de-co-ma/"], bypass_csp=True) == []
        page = (output / "mo-hinh/tieu-de-co-ma/index.html").read_text(encoding="utf-8")
        assert '<img src=x onerror="alert(1)">' not in page
    finally:
        server.shutdown()
