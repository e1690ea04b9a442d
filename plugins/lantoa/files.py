"""Small file operations the caches share: atomic writes, tolerant reads, links."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes) -> None:
    """Write aside and rename: a reader (or a concurrent build) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp{os.getpid()}")
    temporary.write_bytes(data)
    temporary.replace(path)


def write_pickle(path: Path, value: Any) -> None:
    write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def read_pickle(path: Path, default: Any) -> Any:
    """A cached value, or `default` when the cache is missing, corrupt or foreign:
    a bad cache only makes the build slower."""
    try:
        return pickle.loads(path.read_bytes()) if path.is_file() else default
    except Exception:
        return default


def link_or_copy(source: Path | str, target: Path | str) -> None:
    """Hard-link `source` at `target` (replacing it), or copy across file systems."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
