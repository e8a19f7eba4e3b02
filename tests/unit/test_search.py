import random
from collections.abc import Sequence

import numpy as np
import pytest

from gateway_domain.query_text import with_file_words
from gateway_domain.registry import DomainState, DomainStatus, RegistrySnapshot, build_snapshot
from gateway_domain.search import RERANK_DEPTH, search, search_scope
from gateway_domain.search_index import Field, ToolDocument
from gateway_domain.semantic import SEMANTIC_WEIGHT, Positions, Scored, score_fusion
from gateway_domain.tools import ToolSpec

from .fakes import spec


def ready(name: str, *tools: ToolSpec, description: str = "") -> DomainState:
    return DomainState(name=name, description=description, status=DomainStatus.READY, specs=tools)


FILES = ready(
    "files",
    spec("read_file", "Read the complete contents of a file from the file system.", path={"type": "string"}),
    spec("write_file", "Create a new file or overwrite an existing file with new content.", path={}, content={}),
    spec("list_directory", "Get a detailed listing of all files and directories in a specified path.", path={}),
    spec("move_file", "Move or rename files and directories.", source={}, destination={}),
    spec("delete-file", "Remove a file permanently.", path={}),
)
GIT = ready(
    "git",
    spec("git_log", "Shows the commit logs.", repo_path={}),
    spec("git_status", "Shows the working tree status.", repo_path={}),
    spec("git_diff", "Shows differences between branches or commits.", target={}),
)
TIME = ready(
    "time",
    spec(
        "convert_time",
        "Convert time between timezones.",
        source_timezone={"type": "string", "description": "Source IANA timezone name"},
    ),
)


def catalogue(*states: DomainState) -> RegistrySnapshot:
    return build_snapshot(states or (FILES, GIT, TIME))


def names(snapshot: RegistrySnapshot, query: str, **kwargs: object) -> Sequence[str]:
    return [hit.tool.name for hit in search(snapshot.search_index, query, **kwargs).hits]  # type: ignore[arg-type]


def test_a_word_in_the_name_outranks_the_same_word_in_a_description() -> None:
    assert names(catalogue(), "rename a file")[0] == "move_file"
    assert names(catalogue(), "status")[0] == "git_status"


def test_results_are_ranked_with_a_score_best_first() -> None:
    page = search(catalogue().search_index, "write a new file")
    scores = [hit.score for hit in page.hits]
    assert page.hits[0].tool.name == "write_file"
    assert scores == sorted(scores, reverse=True)
    assert page.total == len(page.hits)


def test_plurals_and_verb_forms_match() -> None:
    assert names(catalogue(), "directories listing")[0] == "list_directory"
    assert names(catalogue(), "converting timezones")[0] == "convert_time"


def test_kebab_case_names_are_split_into_words() -> None:
    assert names(catalogue(), "delete")[0] == "delete-file"


def test_synonyms_find_the_word_the_tool_happened_to_use() -> None:
    assert names(catalogue(), "folders")[0] == "list_directory"
    assert names(catalogue(), "erase a file")[0] == "delete-file"


def test_parameter_names_and_descriptions_are_searched() -> None:
    assert names(catalogue(), "IANA")[0] == "convert_time"
    assert "git_log" in names(catalogue(), "repo path")


def test_typos_are_forgiven() -> None:
    assert names(catalogue(), "direcotry")[0] == "list_directory"
    assert names(catalogue(), "comit logs")[0] == "git_log"


def test_a_query_that_matches_nothing_finds_nothing() -> None:
    page = search(catalogue().search_index, "zebra xylophone")
    assert page.hits == ()
    assert page.total == 0


def test_a_query_naming_a_tool_puts_it_first() -> None:
    assert names(catalogue(), "git diff")[0] == "git_diff"
    assert names(catalogue(), "list directory")[0] == "list_directory"


def test_a_file_path_in_the_query_asks_for_file_tools_of_its_kind() -> None:
    snapshot = catalogue(
        FILES,
        GIT,
        ready(
            "office",
            spec("create_presentation", "Create a new PowerPoint presentation.", title={}),
            spec("add_slide", "Append a slide to a deck.", layout={}),
        ),
        ready("notes", spec("save_note", "Save the summary as a note for later.", text={})),
    )
    assert names(snapshot, "keep these results at /root/report.txt")[0].endswith("file")
    assert names(snapshot, "make the quarterly deck at /root/ppt/q3.pptx")[0] == "create_presentation"


def test_a_url_is_not_taken_for_a_file_path() -> None:
    assert with_file_words("summarise https://example.com/docs/readme.md") == (
        "summarise https://example.com/docs/readme.md"
    )
    assert with_file_words("open C:\\work\\notes.md please").endswith("file markdown")


PNG_BASE64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAgAAAAIACAYAAAD0eNT6AAAABHNCSVQICAgIfAhkiAAAAAlwSFlzAAALEgAACxIB0t1+/AAAADh0RVh0U29m"
    "dHdhcmUAbWF0cGxvdGxpYiB2ZXJzaW9uMy4xLjIsIGh0dHA6Ly9tYXRwbG90bGliLm9yZy8li"
)


def test_pasted_data_in_the_query_is_not_searched_for() -> None:
    snapshot = catalogue(
        TIME,
        ready("images", spec("extract_image_from_base64", "Extract an image from base64-encoded data.")),
        ready("games", spec("get-flz-rank", "Rank of the FLZ ladder.")),
    )
    assert names(snapshot, f"What does this image mean?\n{PNG_BASE64}") == ["extract_image_from_base64"]


def test_non_english_descriptions_are_searchable_in_their_language() -> None:
    snapshot = catalogue(
        ready(
            "bing",
            spec("bing_search", "使用必应搜索指定的关键词，并返回搜索结果列表"),
            spec("fetch_webpage", "获取网页的内容"),
        )
    )
    assert names(snapshot, "搜索结果")[0] == "bing_search"
    assert names(snapshot, "网页内容")[0] == "fetch_webpage"


class DictionaryGlosser:
    """A glosser from a small word list: what the CC-CEDICT adapter does, without its dictionary."""

    def __init__(self, words: dict[str, str]) -> None:
        self.words = words
        self.asked: list[str] = []

    def gloss(self, text: str) -> str:
        self.asked.append(text)
        return " ".join(english for chinese, english in self.words.items() if chinese in text)

    def gloss_if_ready(self, text: str) -> str:
        return self.gloss(text)


class BrokenGlosser:
    def gloss(self, text: str) -> str:
        raise OSError("dictionary unreadable")

    def gloss_if_ready(self, text: str) -> str:
        raise OSError("dictionary unreadable")


TRENDS = ready(
    "trends",
    spec("get-weibo-trending", "获取微博热搜榜，包含娱乐新闻和网络热议话题"),
    spec("get-smzdm-rank", "获取什么值得买热门，包含商品推荐和优惠信息"),
)
OTHER = ready("other", spec("get_rank", "Get the rank of a player."), spec("buy_item", "Buy an item in the game."))
GLOSSES = {"新闻": "news", "话题": "topic", "值得": "worth", "买": "buy", "商品": "goods", "推荐": "recommend"}


def test_a_glosser_lets_an_english_query_find_a_tool_described_in_chinese() -> None:
    unglossed = build_snapshot((TRENDS, OTHER))
    assert "get-smzdm-rank" not in names(unglossed, "recommend goods worth buying")
    glosser = DictionaryGlosser(GLOSSES)
    snapshot = build_snapshot((TRENDS, OTHER), glosser=glosser)
    assert names(snapshot, "recommend goods worth buying")[0] == "get-smzdm-rank"
    assert names(snapshot, "trending news topics")[0] == "get-weibo-trending"
    assert all(not text.isascii() for text in glosser.asked)  # English descriptions are never glossed


def test_a_domain_described_in_chinese_is_found_by_an_english_query() -> None:
    hot = ready("hot", spec("get-36kr", "36kr"), spec("get-ithome", "IT home"), description="热门新闻和话题")
    assert "get-36kr" not in names(build_snapshot((hot, OTHER)), "news topics")
    glossed = names(build_snapshot((hot, OTHER), glosser=DictionaryGlosser(GLOSSES)), "news topics")
    assert set(glossed[:2]) == {"get-36kr", "get-ithome"}


def test_a_chinese_query_is_glossed_to_find_english_descriptions() -> None:
    snapshot = build_snapshot((TRENDS, OTHER), glosser=DictionaryGlosser(GLOSSES))
    assert names(snapshot, "买")[0] == "buy_item"


def test_a_failing_glosser_never_stops_indexing_or_search() -> None:
    snapshot = build_snapshot((TRENDS, OTHER), glosser=BrokenGlosser())
    assert names(snapshot, "weibo trending")[0] == "get-weibo-trending"
    assert names(snapshot, "热搜")[0] == "get-weibo-trending"  # character pairs still match


def test_news_is_not_the_plural_of_new() -> None:
    snapshot = catalogue(
        ready(
            "mixed",
            spec("create_page", "Create a new page with new content."),
            spec("get_headlines", "Get the latest news."),
        )
    )
    assert names(snapshot, "news") == ["get_headlines"]


def test_results_page_with_limit_and_offset() -> None:
    index = catalogue().search_index
    everything = [hit.tool.name for hit in search(index, "file", limit=50).hits]
    first = search(index, "file", limit=2)
    second = search(index, "file", limit=2, offset=2)
    assert [hit.tool.name for hit in first.hits + second.hits] == everything[:4]
    assert first.total == second.total == len(everything)


@pytest.mark.parametrize("semantic", [False, True], ids=["lexical", "fused"])
def test_tied_results_go_by_name_and_pages_neither_repeat_nor_skip(semantic: bool) -> None:
    """More tied tools than a ranking keeps: which of them make the cut must not depend on the page."""
    count = 2 * RERANK_DEPTH + 20
    shuffled = random.Random(7).sample(range(count), count)  # listed out of name order
    twins = ready("twins", *(spec(f"tool_{i:03d}", "Export the report.") for i in shuffled))
    index = build_snapshot([twins], semantic=FakeSemantic("nothing") if semantic else None).search_index
    pages = [search(index, "export report", limit=10, offset=offset).hits for offset in range(0, count, 10)]
    listed = [hit.tool.name for page in pages for hit in page]
    assert listed == [f"tool_{i:03d}" for i in range(count)]


def test_a_scope_keeps_to_the_tools_both_the_snapshot_and_the_index_hold() -> None:
    files_only = catalogue(FILES)
    both = catalogue()
    scope = search_scope(both, files_only.search_index, "files")
    assert scope is not None
    assert scope.tolist() == sorted(files_only.search_index.position[name] for name in both.domains["files"].tool_names)
    mixed = search_scope(both, files_only.search_index)  # git's and time's tools are not in that index
    assert mixed is not None
    assert sorted(mixed.tolist()) == mixed.tolist() == list(range(len(files_only.search_index)))


def test_a_scope_that_names_a_tool_twice_returns_it_once() -> None:
    snapshot = build_snapshot([FILES, GIT, TIME], semantic=FakeSemantic("git status"))
    index = snapshot.search_index
    position = index.position["git_status"]
    for query in ("status", "zebra"):  # found by its words, then by meaning alone
        page = search(index, query, scope=[position, position])
        assert [hit.tool.name for hit in page.hits] == ["git_status"]
        assert page.total == 1


def test_a_term_most_tools_use_only_adds_to_what_rarer_terms_found() -> None:
    """The word "id" is in every tool of a big catalogue: "invoice id" must not match all of them."""
    common = [spec(f"tool_{i}", f"Show item number {i}.", id="") for i in range(1200)]
    rare = [spec("get_invoice", "Fetch an invoice.", id=""), spec("void_invoice", "Void an invoice.")]
    index = catalogue(ready("big", *common, *rare)).search_index
    page = search(index, "invoice id", limit=5)
    assert [hit.tool.name for hit in page.hits] == ["get_invoice", "void_invoice"]
    assert page.total == 2
    assert search(index, "id", limit=5).total == 1201  # alone, it matches every tool that has it


def test_a_scope_keeps_results_inside_it() -> None:
    snapshot = catalogue()
    scope = search_scope(snapshot, snapshot.search_index, "git")
    assert {hit.tool.domain for hit in search(snapshot.search_index, "shows", scope=scope).hits} == {"git"}


def test_a_narrowed_snapshot_sharing_the_index_only_finds_its_own_tools() -> None:
    full = catalogue()
    narrowed = RegistrySnapshot(
        domains={"git": full.domains["git"]},
        tools={name: tool for name, tool in full.tools.items() if tool.domain == "git"},
        search_index=full.search_index,
    )
    scope = search_scope(narrowed, narrowed.search_index)
    assert scope is not None
    assert {hit.tool.domain for hit in search(narrowed.search_index, "file commit", scope=scope).hits} == {"git"}


def test_an_unchanged_tool_is_not_analysed_again() -> None:
    first = catalogue(FILES, GIT)
    changed_git = ready("git", *GIT.specs[:2], spec("git_diff", "Shows changes."))
    second = build_snapshot([FILES, changed_git], previous=first)
    before = {doc.tool.name: doc for doc in first.search_index.documents}
    after = {doc.tool.name: doc for doc in second.search_index.documents}
    assert all(after[name] is before[name] for name in ("read_file", "git_log"))
    assert after["git_diff"] is not before["git_diff"]
    assert names(second, "changes")[0] == "git_diff"


def test_a_new_domain_description_is_analysed_and_embedded_again() -> None:
    semantic = FakeSemantic("Museum")
    first = build_snapshot([TIME, ready("works", spec("search-objects", "Search objects."))], semantic=semantic)
    described = ready("works", spec("search-objects", "Search objects."), description="The Met Museum.")
    second = build_snapshot([TIME, described], previous=first, semantic=semantic)
    before = {doc.tool.name: doc for doc in first.search_index.documents}
    after = {doc.tool.name: doc for doc in second.search_index.documents}
    assert after["search-objects"] is not before["search-objects"]
    assert after["convert_time"] is before["convert_time"]
    assert semantic.texts[-1].endswith("(The Met Museum.)")
    assert names(second, "museum")[0] == "search-objects"


def test_a_tool_renamed_by_a_collision_is_found_by_both_names() -> None:
    snapshot = catalogue(ready("a", spec("search", "Search a.")), ready("b", spec("search", "Search b.")))
    document = ToolDocument.of(snapshot.tools["b_search"])
    assert {"b", "search"} <= set(document.terms[: document.field_sizes[Field.NAME]])  # the name field
    assert set(names(snapshot, "search")) == {"a_search", "b_search"}


class FakeSemantic:
    """Ranks texts by how many characters they share with the query: enough to test fusion."""

    def __init__(self, favourite: str) -> None:
        self.favourite = favourite
        self.texts: list[str] = []

    def index(self, texts: Sequence[str]) -> "FakeSemantic":
        self.texts = list(texts)
        return self

    def nearest(self, query: str, limit: int, among: Positions | None = None) -> Scored:
        positions = among.tolist() if among is not None else range(len(self.texts))
        ranked = sorted(positions, key=lambda p: (self.favourite not in self.texts[p], p))[:limit]
        similarity = [0.9 if self.favourite in self.texts[p] else 0.2 for p in ranked]
        return np.array(ranked, dtype=np.intp), np.array(similarity)


def test_a_semantic_ranking_is_fused_with_the_lexical_one() -> None:
    snapshot = build_snapshot([FILES, GIT, TIME], semantic=FakeSemantic("git status"))
    results = names(snapshot, "folder")
    assert results[0] == "list_directory"  # first lexically, well placed semantically
    assert "git_status" in results[:3]  # no word in common, but the semantic ranker's favourite
    page = search(snapshot.search_index, "folder", limit=200)
    assert page.total == len(page.hits)  # semantic neighbours that count for nothing are not results


def test_a_tool_is_embedded_with_what_its_domain_is_for() -> None:
    semantic = FakeSemantic("Museum")
    works = ready("works", spec("search-objects", "Search objects by keyword."), description="The Met Museum.")
    snapshot = build_snapshot([TIME, works], semantic=semantic)
    assert names(snapshot, "a painting")[0] == "search-objects"  # only its domain's words say "museum"
    assert [text for text in semantic.texts if text.endswith("(The Met Museum.)")] == semantic.texts[-1:]


def fusion(
    lexical: list[tuple[int, float]], nearest: list[tuple[int, float]], weight: float = SEMANTIC_WEIGHT
) -> dict[int, float]:
    positions = np.array([position for position, _ in lexical], dtype=np.intp)
    scores = np.array([score for _, score in lexical], dtype=np.float64)
    near = (np.array([p for p, _ in nearest], dtype=np.intp), np.array([s for _, s in nearest], dtype=np.float64))
    fused_positions, fused = score_fusion((positions, scores), near, weight)
    return dict(zip(fused_positions.tolist(), fused.tolist(), strict=True))


def test_score_fusion_keeps_the_lexical_rankers_confidence() -> None:
    lexical = [(1, 10.0), (2, 9.0), (3, 2.0)]
    nearest = [(3, 0.8), (2, 0.7), (4, 0.6), (1, 0.4)]
    fused = fusion(lexical, nearest, weight=0.5)
    assert fused[2] > fused[1]  # a close lexical call is settled by the semantic score
    assert fused[1] > fused[3]  # the semantic favourite does not overturn a clear lexical lead
    assert fused[4] == pytest.approx(0.5 * 0.5)  # no word in common, found by meaning alone
    assert fusion([], nearest)[3] == pytest.approx(0.5)
    assert fusion(lexical, [])[1] == 1.0
    assert fusion(lexical[::-1], nearest) == fused  # the lexical list may come in any order


def test_score_fusion_among_a_few_tools_does_not_blow_up_tiny_differences() -> None:
    fused = fusion([(1, 10.0), (2, 8.0)], [(2, 0.301), (1, 0.300)])
    assert fused[1] > fused[2]
    assert fusion([(1, 5.0)], [(1, 0.7)]) == {1: 1.0}  # one similarity says nothing


def test_score_fusion_ignores_what_says_nothing() -> None:
    fused = fusion([(1, 4.0)], [(2, float("nan")), (3, 0.9), (4, 0.5)])
    assert set(fused) == {1, 3}  # no NaN; a semantic-only tool rescaled to 0 is left out
    assert set(fusion([], [(3, 0.9), (4, 0.5)])) == {3, 4}  # unless it is all there is
