"""`lantoa serve` with the site in memory: a saved profile shows in the open page at once.

The first build runs in this process, and what it made is kept: the template
context, the generators (their templates) and the build state. When only
profiles are saved, only those files are read again, the build state is made
again from the profiles in memory (the facet terms of unchanged profiles are
remembered), and profile, listing and overview pages are from then on rendered
from memory when a browser asks for one. Open pages wait on a long poll and
reload as soon as the new state is in place.

Meanwhile the usual incremental build runs in a separate process and replaces
the site on disk (feeds, search, statistics, share cards, every page). Once a
build that started after the last save is in place, pages come from disk again.
Anything else saved (a page, a photo, the theme, the settings) is built in this
process as before, which also takes the new templates.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .build import build, build_atomic, disk_error_message, load_settings
from .collection import Read, assemble, read_one, walked_profile
from .preview import RELOAD_SCRIPT, RELOAD_TAG, BuildProblems, PreviewHandler
from .problems import report
from .state import CONTEXT_KEY, BuildState, make_state, remember_state

LONG_POLL_SECONDS = 25  # an open page's request for the next change is answered at the latest then
PAGINATED = re.compile(r"^(?P<base>.*?)trang/(?P<number>[0-9]+)/index\.html$")


@dataclass
class Snapshot:
    """One consistent view of the site in memory: what a request renders from."""

    generation: int
    state: BuildState
    context: dict[str, Any]
    rendered: dict[str, bytes] = field(default_factory=dict)  # page → bytes, made on request
    _router: dict[str, Callable[[], Any]] | None = None

    @functools.cached_property
    def maps(self) -> tuple[Any, dict[str, Any]]:
        """The communes with profiles and the province maps (`lantoa_portal`), when first shown."""
        from lantoa_portal import portal_maps

        return portal_maps(self.state)


class LiveSite:
    """The site of `lantoa serve`, kept in memory between saves."""

    def __init__(self, config: Path, content: Path, output: Path, cache: Path | None):
        self.config, self.content, self.output, self.cache_folder = config, content.resolve(), output, cache
        self.settings = load_settings(config, content, output, strict=False, siteurl="", cache=cache)
        self.changed = threading.Condition()
        self.reloads = 0  # open pages reload when this changes
        self.snapshot: Snapshot | None = None
        self.disk_generation = 0  # the newest generation the site on disk was built from
        self._generators: list = []
        self._files: list[str] = []  # paths of the profile files, as the content's walk has them
        self._read: dict[str, Read] = {}
        self._refused: list = []
        self._remember: dict = {}
        self._builder: multiprocessing.process.BaseProcess | None = None
        self._builder_started_at = 0
        self._on_disk: set[str] = set()  # the pages of the build that made the site on disk
        self.problems = BuildProblems(self.content)  # a profile's errors show at its address

    # -- building -----------------------------------------------------------------------------

    def build_here(self) -> int:
        """A whole build in this process; what it made is kept. The exit code of a build."""
        from pelican import signals

        def keep(generators) -> None:
            self._generators = list(generators)

        signals.all_generators_finalized.connect(keep)
        try:
            build_atomic(dict(self.settings), force=True)
        except Exception as error:
            print(disk_error_message(error) if isinstance(error, OSError) else f"Lỗi khi dựng: {error}",
                  file=sys.stderr)
            return 1
        finally:
            signals.all_generators_finalized.disconnect(keep)
        state = self._generators[0].context.get(CONTEXT_KEY) if self._generators else None
        if not isinstance(state, BuildState):
            return 1
        self._keep_reading(state)
        self._remember = remember_state(state)
        self._on_disk = {name for name in state.pages.current if name.endswith(".html")}
        gc.freeze()  # kept for the whole session: the collector need not scan it at every save
        again = self.snapshot is not None
        generation = (self.snapshot.generation if self.snapshot else 0) + 1
        self.snapshot = Snapshot(generation, state, dict(self._generators[0].context))
        self.disk_generation = generation
        if again:  # no page is open before the first build
            self._notify()
        return 0

    def _keep_reading(self, state: BuildState) -> None:
        """What the reader found, file by file, so that a save reads one file again."""
        self._files = list(state.collection.read)
        self._read = dict(state.collection.read)
        self._refused = list(state.collection.refused)

    def update(self, paths: Iterable[Path]) -> bool | None:
        """Saved profiles: a new state in memory. False when the change is not only profiles,
        None when nothing is left of it (files that came and went)."""
        snapshot = self.snapshot
        # An editor that saves atomically writes a file beside the profile and renames it
        # over it: that file came and went, and nothing of it is left to build.
        paths = [p for p in map(Path, paths) if os.fspath(p) in self._read or os.path.lexists(p)]
        if not paths:
            return None
        if snapshot is None or not all(walked_profile(self.content, p) for p in paths):
            return False
        today = self._today()
        for path in paths:
            name = os.fspath(path)
            if path.is_file():
                if name not in self._read:
                    # In the walk's order: part by part, as `scan_content` sorts them.
                    self._files = sorted({*self._files, name}, key=lambda file: file.split(os.sep))
                self._read[name] = read_one(path, self.content, today)
            elif name in self._read:
                del self._read[name]
                self._files = [f for f in self._files if f != name]
        collection = assemble(self._files, self._read, self._refused)
        self.problems.publish(collection)
        changed = {p.relative_to(self.content).as_posix() for p in paths}
        report([p for p in collection.problems if p.path in changed or p.code in ("E050", "W050")])
        old = snapshot.state
        state = make_state(collection, old.photos, old.pages, old.cache, old.facets, self._remember)
        context = {**snapshot.context, CONTEXT_KEY: state, "profiles": list(state.profiles)}
        self.snapshot = Snapshot(snapshot.generation + 1, state, context)
        self._notify()
        return True

    def build_beside(self) -> None:
        """Start the usual build in a separate process, unless one is running (it is started again)."""
        if self._builder is not None and self._builder.is_alive():
            return
        self._builder_started_at = self.snapshot.generation if self.snapshot else 0
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no thread is forked
        arguments = (self.config, self.content, self.output, self.cache_folder)
        # Not a daemon: a daemonic process may not start the helpers a build uses (the search
        # index, the share cards); `stop_builder` ends it with the server.
        self._builder = context.Process(target=_build_in_child, args=arguments)
        self._builder.start()

    def stop_builder(self) -> None:
        """The server stops: so does the build beside (the next build tidies what it left)."""
        builder, self._builder = self._builder, None
        if builder is not None and builder.is_alive():
            builder.terminate()
            builder.join(timeout=30)

    def poll_builder(self) -> None:
        """When the build beside has ended: the disk is current up to the save it started after."""
        builder = self._builder
        if builder is None or builder.is_alive():
            return
        self._builder = None
        if builder.exitcode == 0:
            self.disk_generation = max(self.disk_generation, self._builder_started_at)
        if self.snapshot and self.snapshot.generation > self.disk_generation:
            self.build_beside()  # saved again meanwhile

    # -- serving ------------------------------------------------------------------------------

    def page(self, name: str) -> bytes | None:
        """A page rendered from memory, or None when the file on disk is current (or not a page)."""
        snapshot = self.snapshot
        if snapshot is None or snapshot.generation <= self.disk_generation:
            return None
        found = snapshot.rendered.get(name)
        if found is None:
            render = self._route(snapshot).get(name)
            if render is None:
                return None
            found = snapshot.rendered[name] = render()
        return found

    def gone(self, name: str) -> bool:
        """True for a page of the site on disk that the site in memory no longer has."""
        snapshot = self.snapshot
        return (snapshot is not None and snapshot.generation > self.disk_generation
                and name in self._on_disk and name not in self._route(snapshot))

    def wait(self, seen: int, seconds: float = LONG_POLL_SECONDS) -> int:
        """The reload number, once it differs from `seen` (or after `seconds`)."""
        with self.changed:
            self.changed.wait_for(lambda: self.reloads != seen, timeout=seconds)
            return self.reloads

    def _notify(self) -> None:
        with self.changed:
            self.reloads += 1
            self.changed.notify_all()

    def _route(self, snapshot: Snapshot) -> dict[str, Callable[[], Any]]:
        """page file → how to render it from `snapshot`; listing pages beyond the first by pattern."""
        if snapshot._router is None:
            from lantoa_facets import listed_terms, listing_pages, not_found_page, overview_pages
            from lantoa_portal import PORTAL_PAGES, portal_pages
            from lantoa_profiles import profile_page

            state, per_page = snapshot.state, self.settings["LANTOA_PER_PAGE"]
            router: dict[str, Callable[[], Any]] = {}
            for profile in state.profiles:
                router[f"{profile.url}index.html"] = lambda p=profile: self._render(
                    snapshot, "ProfilesGenerator", profile_page(state, p))
            for entry in listed_terms(state):
                pages = max(1, -(-len(entry.profiles) // per_page))
                for number in range(1, pages + 1):
                    name = f"{entry.term.url}index.html" if number == 1 else \
                        f"{entry.term.url}trang/{number}/index.html"
                    router[name] = lambda e=entry, n=number: self._render(snapshot, "FacetsGenerator", _nth(
                        listing_pages(state, e, per_page, snapshot.maps[1].get(e.term.url)), n))
            for page in overview_pages(state):
                router[page.name] = lambda p=page: self._render(snapshot, "FacetsGenerator", p)
            router["404.html"] = lambda: self._render(snapshot, "FacetsGenerator", not_found_page())
            portal: list = []  # the front page and the map, made together when one is asked for

            def portal_page(number: int):
                if not portal:
                    portal.extend(portal_pages(state, self.settings, snapshot.maps[0]))
                return portal[number]

            for number, name in enumerate(PORTAL_PAGES):
                router[name] = lambda n=number: self._render(snapshot, "PortalGenerator", portal_page(n))
            snapshot._router = router
        return snapshot._router

    def _render(self, snapshot: Snapshot, generator_name: str, page) -> bytes:
        generator = next(g for g in self._generators if type(g).__name__ == generator_name)
        # What Pelican's writer gives a template, without writing the file.
        local = {**snapshot.context, "localsiteurl": None, "output_file": page.name, **page.kwargs}
        return generator.get_template(page.template).render(local).encode("utf-8")

    # -- helpers --------------------------------------------------------------------------------

    def _today(self) -> date:
        today = self.settings.get("LANTOA_TODAY")
        return date.fromisoformat(today) if today else date.today()


def _nth(pages, number: int):
    for position, page in enumerate(pages, start=1):
        if position == number:
            return page
    raise KeyError(number)


def _build_in_child(config: Path, content: Path, output: Path, cache: Path | None) -> None:
    os.nice(10)  # the page an editor waits for comes first; this build fills the idle time
    sys.exit(build(config, content, output, False, "", cache))


def page_name(path: str) -> str | None:
    """The output file a request path names, when it is a page ("/mo-hinh/x/" → "mo-hinh/x/index.html")."""
    path = path.lstrip("/")
    if path == "" or path.endswith("/"):
        return f"{path}index.html"
    return path if path.endswith("index.html") else None


def live_handler(site: LiveSite) -> type[PreviewHandler]:
    """The preview server's request handler, answering pages from memory when they are newer."""

    class LiveHandler(PreviewHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/__lantoa_reload__":
                seen = parse_qs(parts.query).get("seen", [""])[0]
                number = site.wait(int(seen)) if seen.isdigit() else site.reloads
                self._send(str(number).encode(), "text/plain")
                return
            if parts.path == "/__lantoa_reload__.js":
                self._send(RELOAD_SCRIPT, "text/javascript; charset=utf-8")
                return
            path = unquote(parts.path)
            name = page_name(path)
            if name is None or path.removesuffix("index.html") in self.affected:
                super().do_GET()  # not a page, or a profile whose errors show instead
                return
            status = 404 if site.gone(name) else 200
            page = site.page("404.html" if status == 404 else name)
            if page is None:
                super().do_GET()
                return
            self._send(page.replace(b"</body>", RELOAD_TAG + b"</body>", 1), "text/html; charset=utf-8",
                       status)

    return LiveHandler


def serve(config: Path, content: Path, output: Path, cache: Path | None, watched: list[Path],
          bind: str, port: int, extend: Callable[[type[PreviewHandler]], type] | None = None) -> int:
    """Build once, serve, and on every save update the site in memory or build it again.

    `extend` may add to the preview's handler (the editor's local backend does).
    """
    import http.server

    from watchfiles import watch

    site = LiveSite(config, content, output, cache)
    site.build_here()
    server = http.server.ThreadingHTTPServer((bind, port), functools.partial(
        (extend or (lambda handler: handler))(live_handler(site)), directory=str(output.resolve())))
    server.daemon_threads = True  # a page waiting for the next change never holds up Ctrl+C
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Xem trước tại http://localhost:{port}/ — sửa tệp để dựng lại, Ctrl+C để dừng.", file=sys.stderr)
    # A stop asked for by the system (a service manager, a terminated test) ends like Ctrl+C.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.suppress(KeyboardInterrupt):
        # A short debounce: a save is seen within tens of milliseconds; a timeout now and
        # then lets the loop notice that the build beside has ended.
        for changes in watch(*[p for p in watched if p.exists()], debounce=200, step=20, rust_timeout=500,
                             yield_on_timeout=True,
                             watch_filter=lambda _c, path: "__pycache__" not in path):
            site.poll_builder()
            if not changes:
                continue
            started = time.perf_counter()
            try:
                updated = site.update(Path(path) for _, path in changes)
                if updated is None:
                    continue
                if updated:
                    print(f"Đã cập nhật trong {time.perf_counter() - started:.2f} giây; "
                          "đang dựng lại phần còn lại…", file=sys.stderr)
                    site.build_beside()
                    continue
                print("Có thay đổi, đang dựng lại…", file=sys.stderr)
                site.build_here()
            except Exception:  # a defect must not stop the preview: say so, keep serving
                traceback.print_exc()
                print("Lỗi khi dựng lại; trang cũ vẫn được phục vụ. Sửa tệp rồi lưu để thử lại.",
                      file=sys.stderr)
    site.stop_builder()
    server.shutdown()
    return 0


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt
