"""The profile model as the reading cache pickles it: what every build reads at hand, the rest folded."""

from __future__ import annotations

import dataclasses
import datetime
import pickle
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lantoa.files import read_keyed, write_keyed
from lantoa.gazetteer import Unit, gazetteer
from lantoa.model import Place, Profile, folded
from lantoa.output import profile_digest
from lantoa.reading import read_profile

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "content/profiles/lam-dong/2023/nong-dan-dinh-van-lam-duong.md"


def sample() -> Profile:
    profile, problems = read_profile(SAMPLE, ROOT / "content", today=datetime.date(2026, 11, 25))
    assert profile is not None, problems
    return profile


def through_the_cache(profile: Profile) -> Profile:
    """Written and read as the reading cache does (`lantoa.collection._write_shards`)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shard.pickle"
        write_keyed(path, "key", profile, gazetteer().reference, {Profile: folded})
        return read_keyed(path, "key", gazetteer().units_by_reference.__getitem__)


def is_folded(profile: Profile) -> bool:
    return "_folded" in vars(profile)


def test_what_every_build_reads_is_at_hand_and_the_rest_unfolds_when_asked_for():
    profile = sample()
    copy = through_the_cache(profile)
    assert is_folded(copy)
    # Ordering, naming, duplicates, photos, the front page: no unpickling of text or place.
    assert (copy.url, copy.sort_key, copy.publication_key, copy.identity, copy.photos, copy.featured,
            copy.is_published, copy.source, copy.year, copy.kind) == (
        profile.url, profile.sort_key, profile.publication_key, profile.identity, profile.photos,
        profile.featured, profile.is_published, profile.source, profile.year, profile.kind)
    assert is_folded(copy)
    assert copy.title == profile.title
    assert not is_folded(copy)
    assert copy == profile and repr(copy) == repr(profile)
    assert profile_digest(copy) == profile_digest(profile)
    assert copy.place.province is profile.place.province  # the gazetteer's own unit
    assert copy.unfold() is False


def test_a_folded_field_is_never_taken_from_the_class_default():
    # Had the dataclass's default stayed on the class, the copy would show "" and False here.
    profile = dataclasses.replace(sample(), unit="Hội Nông dân xã Đinh Văn", summary_given=True,
                                  tags=("giao thông",))
    copy = through_the_cache(profile)
    assert is_folded(copy)
    assert (copy.unit, copy.summary_given, copy.tags) == ("Hội Nông dân xã Đinh Văn", True, ("giao thông",))


def test_elsewhere_a_profile_is_pickled_whole():
    profile = sample()  # a reading worker's result: what a build has just read, it shows
    copy = pickle.loads(pickle.dumps(profile))
    assert not is_folded(copy) and vars(copy) == vars(profile)


def test_a_folded_profile_is_pickled_again_as_it_came_without_unfolding():
    profile = sample()
    copy = through_the_cache(profile)
    again = through_the_cache(copy)
    assert is_folded(copy) and is_folded(again)
    assert again == profile


def test_a_unit_the_gazetteer_does_not_hold_is_pickled_as_itself():
    stranger = Unit(level="province", code=999, name="Tỉnh Thử Nghiệm", division="tỉnh", legacy=False,
                    parent_code=None, slug="thu-nghiem", key="thu nghiem")
    assert gazetteer().reference(stranger) is None
    profile = dataclasses.replace(sample(), place=Place(province=stranger, as_written="Thử Nghiệm"))
    copy = through_the_cache(profile)
    assert copy.place == profile.place and copy.place.communes == ()
    assert copy == profile


def test_asking_for_what_a_profile_does_not_have_unfolds_it_and_still_fails():
    copy = through_the_cache(sample())
    assert not hasattr(copy, "__html__")  # markupsafe's question: no unfolding for it
    assert is_folded(copy)
    assert not hasattr(copy, "no_such_field")
    assert not is_folded(copy)


@settings(max_examples=60, deadline=None)
@given(title=st.text(min_size=1), body=st.text(), summary=st.text(), tags=st.lists(st.text(), max_size=3),
       extra=st.dictionaries(st.text(), st.text(), max_size=3), featured=st.booleans())
def test_any_text_survives_folding(title, body, summary, tags, extra, featured):
    profile = dataclasses.replace(sample(), title=title, body_html=body, summary=summary, tags=tuple(tags),
                                  extra=extra, featured=featured)
    copy = through_the_cache(profile)
    assert copy.featured == featured and is_folded(copy)
    assert copy == profile and copy.extra == extra and copy.identity == profile.identity
