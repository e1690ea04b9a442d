"""A part of every page rendered once: the same bytes as including it, never a stale copy."""

from __future__ import annotations

import os
import time

import jinja2
from hypothesis import given
from hypothesis import strategies as st
from lantoa.site import same_on_every_page
from markupsafe import Markup


def environment(folder) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, auto_reload=True)
    env.globals["same_on_every_page"] = same_on_every_page
    return env


def write(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    # A later mtime than the compiled template's: Jinja's reload check compares them.
    later = time.time() + 5
    os.utime(path, (later, later))


def test_the_part_is_what_an_include_gives_and_follows_the_values_it_reads(tmp_path):
    part = '<a href="{{ SITEURL }}/">{{ AGENCY.name }} & co</a>{% if page %}!{% endif %}\n'
    write(tmp_path / "_part.html", part)
    (tmp_path / "once.html").write_text('{{ same_on_every_page("_part.html") }}|{{ page }}', encoding="utf-8")
    (tmp_path / "each.html").write_text('{% include "_part.html" %}|{{ page }}', encoding="utf-8")
    env = environment(tmp_path)
    once, each = env.get_template("once.html"), env.get_template("each.html")
    contexts = [
        {"SITEURL": "https://a.vn", "AGENCY": {"name": "Ban Dân vận <Tỉnh>"}, "page": ""},
        {"SITEURL": "https://a.vn", "AGENCY": {"name": "Ban Dân vận <Tỉnh>"}, "page": "x"},
        {"SITEURL": "https://b.vn", "AGENCY": {"name": "Ban Dân vận <Tỉnh>"}, "page": "x"},
        {"SITEURL": "https://b.vn", "AGENCY": {"name": "Ban khác"}, "page": "x"},
        {"SITEURL": "https://a.vn", "AGENCY": {"name": "Ban Dân vận <Tỉnh>"}, "page": ""},
    ]
    for context in contexts:
        assert once.render(context) == each.render(context)
    assert "&lt;Tỉnh&gt; & co</a>|" in once.render(contexts[0])  # escaped once, as an include is


def test_an_edited_part_is_rendered_again(tmp_path):
    write(tmp_path / "_part.html", "trước {{ SITEURL }}")
    (tmp_path / "page.html").write_text('{{ same_on_every_page("_part.html") }}', encoding="utf-8")
    env = environment(tmp_path)
    assert env.get_template("page.html").render(SITEURL="s") == "trước s"
    write(tmp_path / "_part.html", "sau {{ SITENAME }} {{ SITEURL }}")
    assert env.get_template("page.html").render(SITEURL="s", SITENAME="n") == "sau n s"


@given(st.one_of(st.text(), st.integers(), st.none(), st.builds(Markup, st.text()),
                 st.lists(st.text(), max_size=3)))
def test_templates_escape_every_value_as_markupsafe_does(value):
    import markupsafe
    from lantoa.site import EscapingTemplate

    environment = jinja2.Environment(autoescape=True)
    plain = environment.from_string("<p title='{{ v }}'>{{ v }}{{ v|e }}</p>")
    environment.template_class = EscapingTemplate
    escaping = environment.from_string("<p title='{{ v }}'>{{ v }}{{ v|e }}</p>")
    assert escaping.render(v=value) == plain.render(v=value)
    assert escaping.root_render_func.__globals__["escape"] is not markupsafe.escape  # the fast one runs
