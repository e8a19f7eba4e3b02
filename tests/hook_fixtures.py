"""Hooks loaded by ``GATEWAY_HOOK_MODULE=tests.hook_fixtures:create_hooks`` in the e2e tests."""

from __future__ import annotations

from typing import Any


class StampCaller:
    """Tells the upstream who is calling, from the verified token, in a header of its own."""

    async def before_execute(self, context: Any) -> None:
        user = context.user
        context.extra_headers["X-Caller"] = getattr(user, "subject", None) or "anonymous"


class AdminsOnly:
    """Tools that can fail on purpose are for admins only."""

    async def after_list_tools(self, tools: list[Any], context: Any) -> list[Any]:
        roles = getattr(context.user, "claims", {}).get("roles", [])
        return tools if "admin" in roles else [tool for tool in tools if "fail" not in tool.name]


def create_hooks() -> list[Any]:
    return [StampCaller(), AdminsOnly()]


def broken_factory() -> list[Any]:
    raise RuntimeError("the hook factory is broken")
