from gateway_domain.registry import DomainState, DomainStatus, build_snapshot, diff_domain, ingest
from gateway_domain.tools import ToolSpec

from .fakes import spec


def ready(name: str, *tools: ToolSpec, description: str = "") -> DomainState:
    return DomainState(name=name, description=description, status=DomainStatus.READY, specs=tools)


def test_snapshot_lays_out_domains_groups_and_tools() -> None:
    snapshot = build_snapshot(
        [ready("crm", spec("crm_people_search"), spec("crm_people_get"), spec("crm_ping"), description="CRM")]
    )
    view = snapshot.domains["crm"]
    assert view.description == "CRM"
    assert view.tool_names == ("crm_people_search", "crm_people_get", "crm_ping")
    assert dict(view.groups) == {"general": ("crm_ping",), "people": ("crm_people_search", "crm_people_get")}
    assert [t.name for t in snapshot.domain_tools("crm", "people")] == ["crm_people_search", "crm_people_get"]


def test_colliding_tools_keep_their_original_name_for_dispatch() -> None:
    snapshot = build_snapshot([ready("a", spec("search")), ready("b", spec("search"))])
    assert set(snapshot.tools) == {"a_search", "b_search"}
    assert snapshot.tools["a_search"].original_name == "search"
    assert snapshot.tools["b_search"].domain == "b"
    assert snapshot.renamed_from["search"] == ("a_search", "b_search")


def test_ingest_keeps_unusual_tools_and_explains_what_it_drops() -> None:
    deep = {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"$ref": "#/$defs/x"}}}}}
    tools = [
        ToolSpec("get-user.v2", input_schema=deep),
        ToolSpec(""),
        ToolSpec("dup"),
        ToolSpec("dup", description="second"),
        ToolSpec("n" * 129),
    ]
    kept, skipped = ingest(tools)
    assert [t.name for t in kept] == ["get-user.v2", "dup"]
    assert kept[1].description == ""
    reasons = {s.reason for s in skipped}
    assert len(skipped) == 3
    assert any("twice" in r for r in reasons)
    assert any("no name" in r for r in reasons)
    assert any("longer than 128" in r for r in reasons)


def test_diff_reports_added_and_removed_exposed_names() -> None:
    before = build_snapshot([ready("a", spec("x"), spec("y"))])
    state = ready("a", spec("y"), spec("z"))
    after = build_snapshot([state])
    change = diff_domain(before, after, state)
    assert change.added == ("z",)
    assert change.removed == ("x",)
    assert change.tool_count == 2


def test_a_callers_view_is_built_once_and_a_few_are_kept() -> None:
    from gateway_domain import registry
    from gateway_domain.search import search_scope

    tools = [spec(f"tool_{i}", "Export the report.") for i in range(registry._KEPT_VIEWS + 2)]
    snapshot = build_snapshot([DomainState(name="d", status=DomainStatus.READY, specs=tuple(tools))])
    names = sorted(snapshot.tools)
    first = snapshot.restricted_to({names[0]}, {"d"})
    assert snapshot.restricted_to({names[0]}, {"d"}) is first  # asked again: the same view
    assert list(first.tools) == [names[0]]
    scope = search_scope(first, first.search_index)
    assert scope is not None
    assert scope.tolist() == [first.search_index.position[names[0]]]
    assert search_scope(first, first.search_index) is scope  # kept with the view
    for made_up in ("nope", "other"):  # a caller's made-up group is answered, not kept
        assert search_scope(first, first.search_index, "d", made_up) is not None
    assert set(first.search_scopes) == {(None, None)}
    for name in names[1:]:  # more views than are kept: the oldest goes
        assert list(snapshot.restricted_to({name}, {"d"}).tools) == [name]
    again = snapshot.restricted_to({names[0]}, {"d"})
    assert again is not first
    assert again == first
