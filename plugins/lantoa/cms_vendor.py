"""The browser editor's JavaScript: Decap CMS, from one pinned npm package, checked.

The editor at `/quan-tri/` runs Decap CMS. Its files are never loaded from a CDN:
`scripts/vendor-cms` (run by `scripts/bootstrap`), or the first build that needs them,
takes the pinned release from the npm registry with npm itself, checks the tarball
against the SHA-512 written here, and unpacks the files the page loads into
`vendor/decap-cms-<version>/` of the project. Builds copy them from there into the
site. Changing the version means changing both constants.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "decap-cms"
VERSION = "3.16.3"
# `npm view decap-cms@3.16.3 dist.integrity`: a different tarball is refused.
INTEGRITY = "sha512-hf+dPlCh7TJmWl8+6VRzHYOWhri5xgUknrZbDewaWe4s9B7xJ8PQugp2QHeSldMUKzav6+z0oIpwUYhUJDYtYw=="
MAIN_SCRIPT = "decap-cms.js"
LICENCE_FILES = ("decap-cms.js.LICENSE.txt",)
STAMP = ".complete"
NPM_TIMEOUT = 300  # seconds; a build without the registry gives up and says so


class VendorError(Exception):
    """The pinned package could not be fetched or is not the one pinned."""


def vendor_dir(root: Path) -> Path:
    """Where the project at `root` keeps the unpacked release."""
    return root / "vendor" / f"{PACKAGE}-{VERSION}"


def is_installed(root: Path) -> bool:
    return (vendor_dir(root) / STAMP).is_file()


def wanted(name: str) -> bool:
    """The files the page loads: the main bundle, its lazy chunks, WebAssembly, licences.

    `cms.js` is the same bundle under an older name and the source maps are for
    debugging Decap itself: neither is published.
    """
    if name.endswith(".map") or name == "cms.js" or name.endswith(".cms.js") or name == "cms.css":
        return False
    return name.endswith((".js", ".wasm")) or name in LICENCE_FILES


def vendored_files(root: Path) -> list[Path]:
    """Every vendored file, sorted (empty when not installed)."""
    folder = vendor_dir(root)
    if not is_installed(root):
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != STAMP)


def check_integrity(tarball: bytes) -> None:
    algorithm, _, expected = INTEGRITY.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        raise VendorError(f"gói {PACKAGE}@{VERSION} tải về không khớp mã kiểm tra đã ghim "
                          f"({algorithm}-{actual[:16]}…): không dùng")


def unpack(tarball: bytes, target: Path) -> None:
    """Extract the wanted files of `package/dist/` flat into `target`, then mark it complete.

    Two builds started at once on a fresh clone may both unpack the release: each
    extracts into a folder of its own (named by its process, as the cache's entries
    are made), and the one that comes second leaves the first one's complete folder
    as it is.
    """
    import tarfile  # only when the editor's files are installed, not in every build

    check_integrity(tarball)
    staging = target.with_name(f"{target.name}.tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            archive = Path(scratch) / "package.tgz"
            archive.write_bytes(tarball)
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    parts = Path(member.name).parts
                    if (member.isfile() and len(parts) == 3 and parts[:2] == ("package", "dist")
                            and wanted(parts[2])):
                        source = tar.extractfile(member)
                        assert source is not None
                        (staging / parts[2]).write_bytes(source.read())
        if not (staging / MAIN_SCRIPT).is_file():
            raise VendorError(f"gói {PACKAGE}@{VERSION} không có dist/{MAIN_SCRIPT}")
        (staging / STAMP).write_text(f"{PACKAGE}@{VERSION} {INTEGRITY}\n", encoding="utf-8")
        if (target / STAMP).is_file():
            return
        shutil.rmtree(target, ignore_errors=True)  # what an interrupted unpack left
        try:
            staging.rename(target)
        except OSError:  # another build's complete folder got there first
            if not (target / STAMP).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch_tarball() -> bytes:
    """The pinned tarball, through npm (its cache makes a second run offline)."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("không tìm thấy npm (cài Node.js, ví dụ 'apt install nodejs npm') "
                          "để tải trình soạn thảo Decap CMS")
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", scratch, "--silent"],
            capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False)
        tarballs = list(Path(scratch).glob("*.tgz"))
        if result.returncode != 0 or len(tarballs) != 1:
            raise VendorError(f"npm pack {PACKAGE}@{VERSION} thất bại: {result.stderr.strip()[-300:]}")
        return tarballs[0].read_bytes()


def install(root: Path) -> Path:
    """Make sure the pinned editor is unpacked under `root/vendor/`; return its folder."""
    target = vendor_dir(root)
    if not is_installed(root):
        try:
            unpack(fetch_tarball(), target)
        except subprocess.TimeoutExpired as error:
            raise VendorError(f"npm không trả lời sau {NPM_TIMEOUT} giây") from error
    return target


def main() -> int:
    root = Path.cwd()  # scripts/vendor-cms runs in the project folder
    try:
        folder = install(root)
    except VendorError as error:
        print(f"Không cài được trình soạn thảo /quan-tri/: {error}", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in vendored_files(root))
    print(f"Trình soạn thảo {PACKAGE}@{VERSION}: {folder} ({size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
