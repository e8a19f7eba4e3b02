import random
import re

from hypothesis import given
from hypothesis import strategies as st

from gateway_domain.naming import MAX_EXPOSED_NAME, assign_exposed_names, infer_group, sanitize_name


def test_group_is_the_segment_after_the_domain_prefix() -> None:
    assert infer_group("apollo", "apollo_people_search") == "people"
    assert infer_group("hubspot", "hubspot-contacts-create") == "contacts"
    assert infer_group("crm", "crm.deals.list") == "deals"


def test_tools_without_a_group_segment_are_general() -> None:
    assert infer_group("apollo", "search") == "general"
    assert infer_group("apollo", "apollo_search") == "general"
    assert infer_group("apollo", "other_people_search") == "general"


def test_unique_names_are_kept() -> None:
    names = assign_exposed_names({"a": ["search", "get-user"], "b": ["create.thing"]})
    assert names == {("a", "search"): "search", ("a", "get-user"): "get-user", ("b", "create.thing"): "create.thing"}


def test_a_name_offered_by_two_domains_is_prefixed_in_both() -> None:
    names = assign_exposed_names({"apollo": ["search"], "hubspot": ["search", "list"]})
    assert names[("apollo", "search")] == "apollo_search"
    assert names[("hubspot", "search")] == "hubspot_search"
    assert names[("hubspot", "list")] == "list"


def test_a_prefixed_name_that_clashes_with_a_bare_name_gets_a_suffix() -> None:
    names = assign_exposed_names({"crm": ["search", "crm_search"], "web": ["search"]})
    assert names[("crm", "crm_search")] == "crm_search"
    assert names[("crm", "search")] == "crm_search_2"
    assert names[("web", "search")] == "web_search"


def test_characters_mcp_rejects_are_replaced() -> None:
    assert sanitize_name("send message!") == "send_message_"
    names = assign_exposed_names({"a": ["send message"]})
    assert names[("a", "send message")] == "send_message"


def test_long_prefixed_names_stay_within_the_limit_and_distinct() -> None:
    long = "x" * 60
    names = assign_exposed_names({"alpha": [long, long + "y"], "beta": [long, long + "y"]})
    exposed = list(names.values())
    assert all(len(name) <= MAX_EXPOSED_NAME for name in exposed)
    assert len(set(exposed)) == 4


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "a_b", "crm", "web"]),
        st.lists(st.sampled_from(["search", "b_c", "c", "crm_search", "get", "a_b_c"]), max_size=5),
        max_size=5,
    ),
    st.randoms(),
)
def test_names_do_not_depend_on_the_order_upstreams_answer_in(
    listings: dict[str, list[str]], rnd: random.Random
) -> None:
    shuffled_domains = list(listings.items())
    rnd.shuffle(shuffled_domains)
    shuffled = {domain: rnd.sample(names, len(names)) for domain, names in shuffled_domains}
    first = assign_exposed_names(listings)
    assert assign_exposed_names(shuffled) == first
    assert len(set(first.values())) == len(first), "every exposed name is unique"


def test_a_long_unique_name_is_cut_to_64_characters_and_still_resolves_by_its_own_name() -> None:
    from gateway_domain.registry import DomainState, DomainStatus, build_snapshot
    from gateway_domain.resolution import resolve_tool
    from gateway_domain.tools import ToolSpec

    long = "fetch_the_quarterly_revenue_report_for_every_region_and_every_product_line"
    names = assign_exposed_names({"a": [long, long + "_v2"]})
    exposed = names[("a", long)]
    assert len(exposed) <= MAX_EXPOSED_NAME
    assert exposed.startswith("fetch_the_quarterly_revenue")
    assert exposed != names[("a", long + "_v2")]
    snapshot = build_snapshot([DomainState("a", status=DomainStatus.READY, specs=(ToolSpec(long),))])
    assert resolve_tool(snapshot, long).original_name == long


@given(st.lists(st.text(alphabet="ab_-.é ", min_size=1, max_size=128), max_size=6, unique=True))
def test_every_exposed_name_is_short_and_uses_only_allowed_characters(tool_names: list[str]) -> None:
    names = assign_exposed_names({"d": tool_names, "e": tool_names[:2]})
    assert all(len(name) <= MAX_EXPOSED_NAME and re.fullmatch(r"[A-Za-z0-9_.\-]+", name) for name in names.values())
    assert len(set(names.values())) == len(names)
