"""What the Monty adapter hands back: plain JSON-shaped data, bounded in size."""

from __future__ import annotations

import datetime
import json

import pytest

from gateway_adapters.monty_sandbox import MAX_MESSAGE_CHARS, MAX_RESULT_CHARS, _checked, _cut, plain
from gateway_domain.code_mode import CodeFailure


def test_values_json_cannot_carry_become_the_nearest_plain_value() -> None:
    assert plain({1: {3, 1, 2}, "t": (1, b"\x00\xff"), "d": datetime.date(2026, 12, 1), "n": float("nan")}) == {
        "1": [1, 2, 3],
        "t": [1, "AP8="],
        "d": "2026-12-01",
        "n": "nan",
    }
    huge = plain(10**5000)
    assert huge.startswith("<an integer of 16610 bits")
    json.dumps(plain({"n": 10**5000}))


def test_a_result_too_large_to_return_is_refused_with_what_to_do() -> None:
    assert _checked(["x" * 1000]) == ["x" * 1000]
    for value in ("x" * (MAX_RESULT_CHARS + 1), [["y" * 1000] for _ in range(MAX_RESULT_CHARS // 1000)]):
        with pytest.raises(CodeFailure) as failure:
            _checked(value)
        assert failure.value.kind == "result_too_large"
        assert "Return less" in failure.value.message


def test_a_long_traceback_keeps_its_end() -> None:
    message = "Traceback ...\n" + "x" * (3 * MAX_MESSAGE_CHARS) + "\nValueError: the end"
    cut = _cut(message)
    assert len(cut) < MAX_MESSAGE_CHARS + 100
    assert cut.endswith("ValueError: the end")
