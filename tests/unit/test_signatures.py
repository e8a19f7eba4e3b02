from typing import Any

import pytest

from gateway_domain.signatures import first_sentence, return_type, short_description, signature, signature_block
from gateway_domain.tools import Tool, ToolSpec


def sig(properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> str:
    schema = {"type": "object", "properties": properties, "required": list(required), **extra}
    return signature(Tool("t", "d", "general", ToolSpec("t", "", schema)))


def test_required_come_first_and_optional_parameters_show_their_defaults() -> None:
    rendered = sig({"b": {"type": "integer", "default": 5}, "c": {"type": "string"}, "a": {"type": "string"}}, ("a",))
    assert rendered == "t(a: str, b: int = 5, c: str | None = None) -> Any"


def test_enums_and_consts_are_literals() -> None:
    assert sig({"m": {"type": "string", "enum": ["fast", "slow"]}}, ("m",)) == "t(m: Literal['fast', 'slow']) -> Any"
    assert sig({"c": {"const": 3}}, ("c",)) == "t(c: Literal[3]) -> Any"


def test_an_enum_that_allows_null_is_an_optional_literal() -> None:
    rendered = sig({"e": {"type": ["string", "null"], "enum": ["a", None]}}, ("e",))
    assert rendered == "t(e: Literal['a'] | None) -> Any"


def test_numeric_length_and_pattern_bounds_are_annotated() -> None:
    rendered = sig(
        {
            "n": {"type": "integer", "minimum": 1, "maximum": 100},
            "x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "s": {"type": "string", "minLength": 1, "maxLength": 10, "pattern": "^[a-z]+$"},
            "u": {"type": "string", "format": "uri"},
        },
        ("n", "x", "s", "u"),
    )
    assert rendered == (
        "t(n: Annotated[int, Ge(1), Le(100)], x: Annotated[float, Gt(0), Lt(1)], "
        "s: Annotated[str, MinLen(1), MaxLen(10), Pattern('^[a-z]+$')], u: Annotated[str, Format('uri')]) -> Any"
    )


def test_arrays_and_tuples() -> None:
    rendered = sig(
        {
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            "old": {"type": "array", "items": [{"type": "string"}, {"type": "number"}]},
            "any": {"type": "array"},
        },
        ("tags", "pair", "old", "any"),
    )
    assert rendered == (
        "t(tags: Annotated[list[str], MinLen(1)], pair: tuple[str, int], old: tuple[str, float], any: list[Any]) -> Any"
    )


def test_nested_objects_render_inline_and_maps_as_dicts() -> None:
    rendered = sig(
        {
            "o": {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
                "required": ["a"],
            },
            "m": {"type": "object", "additionalProperties": {"type": "integer"}},
            "free": {"type": "object"},
        },
        ("o", "m", "free"),
    )
    assert rendered == "t(o: {a: int, b?: str}, m: dict[str, int], free: dict) -> Any"


def test_deep_nesting_is_cut_to_dict() -> None:
    leaf: dict[str, Any] = {"type": "string"}
    for level in range(8, 1, -1):
        leaf = {"type": "object", "properties": {f"l{level}": leaf}}
    assert sig({"l1": leaf}, ("l1",)) == "t(l1: {l2?: {l3?: {l4?: {l5?: dict}}}}) -> Any"


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, "str | int"),
        ({"oneOf": [{"type": "null"}, {"type": "string"}]}, "str | None"),
        ({"type": ["string", "null"]}, "str | None"),
        ({"type": "string", "nullable": True}, "str | None"),
        ({"anyOf": [{"type": "string"}, {}]}, "Any"),
    ],
)
def test_unions_and_nullable(schema: dict[str, Any], expected: str) -> None:
    assert sig({"v": schema}, ("v",)) == f"t(v: {expected}) -> Any"


def test_refs_resolve_against_defs_and_definitions() -> None:
    rendered = sig(
        {"r": {"$ref": "#/$defs/Point"}, "d": {"$ref": "#/definitions/Color"}},
        ("r", "d"),
        **{
            "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}}}},
            "definitions": {"Color": {"enum": ["red", "blue"]}},
        },
    )
    assert rendered == "t(r: {x?: float, y?: float}, d: Literal['red', 'blue']) -> Any"


def test_a_recursive_ref_is_named_not_expanded_forever() -> None:
    node = {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}
    assert sig({"n": {"$ref": "#/$defs/Node"}}, ("n",), **{"$defs": {"Node": node}}) == (
        "t(n: {children?: list[Node]}) -> Any"
    )


def test_a_ref_that_points_nowhere_is_any() -> None:
    assert sig({"r": {"$ref": "https://example.com/schema"}}, ("r",)) == "t(r: Any) -> Any"


def test_all_of_merges_object_branches() -> None:
    branches = [{"type": "object", "properties": {"p": {"type": "string"}}, "required": ["p"]}, {"$ref": "#/$defs/Q"}]
    defs = {"Q": {"properties": {"q": {"type": "integer"}}}}
    assert sig({"a": {"allOf": branches}}, ("a",), **{"$defs": defs}) == "t(a: {p: str, q?: int}) -> Any"


def test_a_root_ref_schema_lists_the_referenced_parameters() -> None:
    schema = {"$ref": "#/$defs/Args", "$defs": {"Args": {"type": "object", "properties": {"q": {"type": "string"}}}}}
    assert signature(Tool("t", "d", "general", ToolSpec("t", "", schema))) == "t(q: str | None = None) -> Any"


def test_return_types() -> None:
    assert return_type(None) == "Any"
    assert return_type({"type": "object", "properties": {"a": {"type": "integer"}}}) == "dict"
    wrapped = {"type": "object", "properties": {"result": {"type": "integer"}}, "x-fastmcp-wrap-result": True}
    assert return_type(wrapped) == "int"


def test_a_block_adds_the_first_paragraph_of_the_description_on_one_line() -> None:
    tool = Tool("t", "d", "general", ToolSpec("t", "Does  a\nthing.\n\nDetails nobody needs here."))
    assert signature_block(tool) == "t() -> Any\n    Does a thing."
    assert short_description("x" * 300).endswith("…")
    assert len(short_description("x" * 300)) == 240


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Access to the Met collection. Use search first.", "Access to the Met collection."),
        ("Version 2.0 of the maps API!\nMore.", "Version 2.0 of the maps API!"),
        ("Search (e.g. Google). More.", "Search (e.g. Google)."),
        ("一个中文必应搜索工具。可以搜索网页", "一个中文必应搜索工具。"),
        ("No full stop at all", "No full stop at all"),
        ("A long one " + "word " * 100 + "end.", "A long one" + " word" * 6 + "…"),
    ],
)
def test_the_first_sentence_of_a_servers_words(text: str, first: str) -> None:
    assert first_sentence(text, 42) == first
