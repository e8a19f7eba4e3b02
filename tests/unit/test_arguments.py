from gateway_domain.arguments import argument_problems

SCHEMA = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "limit": {"type": "integer"},
        "mode": {"type": "string", "enum": ["fast", "exact"]},
        "tags": {"type": ["array", "null"]},
        "filter": {"anyOf": [{"type": "string"}, {"type": "object"}]},
    },
    "required": ["query"],
}


def test_valid_arguments_pass() -> None:
    assert argument_problems(SCHEMA, {"query": "x", "limit": 3, "mode": "fast", "tags": None, "filter": 1}) == []


def test_missing_and_unknown_arguments_are_named() -> None:
    problems = argument_problems(SCHEMA, {"q": "x"})
    assert problems[0] == "missing required argument(s) 'query'"
    assert problems[1].startswith("unknown argument(s) 'q' (known arguments: 'query', 'limit'")


def test_wrong_types_and_enum_values_are_named() -> None:
    problems = argument_problems(SCHEMA, {"query": 5, "limit": "3", "mode": "slow", "tags": "a"})
    assert "'query' must be string (got integer 5)" in problems
    assert "'limit' must be integer (got string '3')" in problems
    assert "'mode' must be one of 'fast', 'exact' (got 'slow')" in problems
    assert "'tags' must be array or null (got string 'a')" in problems


def test_booleans_are_not_integers_but_whole_floats_are() -> None:
    assert argument_problems(SCHEMA, {"query": "x", "limit": True}) == ["'limit' must be integer (got boolean True)"]
    assert argument_problems(SCHEMA, {"query": "x", "limit": 2.0}) == []


def test_open_schemas_accept_unknown_arguments() -> None:
    open_schema = {"type": "object", "properties": {"a": {}}, "additionalProperties": True}
    assert argument_problems(open_schema, {"b": 1}) == []
    assert argument_problems({"type": "object"}, {"anything": 1}) == []
