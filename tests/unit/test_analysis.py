import pytest

from gateway_domain.analysis import terms
from gateway_domain.stemming import stem
from gateway_domain.text import words
from gateway_domain.typos import TypoIndex, edit_distance


def test_words_split_snake_kebab_camel_and_dots() -> None:
    assert words("get_user-profileById.v2") == ["get", "user", "profile", "by", "id", "v2"]
    assert words("HTTPServerError") == ["http", "server", "error"]


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (("directory", "directories"), "directory"),
        (("create", "creates", "created", "creating", "creation"), "creat"),
        (("delete", "deleted", "deletion", "deletes"), "delet"),
        (("branch", "branches"), "branch"),
        (("query", "queries", "queried"), "query"),
        (("run", "running", "runs"), "run"),
        (("differ", "differences"), "differ"),
    ],
)
def test_forms_of_a_word_share_one_stem(forms: tuple[str, ...], expected: str) -> None:
    assert {stem(form) for form in forms} == {expected}


def test_stemming_leaves_short_words_and_words_ending_in_ss_alone() -> None:
    assert [stem(w) for w in ("git", "status", "process", "analysis", "string")] == [
        "git",
        "status",
        "process",
        "analysis",
        "string",
    ]


def test_terms_drop_stop_words_and_stem() -> None:
    assert terms("Show me the files in a folder") == ["show", "fil", "folder"]


def test_clitics_are_dropped_but_single_letters_kept() -> None:
    assert terms("Apple’s stock, don't wait, we're here") == ["appl", "stock", "wait"]
    assert terms("vitamin D in m/s") == ["vitamin", "d", "m", "s"]


def test_accents_are_folded() -> None:
    assert terms("Café résumé") == terms("cafe resume")


def test_cjk_text_becomes_overlapping_character_pairs_beside_latin_words() -> None:
    assert terms("使用必应搜索 bing_search") == ["使用", "用必", "必应", "应搜", "搜索", "bing", "search"]


def test_edit_distance_counts_a_transposition_as_one_edit() -> None:
    assert edit_distance("search", "serach") == 1
    assert edit_distance("search", "serch") == 1
    assert edit_distance("search", "sarch", limit=1) == 1
    assert edit_distance("search", "fetch", limit=1) == 2


def test_typo_index_finds_terms_one_or_two_edits_away() -> None:
    index = TypoIndex(["search", "directory", "fetch", "git"])
    assert index.corrections("serch") == [("search", 1)]
    assert index.corrections("direcotry") == [("directory", 1)]
    assert index.corrections("dirrectoryy") == [("directory", 2)]  # long words may have two edits
    assert index.corrections("fetch") == []  # a known word needs no correction
    assert index.corrections("gti") == []  # too short to correct safely


def test_a_short_word_is_not_corrected_into_one_with_another_first_letter() -> None:
    index = TypoIndex(["sift", "search", "fetch"])
    assert index.corrections("gift") == []  # a word of its own, not a misspelt "sift"
    assert index.corrections("sfit") == [("sift", 1)]
    assert index.corrections("esarch") == [("search", 1)]  # the first two letters swapped
    assert index.corrections("ftech") == [("fetch", 1)]
