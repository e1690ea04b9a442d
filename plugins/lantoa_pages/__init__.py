"""Pelican plugin: Pelican's own pages and static files obey the content rules profiles obey.

Pelican walks `content/pages/` and `content/static/` itself, following every
symlink, and publishes page HTML as written. This plugin makes its generators
list files through `lantoa.files.walk_content` — regular files inside the
content folder only, after resolving links, every build — and sanitises each
page's HTML with the same rules as a profile's body. The refused files are
reported with the profiles' problems (`lantoa.collection.scan_content`).
"""

from __future__ import annotations

import os
from pathlib import Path

from lantoa.files import walk_content
from lantoa.reading import sanitise_html
from pelican import signals
from pelican.generators import Generator


def content_files(generator: Generator, paths, exclude: list[str] | None = None,
                  extensions=None) -> set[str]:
    """Pelican's `Generator.get_files`, without following links out of the content folder."""
    root = Path(generator.path).resolve()
    if isinstance(paths, str):
        paths = [paths]
    excluded = {(root / e).resolve() for e in exclude or []}
    ignores = generator.settings["IGNORE_FILES"]
    found = set()
    for path in paths:
        for name, refusal in walk_content(root, root / path if path else root):
            file = Path(name)
            if refusal is not None or any(parent in excluded for parent in file.parents):
                continue
            relative = os.path.relpath(file, root)
            # Pelican's own rules for names (IGNORE_FILES, extensions) still apply.
            if generator._include_path(relative, extensions) and not any(
                    Path(part).match(ignore) for part in Path(relative).parts[:-1] for ignore in ignores):
                found.add(relative)
    return found


def sanitise_pages(generator) -> None:
    for page in [*generator.pages, *generator.hidden_pages, *generator.draft_pages]:
        page._content = sanitise_html(page._content)


def guard(pelican) -> None:
    Generator.get_files = content_files


def register() -> None:
    signals.initialized.connect(guard)
    signals.page_generator_finalized.connect(sanitise_pages)
