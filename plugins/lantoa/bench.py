"""Synthetic profiles and the build benchmark (`lantoa bench N`).

`write_synthetic` makes N deterministic, realistic profiles (Vietnamese text,
real current and pre-2025 place names, every facet) for benchmarks and scale
tests. `benchmark` builds them with Lan Tỏa (from empty caches, with nothing
changed, after an edit, after a move) and with plain Pelican (its default theme
and feeds, the same Markdown) in one run, each build in a process of its own,
measures `lantoa serve` from a save to the page, and reports the ratios, the
peak memory and the machine.
"""

from __future__ import annotations

import compileall
import contextlib
import os
import random
import re
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

from .gazetteer import gazetteer
from .model import Field, Kind, Level

OPENINGS = [
    "Thực hiện phong trào thi đua \u201cDân vận khéo\u201d, {unit} đã chủ động nắm tình hình, "
    "lắng nghe tâm tư, nguyện vọng của nhân dân.",
    "Phát huy vai trò nòng cốt trong công tác dân vận, {unit} vận động nhân dân cùng chung tay "
    "thực hiện các phần việc thiết thực.",
]
SENTENCES = [
    "Cán bộ bám địa bàn theo phương châm \u201cnghe dân nói, nói dân hiểu, làm dân tin\u201d.",
    "Mọi việc đều được bàn bạc công khai: dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, "
    "dân thụ hưởng.",
    "Đội ngũ cán bộ luôn thấm nhuần tinh thần trọng dân, gần dân, hiểu dân, học dân và có trách "
    "nhiệm với dân.",
    "Nhà nước và nhân dân cùng làm, huy động được {money} tỷ đồng và {days} ngày công.",
    "Nhân dân tự nguyện hiến {area} m² đất để mở rộng {km} km đường giao thông nông thôn.",
    "Đến nay có {households} hộ thoát nghèo, thu nhập bình quân tăng rõ rệt.",
    "Tổ tự quản an ninh trật tự duy trì tuần tra, không để xảy ra điểm nóng.",
    "Chuyển đổi số được đẩy mạnh, người dân nộp hồ sơ trực tuyến ngay tại thôn.",
]
TOPICS = ["làm đường giao thông nông thôn", "tổ tự quản an ninh trật tự", "hợp tác xã cà phê",
          "tiết kiệm giúp nhau thoát nghèo", "chuyển đổi số ở thôn", "giữ gìn bản sắc văn hóa",
          "dân vận trong giải phóng mặt bằng", "bảo vệ rừng", "xây dựng nông thôn mới"]
UNITS = ["Hội Nông dân", "Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên", "Ủy ban Mặt trận Tổ quốc",
         "Chi bộ thôn", "Hội Cựu chiến binh", "Công an"]
PEOPLE = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Đức",
          "Đặng Thị Hoa", "Vũ Văn Hùng", "Bùi Thị Lan"]


def write_synthetic(count: int, content: Path, seed: int = 2009) -> list[Path]:
    """Write `count` profiles under `content/profiles/`; the same seed gives the same files."""
    rng = random.Random(seed)
    geo = gazetteer()
    legacy_districts = list(geo.legacy_districts.values())
    current_communes = list(geo.current_communes.values())
    files = []
    for number in range(count):
        year = rng.randint(2012, 2025)
        kind = rng.choice(list(Kind))
        fields = rng.sample(list(Field), rng.randint(1, 2))
        if year < 2025:
            district = rng.choice(legacy_districts)
            communes = geo.legacy_communes_in([district])
            commune = rng.choice(communes) if communes else None
            province = geo.legacy_province_of(district)
            place = {"Province": province.short_name, "District": district.name}
            levels = list(Level)
        else:
            commune = rng.choice(current_communes)
            province = geo.current_provinces[commune.parent_code]
            place = {"Province": province.short_name}
            levels = [Level.XA, Level.TINH, Level.TRUNG_UONG]
        if commune is not None:
            place["Commune"] = commune.name
        unit = f"{rng.choice(UNITS)} {commune.label if commune else province.label}"
        topic = rng.choice(TOPICS)
        current = geo.current_province_of(province)
        slug = f"ho-so-{number:06d}"
        header = {
            "Title": f"Mô hình {topic} ở {commune.short_name if commune else province.short_name}",
            "Kind": kind.value, "Year": str(year), **place,
            "Field": ", ".join(f.value for f in fields), "Level": rng.choice(levels).value,
            ("Person" if kind is Kind.DIEN_HINH and rng.random() < 0.6 else "Unit"):
                rng.choice(PEOPLE) if kind is Kind.DIEN_HINH else unit,
            "Date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "Results": f"Huy động {rng.randint(1, 90) / 10} tỷ đồng; {rng.randint(1, 30)} km đường",
            "Tags": f"{topic}, dân vận khéo",
        }
        values = {"unit": unit, "money": rng.randint(1, 90) / 10, "days": rng.randint(100, 5000),
                  "area": rng.randint(500, 20000), "km": rng.randint(1, 30),
                  "households": rng.randint(5, 200)}
        paragraphs = [rng.choice(OPENINGS).format(**values)]
        for _ in range(3):
            paragraphs.append(" ".join(rng.choice(SENTENCES).format(**values) for _ in range(4)))
        body = "\n\n".join([paragraphs[0], "## Cách làm", paragraphs[1], "## Kết quả",
                            *paragraphs[2:]])
        path = content / "profiles" / current.slug / str(year) / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(f"{k}: {v}" for k, v in header.items()) + "\n\n" + body + "\n",
                        encoding="utf-8")
        files.append(path)
    return files


def machine() -> str:
    """The machine a benchmark ran on, in one line: CPU, cores, memory, Python, load."""
    import platform

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kilobytes = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GB RAM"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return (f"{cpu}, {os.cpu_count()} nhân{memory}, Python {platform.python_version()}, "
            f"tải trung bình {load:.1f}")


class _Relay:
    """A progress reporter in a child process that passes the calls on to the parent.

    Advances are summed and sent at most every `INTERVAL` seconds: a message per
    page (tens of thousands a stage) cost the measured build seconds of its own.
    """

    INTERVAL = 0.1

    def __init__(self, connection):
        self.connection = connection
        self.pending = 0
        self.sent = 0.0

    def begin(self, name: str, total: int | None, unit: str) -> None:
        self._flush()
        self.connection.send(("begin", name, total, unit))

    def advance(self, count: int) -> None:
        self.pending += count
        now = time.monotonic()
        if now - self.sent >= self.INTERVAL:
            self.sent = now
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.connection.send(("advance", self.pending))
            self.pending = 0

    def end(self, name: str, done: int, total: int | None, unit: str, seconds: float) -> None:
        self._flush()
        self.connection.send(("end", name, done, total, unit, seconds))

    def close(self) -> None:
        pass


def _child(action, connection) -> None:
    from .progress import reporting

    with reporting(_Relay(connection)):
        started = time.perf_counter()
        action()
        seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    connection.send(("done", seconds, own.ru_maxrss / 1024, helpers / 1024, own.ru_utime + own.ru_stime))


class TreeUsage:
    """What a process and all its helpers take together, sampled from /proc while they run
    (Linux): their memory at its peak, and the CPU time they spent.

    Peak RSS counts the pages a forked helper shares with its parent once in each of
    them. The proportional set size (PSS) shares such pages out, so its sum over the
    process and its helpers is what they take from the machine; it is sampled every
    second (unless their resident total is below the peak found), and a peak shorter
    than that can be missed. Asking for it costs: the kernel walks every page of each
    process, some 25 ms a round in a cold build of 10,000 profiles, in this process's
    time, taken from the build on a 2-core machine (2.5 s over the build when sampled
    every half second).

    CPU time is what tells one change of the code from another on a machine whose
    speed varies from run to run (the wall clock of one build moved by a tenth between
    runs of the same code here): user and system time of every process of the tree,
    the last seen of each, sampled every tenth of a second. `resource.RUSAGE_CHILDREN`
    cannot tell it: a helper started through the fork server is not the build's child.
    """

    INTERVAL = 1.0
    CPU_INTERVAL = 0.1

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_kb = 0
        self._cpu: dict[tuple[int, str], float] = {}  # (pid, start time) → seconds of CPU seen
        self._ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._page_kb = (os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096) // 1024
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        rounds = round(self.INTERVAL / self.CPU_INTERVAL)
        number = 0
        while not self._stop.is_set():
            pids = self._tree()
            resident_kb = self._take_cpu(pids)
            # PSS costs CPU to ask for (see above) and never exceeds RSS: while the resident
            # total is below the peak found, the peak cannot be passed, and it is not asked.
            if number % rounds == 0 and resident_kb > self.peak_kb:
                self.peak_kb = max(self.peak_kb, self._pss(pids))
            number += 1
            self._stop.wait(self.CPU_INTERVAL)

    def _tree(self) -> list[int]:
        """The process and its descendants now."""
        found, pending = [], [self.pid]
        while pending:
            pid = pending.pop()
            if pid in found:
                continue
            found.append(pid)
            with contextlib.suppress(OSError, ValueError):
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pending += map(int, (task / "children").read_text().split())
        return found

    def _pss(self, pids: list[int]) -> int:
        total = 0
        for pid in pids:
            with contextlib.suppress(OSError, ValueError):
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        return total

    def _take_cpu(self, pids: list[int]) -> int:
        """Note the CPU time of each process; return their resident kilobytes together."""
        resident = 0
        for pid in pids:
            with contextlib.suppress(OSError, ValueError, IndexError):
                # After the command's name, which may hold spaces: state is field 3 of stat(5).
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                self._cpu[(pid, fields[19])] = (int(fields[11]) + int(fields[12])) / self._ticks
                resident += int(fields[21]) * self._page_kb
        return resident

    def sample(self) -> int:
        """Kilobytes of PSS of the process and its descendants now; 0 where /proc cannot tell."""
        return self._pss(self._tree())

    def stop(self, own_cpu: float | None = None) -> tuple[float | None, float | None]:
        """(peak megabytes, CPU seconds), None where nothing could be read (not Linux).

        `own_cpu` is the process's own CPU time as it counted it at its end, which the
        last sample may have missed part of.
        """
        self._stop.set()
        self._thread.join()
        self._take_cpu(self._tree())
        if own_cpu is not None:
            for key in [key for key in self._cpu if key[0] == self.pid]:
                self._cpu[key] = max(self._cpu[key], own_cpu)
        return self.peak_kb / 1024 or None, sum(self._cpu.values()) or None


def _measured(label: str, action) -> tuple[float, float, float, float | None, float | None]:
    """Run `action` in a forked process: (seconds, its peak memory in MB, its helpers' peak,
    the peak of the process and its helpers together, and the CPU seconds they spent
    together, as `TreeUsage` samples them).

    Forked after the synthetic profiles are written, so each build starts as a fresh
    command would, minus the interpreter start; its stages show as the parent's.
    """
    import multiprocessing

    from .progress import current, stage

    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe(duplex=False)
    # What the build before wrote reaches the disk first: each build starts with it idle.
    os.sync()
    reporter = current()
    with stage(label):
        process = context.Process(target=_child, args=(action, theirs))
        process.start()
        usage = TreeUsage(process.pid)
        theirs.close()
        result = None
        while result is None:
            try:
                message = mine.recv()
            except EOFError:
                break
            if message[0] == "done":
                result = message[1:]
            else:
                getattr(reporter, message[0])(*message[1:])
        process.join()
        together, cpu = usage.stop(result[3] if result else None)
    if result is None or process.exitcode != 0:
        raise RuntimeError(f"{label}: lỗi khi dựng (mã {process.exitcode})")
    return (*result[:3], together, cpu)


def benchmark(count: int, project: Path, keep: Path | None = None, serve: bool = True) -> dict[str, object]:
    """Build `count` synthetic profiles with plain Pelican and with Lan Tỏa; return timings.

    Lan Tỏa: from empty caches (everything: pages, feeds, share cards, search, open
    data), again with nothing changed, after appending a sentence to one profile
    (three times, the middle one reported), after moving one (title, year and
    province), and with `lantoa serve`, from the save to the page showing it.
    """
    from pelican import Pelican
    from pelican.settings import read_settings

    from .build import build_atomic, load_settings
    from .files import RACY_SECONDS

    # Python keeps a project's compiled modules (`__pycache__`) from its first run on, as pip
    # does Pelican's at install, unless PYTHONDONTWRITEBYTECODE says not to: compiled here,
    # each build measured starts as a user's does instead of compiling the plugins (about
    # 50 ms a build). A project that cannot be written is measured as it is, silently.
    compileall.compile_dir(project / "plugins", quiet=2)
    work = Path(keep or tempfile.mkdtemp(prefix="lantoa-bench-"))
    content = work / "content"
    shutil.rmtree(work, ignore_errors=True)
    write_synthetic(count, content)
    # Writing them loaded the gazetteer here (and kept the installation's copy, as a user's
    # first command does): each build measured loads it as a command does, not inherited.
    gazetteer.cache_clear()
    # Files written a moment ago are read again by the next build whatever their metadata
    # says (lantoa.snapshot): an editor's files are never that fresh when a build starts.
    time.sleep(RACY_SECONDS)
    results: dict[str, object] = {"profiles": count, "machine": machine()}

    plain = read_settings(override={
        "PATH": str(content), "ARTICLE_PATHS": ["profiles"],
        "TIMEZONE": "Asia/Ho_Chi_Minh", "SITEURL": "https://lantoa.example.vn",
        "FEED_ALL_ATOM": "feeds/all.atom.xml", "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml",
        "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "READERS": {"rst": None},
        "SLUGIFY_SOURCE": "basename"})

    def pelican(label: str, folder: str) -> tuple[float, float]:
        # Each run into a folder of its own, nothing deleted before it: on a file system
        # without a journal, ext4 makes files slowly for a minute after many were deleted.
        into = {**plain, "OUTPUT_PATH": str(work / folder)}
        seconds, peak, _, _, cpu = _measured(label, lambda: Pelican(into).run())
        pelican_cpu.append(cpu)
        return seconds, peak

    # Before and after Lan Tỏa: on a shared machine the load changes, and the ratios are
    # taken to the mean of the two.
    pelican_cpu: list[float | None] = []
    before, results["pelican_peak_rss_mb"] = pelican("Pelican thuần (trước)", "pelican-before")
    settings = load_settings(project / "pelicanconf.py", content, work / "lantoa", cache=work / "cache")
    peaks, helpers, together = [], [], []

    def lantoa(label: str, key: str, action) -> None:
        seconds, peak, helper, both, cpu = _measured(label, action)
        results[key] = seconds
        if cpu is not None:
            results[key.replace("_seconds", "_cpu_seconds")] = cpu
        peaks.append(peak)
        helpers.append(helper)
        together.append(both or 0)

    # What `lantoa build` does: into a new folder, swapped in when complete.
    lantoa("Lan Tỏa: dựng từ đầu, bộ đệm trống", "cold_seconds", lambda: build_atomic(dict(settings)))
    lantoa("Lan Tỏa: dựng lại, không có gì thay đổi", "noop_seconds", lambda: build_atomic(dict(settings)))
    # The same, every stage run: what the stages cost when the shortcut does not apply.
    lantoa("Lan Tỏa: dựng lại mọi bước, không có gì thay đổi", "noop_pipeline_seconds",
           lambda: build_atomic(dict(settings), force=True))
    files = sorted((content / "profiles").rglob("*.md"))
    # Three edits, one build after each: one build is at the mercy of the disk, and the
    # middle one of three says more.
    edits = []
    for number in range(3):
        edited = files[len(files) // 3 + number * len(files) // 10]
        edited.write_text(edited.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
        time.sleep(RACY_SECONDS)
        lantoa(f"Lan Tỏa: dựng lại sau khi sửa 1 hồ sơ ({number + 1}/3)", "edit_seconds",
               lambda: build_atomic(dict(settings)))
        edits.append((results["edit_seconds"], results.get("edit_cpu_seconds")))
    results["edit_seconds"], middle_cpu = sorted(edits, key=lambda edit: edit[0])[1]
    if middle_cpu is not None:
        results["edit_cpu_seconds"] = middle_cpu
    results["edit_all_seconds"] = " · ".join(f"{seconds:.2f}" for seconds, _ in edits)
    move(files[2 * len(files) // 3])
    time.sleep(RACY_SECONDS)
    lantoa("Lan Tỏa: dựng lại sau khi đổi tên, năm, tỉnh của 1 hồ sơ", "move_seconds",
           lambda: build_atomic(dict(settings)))
    results["peak_rss_mb"] = max(peaks)
    results["helpers_peak_rss_mb"] = max(helpers)
    results["peak_together_pss_mb"] = max(together) or None
    after, _ = pelican("Pelican thuần (sau)", "pelican-after")
    results["pelican_before_seconds"], results["pelican_after_seconds"] = before, after
    results["pelican_seconds"] = (before + after) / 2
    if all(pelican_cpu):
        results["pelican_cpu_seconds"] = sum(pelican_cpu) / len(pelican_cpu)

    if serve:
        edits = serve_edits(work, project)
        results.update({f"serve_{name}_seconds": seconds for name, seconds in edits.items()})
        results["serve_edit_seconds"] = max(edits.values())
    if results.get("cold_cpu_seconds") is not None:
        # What the cores left unused in the cold build: on a machine whose speed drifts from
        # one hour to the next, it tells a build that uses its cores better from a faster one.
        results["cold_idle_core_seconds"] = (os.cpu_count() or 1) * results["cold_seconds"] \
            - results["cold_cpu_seconds"]
    pelican = results["pelican_seconds"]
    for key in ("cold", "noop", "noop_pipeline", "edit", "move"):
        results[f"{key}_ratio"] = results[f"{key}_seconds"] / pelican
        if results.get("pelican_cpu_seconds") and results.get(f"{key}_cpu_seconds"):
            results[f"{key}_cpu_ratio"] = results[f"{key}_cpu_seconds"] / results["pelican_cpu_seconds"]
    results["machine_after"] = machine()
    if keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return results


def move(path: Path, title: str = "Mô hình đã đổi tên hoàn toàn", day: str = "2013-05-05",
         province: str = "Hà Nội") -> None:
    """Give a profile another title, year (that of `day`) and province: it moves in every listing."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^Title: .*$", f"Title: {title}", text, count=1, flags=re.M)
    text = re.sub(r"^Year: .*$", f"Year: {day[:4]}", text, count=1, flags=re.M)
    text = re.sub(r"^Date: .*$", f"Date: {day}", text, count=1, flags=re.M)
    text = re.sub(r"^(District|Commune): .*\n", "", text, flags=re.M)
    text = re.sub(r"^Province: .*$", f"Province: {province}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def serve_edits(work: Path, project: Path) -> dict[str, float]:
    """Seconds from saving a profile to `lantoa serve` answering its page with the change.

    The way an open page sees it: it waits on the reload long poll, then asks for
    the page again. One profile is edited four ways: a sentence added, its title,
    its year, its province changed.
    """
    import socket
    import subprocess
    import sys
    import threading
    import urllib.request

    from .progress import stage

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> str:
        with urllib.request.urlopen(base + path, timeout=600) as response:
            return response.read().decode("utf-8")

    files = sorted((work / "content/profiles").rglob("*.md"))
    target = files[len(files) // 2]
    results = {}
    with stage("lantoa serve: dựng lần đầu"):
        command = [sys.executable, "-m", "lantoa.cli", "serve", "--content", str(work / "content"),
                   "--output", str(work / "lantoa"), "--cache", str(work / "cache"),
                   "--config", str(project / "pelicanconf.py"), "--port", str(port)]
        server = subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                get("/__lantoa_reload__")
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError("lantoa serve dừng khi dựng lần đầu") from None
                time.sleep(0.5)
    try:
        time.sleep(2)  # the watcher is running
        edits = {
            "append": lambda t: (t + "\nMột câu mới để thử.\n", "Một câu mới để thử."),
            "title": lambda t: (re.sub(r"^Title: .*$", "Title: Tên mới để thử", t, count=1, flags=re.M),
                                "Tên mới để thử"),
            "year": lambda t: (re.sub(r"^Year: .*$", "Year: 2012", re.sub(r"^Date: .*$", "Date: 2012-03-03",
                                                                           t, flags=re.M), flags=re.M),
                               "2012-03-03"),
            "province": lambda t: (re.sub(r"^Province: .*$", "Province: Cao Bằng",
                                          re.sub(r"^(District|Commune): .*\n", "", t, flags=re.M),
                                          count=1, flags=re.M), "Cao Bằng"),
        }
        for name, change in edits.items():
            with stage(f"lantoa serve: sửa ({name})"):
                seen = get("/__lantoa_reload__")
                poll = threading.Thread(target=get, args=(f"/__lantoa_reload__?seen={seen}",))
                poll.start()
                time.sleep(0.3)
                text, marker = change(target.read_text(encoding="utf-8"))
                kind = "mo-hinh" if "Kind: mo-hinh" in text else "dien-hinh"
                started = time.perf_counter()
                target.write_text(text, encoding="utf-8")
                poll.join()
                page = get(f"/{kind}/{target.stem}/")
                results[name] = time.perf_counter() - started
                if marker not in page:
                    raise RuntimeError(f"lantoa serve: trang chưa có thay đổi ({name})")
                time.sleep(3)  # the build beside gets going, as it would while an editor types
    finally:
        server.terminate()
        server.wait(timeout=60)
    return results


SEARCH_QUERIES = ("dan van kheo", "dân vận khéo", "van", "nguyen van", "lam ha", "Lâm Hà", "duc",
                  "hien dat lam duong", "hiến đất làm đường", "-")


def search_benchmark(count: int, project: Path, keep: Path | None = None) -> list[dict]:
    """Index `count` synthetic profiles and time typical queries with the site's own reader."""
    import json
    import subprocess
    import time as clock

    from .collection import collect
    from .search_index import write_index

    work = Path(keep or tempfile.mkdtemp(prefix="lantoa-search-"))
    content = work / "content"
    if not (content / "profiles").is_dir():
        write_synthetic(count, content)
    collection = collect(content, cache_dir=work / "cache")
    started = clock.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    meta = write_index(collection.profiles, work / "chi-muc", "https://lantoa.example.vn")
    seconds = clock.perf_counter() - started
    size = sum(p.stat().st_size for p in (work / "chi-muc").rglob("*") if p.is_file())
    rows = [{"profiles": meta["count"], "terms": meta["terms"], "buckets": meta["buckets"],
             "index_seconds": round(seconds, 1), "index_megabytes": round(size / 1e6, 1),
             "peak_rss_mb": round(max(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024)}]
    runs = [*SEARCH_QUERIES, "--filter", "tinh=lam-dong", "-"]
    output = subprocess.run(["node", str(project / "scripts/search-bench.mjs"), str(work / "chi-muc"),
                             *SEARCH_QUERIES], capture_output=True, text=True, check=True).stdout
    filtered = subprocess.run(["node", str(project / "scripts/search-bench.mjs"), str(work / "chi-muc"),
                               *runs[len(SEARCH_QUERIES):]], capture_output=True, text=True,
                              check=True).stdout
    rows += [json.loads(line) for line in (output + filtered).splitlines() if line.strip()]
    if keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return rows
