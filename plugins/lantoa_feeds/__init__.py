"""Pelican plugin: RSS 2.0 and Atom feeds (feedgen) for the site and every facet term, and OPML.

Every facet term page of `lantoa.facets` gets `rss.xml` and `atom.xml` in its
folder; the whole site has `/feeds/rss.xml` and `/feeds/atom.xml`, and
`/feeds/index.opml` lists them all. Entry ids are tag URIs built from the
profile's kind and slug under a fixed authority, so neither a rebuild, an edit
nor a move of the site changes them. Feed dates are the newest entry's, so an
unchanged site gives byte-identical feeds.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from feedgen.feed import FeedEntry, FeedGenerator
from feedgen.util import formatRFC2822

# isort: split
# After feedgen.feed: feedgen.util, which this imports, reads lxml.etree without importing it.
from feedgen.ext.dc import DcEntryExtension, DcExtension
from lantoa.facets import Term
from lantoa.model import Profile
from lantoa.parallel import forked_map
from lantoa.progress import stage
from lantoa.schema import VIETNAM_TZ
from lantoa.site import absolute_url
from lantoa.state import BuildState, build_state, require_plugins
from lxml import etree
from pelican import signals
from pelican.generators import Generator

EMPTY_FEED_DATE = datetime(2025, 7, 1, tzinfo=VIETNAM_TZ)  # any fixed date: feeds must not change
_RELATIVE_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')
_ATOM = "{http://www.w3.org/2005/Atom}"
_LINK_ATTRIBUTES = ("rel", "type", "hreflang", "title", "length")


def restore_link_attributes(atom: bytes, entries: list[FeedEntry]) -> bytes:
    """The Atom document with each entry's links as given to feedgen.

    feedgen 1.0 writes an entry's `<link>` with its `href` only (its loop tests the
    new element instead of the link's data), so a photo's `rel="enclosure"` link
    became a second alternate link and readers took the JPEG for the entry's page.
    """
    if not entries:
        return atom
    root = etree.fromstring(atom)
    for element, entry in zip(root.iter(f"{_ATOM}entry"), entries, strict=True):
        _restore_links(element.findall(f"{_ATOM}link"), entry)
    return _as_feedgen_writes(root)


def _as_feedgen_writes(tree) -> bytes:
    """An element tree written as feedgen's `rss_str` and `atom_str` write a document."""
    return etree.tostring(tree, pretty_print=True, encoding="UTF-8", xml_declaration=True)


def _restore_links(links: list, entry: FeedEntry) -> None:
    for link, data in zip(links, entry.link(), strict=True):
        for name in _LINK_ATTRIBUTES:
            if data.get(name):
                link.set(name, str(data[name]))


# Where entries sit in a document feedgen pretty-printed: each entry is serialised once,
# from a feed of its own, and put into every feed that lists it, as feedgen would have.
_ENTRY_TAGS = {"rss": (b"<item>", b"</item>\n"), "atom": (b"<entry>", b"</entry>\n")}
_ENTRIES_END = {"rss": b"  </channel>\n</rss>\n", "atom": b"</feed>\n"}


def entry_xml(document: bytes, kind: str) -> bytes:
    """The one entry of a pretty-printed feed, indentation and line end included."""
    opening, closing = _ENTRY_TAGS[kind]
    start = document.rindex(b"\n", 0, document.index(opening)) + 1
    return document[start:document.rindex(closing) + len(closing)]


def splice(document: bytes, entries: list[bytes], kind: str) -> bytes:
    """A pretty-printed feed without entries, with `entries` (from `entry_xml`) added last."""
    end = document.rindex(_ENTRIES_END[kind])
    return b"".join((document[:end], *entries, document[end:]))


@dataclass(frozen=True)
class Feed:
    title: str
    folder: str  # site-relative folder holding rss.xml and atom.xml
    page: str  # the HTML page the feed follows

    @property
    def rss(self) -> str:
        return f"{self.folder}rss.xml"

    @property
    def atom(self) -> str:
        return f"{self.folder}atom.xml"


SITE_FEED = Feed("Tất cả hồ sơ mới", "feeds/", "")


def feed_of(term: Term) -> Feed:
    return Feed(term.title, term.url, term.url)


def feed_owner(feed: Feed) -> str:
    """The group of a feed's files in the output manifest (`PageCache.visit`)."""
    return f"nguon-tin:{feed.folder}"


def entry_id(profile: Profile, authority: str) -> str:
    """A tag URI (RFC 4151) that names the profile, not where or when it was built."""
    return f"tag:{authority},2009:{profile.kind.value}/{profile.slug}"


def feed_base(settings: dict) -> str:
    """Feeds need absolute URLs even in a preview build."""
    return (settings.get("FEED_DOMAIN") or settings["SITEURL"] or "http://localhost:8000").rstrip("/")


class FeedsGenerator(Generator):
    """Writes every feed and the OPML list; shares one entry object per profile."""

    def generate_context(self) -> None:
        self._empty_feeds: dict[tuple[str, str, str], tuple[Any, Any]] = {}  # (entries' parent, document)
        self._marked_documents: dict[tuple[str, str, str], tuple[list[bytes], list[str]]] = {}
        state = build_state(self.context, "lantoa_feeds")
        terms = [(entry.term, entry.profiles) for by_key in state.index.values() for entry in by_key.values()]
        terms += [(term, []) for term in state.empty_terms]
        feeds = {term.url: feed_of(term) for term, _ in terms}
        self.context["feeds"] = [SITE_FEED, *sorted(feeds.values(), key=lambda f: f.folder)]
        self.context["feed_of"] = feed_of
        self.listed = {SITE_FEED.folder: list(state.profiles),
                       **{term.url: profiles for term, profiles in terms}}

    def generate_output(self, writer) -> None:
        base = feed_base(self.settings)
        authority = self.settings["LANTOA_FEED_AUTHORITY"]
        size = self.settings["LANTOA_FEED_SIZE"]
        state = build_state(self.context, "lantoa_feeds")
        cache, digests = state.pages, state.digests
        entries: dict[str, dict[str, bytes]] = {}  # profile URL → kind → its serialised entry
        needed: dict[str, Profile] = {}

        feeds = self.context["feeds"]
        if state.structure_as_before:
            # While every term has the profiles it had, a feed none of whose profiles
            # changed is kept as it was.
            feeds = cache.keep_as_before(feeds, list(map(feed_owner, feeds)),
                                         [state.urls(self.listed[f.folder]) for f in feeds])
        for feed in feeds:
            listed = self.listed[feed.folder]
            # A feed shows the newest of its term's profiles: while they are the same
            # profiles, unchanged, the feed is kept without choosing them again.
            members = state.urls(listed)
            owner = feed_owner(feed)
            # While every term has the profiles it had, the signature is the previous one.
            signature = cache.kept_signature(owner, state.structure_as_before,
                                             lambda f=feed, ps=listed: (f, state.urls_digest(ps)))
            if not cache.visit(owner, signature, members):
                continue
            profiles = state.newest(listed, size)  # subscribers want what was published last
            shown = [digests[p.url] for p in profiles]
            for kind in ("rss", "atom"):
                if cache.write_bytes(getattr(feed, kind), (feed, kind, shown, base, authority),
                                     lambda f=feed, k=kind, ps=profiles: splice(
                                         self._empty_document(f, k, ps, base, authority),
                                         [entries[p.url][k] for p in ps], k), owner):
                    needed.update((p.url, p) for p in profiles)
        # A profile is in a dozen feeds: its entry is made once, before the feeds are
        # written (each by whichever worker), and serialised once per kind.
        wanted = list(needed.values())
        with stage("Mục tin", len(wanted), "mục") as step:
            made = forked_map(lambda number: self._serialised(state, wanted[number], base, authority),
                              len(wanted), cache.workers)
            step.advance(len(wanted))
        entries.update((p.url, one) for p, one in zip(wanted, made, strict=True))
        listed = tuple((f.title, f.rss, f.page) for f in self.context["feeds"])
        cache.write_bytes("feeds/index.opml", (listed, base, self.settings["SITENAME"]),
                          lambda: self._opml(base))
        cache.flush()

    def _serialised(self, state: BuildState, profile: Profile, base: str, authority: str) -> dict[str, bytes]:
        """The profile's entry as each kind of feed writes it (`entry_xml`).

        Written inside an empty feed whose element tree each process makes once per
        kind and reuses: feedgen makes a document's tree again for every string it
        writes, which cost as much as the entry. The entry's element is put where
        `rss_str` and `atom_str` put it, into the tree they make (`_create_rss`,
        `_create_atom`), and the tree written as they write it; a test compares every
        feed with the one feedgen writes whole.
        """
        entry = self._entry(state, profile, base, authority)
        serialised = {}
        for kind in ("rss", "atom"):
            key = (kind, base, authority)
            if key not in self._empty_feeds:
                shell = self._shell(SITE_FEED, kind, [], base, authority)
                root, document = shell._create_rss() if kind == "rss" else shell._create_atom()
                self._empty_feeds[key] = (root.find("channel") if kind == "rss" else root, document)
            parent, document = self._empty_feeds[key]
            if kind == "rss":
                element = entry.rss_entry()
            else:
                element = entry.atom_entry()
                _restore_links(element.findall("link"), entry)
            parent.append(element)
            try:
                serialised[kind] = entry_xml(_as_feedgen_writes(document), kind)
            finally:
                parent.remove(element)
        return serialised

    def _entry(self, state: BuildState, profile: Profile, base: str, authority: str) -> FeedEntry:
        entry = FeedEntry()
        entry.id(entry_id(profile, authority))
        entry.guid(entry_id(profile, authority), permalink=False)
        entry.title(profile.title)
        entry.link(href=absolute_url(base, profile.url), rel="alternate")
        # The summary is plain text. Atom says so with type="text"; RSS readers read
        # <description> as HTML, so there it is escaped once more, as HTML.
        entry.summary(profile.summary, type="text")
        entry.description(html.escape(profile.summary, quote=False))
        found = state.photos.enclosure(profile, base)
        body = _RELATIVE_LINK.sub(rf'\1{base}/', state.photos.render_body(profile, base))
        content = self.env.get_template("feed_entry.html").render(
            self.context, profile=profile, body=body, photo_url=found[0] if found else "",
            page_url=absolute_url(base, profile.url))
        entry.content(content, type="html")
        entry.published(profile.date)
        entry.updated(profile.updated)
        entry.author({"name": profile.actor})
        # What `load_extension("dc")` registers, without first trying to import a module
        # `feedgen.ext.dc_entry` that does not exist: a search of every folder of sys.path,
        # for every entry and every feed.
        entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        entry.dc.dc_creator(profile.actor)  # RSS <author> needs an e-mail address
        for facet in state.facets:
            if facet.category:
                scheme = absolute_url(base, facet.overview.url if facet.overview else "")
                for term in state.extras[profile.url].terms.get(facet.name, ()):
                    entry.category(term=term.key, label=term.name, scheme=scheme)
        if found:
            entry.enclosure(url=found[0], length=str(found[1]), type=found[2])
        return entry

    def _empty_document(self, feed: Feed, kind: str, profiles: list[Profile], base: str,
                        authority: str) -> bytes:
        """What `_written(_shell(feed, kind, profiles, …), kind, [])` gives, the feed without
        entries, made from a document feedgen wrote once for every feed of the kind with
        marks where a feed's own title, folder, page and date go (`_marked_document`).

        Feedgen makes an element tree and writes it for each of the 8,500 feeds of a
        cold build at 10,000 profiles (50 µs each). A title that is not plain printable
        text, or a folder or page with a character XML would escape, is written by
        feedgen itself; a test compares every feed with the one feedgen writes whole.
        """
        newest = _newest(profiles)
        if not (_PLAIN_PATH.match(feed.folder) and _PLAIN_PATH.match(feed.page) and feed.title.isprintable()):
            return self._written(self._shell_dated(feed, kind, newest, base, authority), kind, [])
        key = (kind, base, authority)
        if key not in self._marked_documents:
            self._marked_documents[key] = self._marked_document(kind, base, authority)
        parts, marks = self._marked_documents[key]
        values = {_TITLE_MARK: html.escape(feed.title, quote=False), _FOLDER_MARK: feed.folder,
                  _PAGE_MARK: feed.page, _DATE_MARK: _feed_date(newest, kind)}
        joined = [parts[0]]
        for mark, part in zip(marks, parts[1:], strict=True):
            joined += (values[mark].encode(), part)
        return b"".join(joined)

    def _marked_document(self, kind: str, base: str, authority: str) -> tuple[list[bytes], list[str]]:
        """The document of a marked feed cut at its marks, and the marks in order."""
        marked = Feed(_TITLE_MARK, _FOLDER_MARK, _PAGE_MARK)
        document = self._written(self._shell_dated(marked, kind, _MARK_DATE, base, authority), kind, [])
        date = _feed_date(_MARK_DATE, kind)
        pieces = re.split("(" + "|".join(map(re.escape, (*_MARKS, date))) + ")", document.decode())
        marks = [_DATE_MARK if mark == date else mark for mark in pieces[1::2]]
        return [piece.encode() for piece in pieces[::2]], marks

    def _shell(self, feed: Feed, kind: str, profiles: list[Profile], base: str,
               authority: str) -> FeedGenerator:
        """The feed without entries, dated by the newest of `profiles`."""
        return self._shell_dated(feed, kind, _newest(profiles), base, authority)

    def _shell_dated(self, feed: Feed, kind: str, newest: datetime, base: str,
                     authority: str) -> FeedGenerator:
        generator = FeedGenerator()
        generator.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)
        generator.id(f"tag:{authority},2009:{feed.folder}")
        generator.title(f"{self.settings['SITENAME']} — {feed.title}")
        generator.language("vi")
        generator.description(f"{feed.title}: mô hình, điển hình \u201cDân vận khéo\u201d mới nhất.")
        agency = self.context["AGENCY"]
        # The publishing agency speaks for the feed; entries keep their own unit as author.
        generator.author({"name": agency["name"], **({"email": agency["email"]} if agency["email"] else {})})
        generator.dc.dc_publisher(agency["name"])
        if agency["email"]:  # RSS names people by e-mail address, the name in brackets
            generator.managingEditor(f"{agency['email']} ({agency['name']})")
        if agency["license"]:
            generator.rights(f"{agency['license']}"
                             + (f" ({agency['license_url']})" if agency["license_url"] else "")
                             + f" — {agency['name']}")
        # feedgen takes the last link as the RSS channel link: the page goes last.
        generator.link(href=absolute_url(base, getattr(feed, kind)), rel="self")
        generator.link(href=absolute_url(base, feed.page), rel="alternate")
        generator.generator("Lan Tỏa (feedgen)")
        generator.lastBuildDate(newest)
        generator.updated(newest)
        return generator

    @staticmethod
    def _written(generator: FeedGenerator, kind: str, entries: list[FeedEntry]) -> bytes:
        """The document as feedgen writes it; `entries` are those `generator` holds."""
        if kind == "rss":
            return generator.rss_str(pretty=True)
        return restore_link_attributes(generator.atom_str(pretty=True), entries)

    def _opml(self, base: str) -> bytes:
        """The list of every feed, for readers that subscribe to many at once."""
        opml = ElementTree.Element("opml", version="2.0")
        head = ElementTree.SubElement(opml, "head")
        ElementTree.SubElement(head, "title").text = f"{self.settings['SITENAME']} — danh sách nguồn tin"
        body = ElementTree.SubElement(opml, "body")
        for feed in self.context["feeds"]:
            ElementTree.SubElement(body, "outline", type="rss", text=feed.title, title=feed.title,
                                   xmlUrl=absolute_url(base, feed.rss),
                                   htmlUrl=absolute_url(base, feed.page), language="vi")
        ElementTree.indent(opml)
        return ElementTree.tostring(opml, encoding="UTF-8", xml_declaration=True) + b"\n"


# Marks of a feed's own values in the document every empty feed of a kind is made from
# (`FeedsGenerator._empty_document`): characters of Unicode's private use area, which no
# title may hold (they are not printable) and no folder does.
_TITLE_MARK, _FOLDER_MARK, _PAGE_MARK, _DATE_MARK = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKS = (_TITLE_MARK, _FOLDER_MARK, _PAGE_MARK)
_MARK_DATE = datetime(2099, 12, 31, 23, 59, 58, tzinfo=VIETNAM_TZ)  # no feed is dated so
# Folders and pages written as they are, in text and in attributes alike.
_PLAIN_PATH = re.compile(r"(?!/)[A-Za-z0-9._~/%-]*\Z")


def _newest(profiles: list[Profile]) -> datetime:
    return max((p.updated for p in profiles), default=EMPTY_FEED_DATE)


def _feed_date(date: datetime, kind: str) -> str:
    """A feed's date as feedgen writes it: RSS's lastBuildDate, Atom's updated."""
    return formatRFC2822(date) if kind == "rss" else date.isoformat()


def get_generators(pelican):
    return FeedsGenerator


def check_plugins(pelican) -> None:
    require_plugins(pelican.settings, "lantoa_feeds", ("lantoa_profiles",))


def register() -> None:
    signals.initialized.connect(check_plugins)
    signals.get_generators.connect(get_generators)

