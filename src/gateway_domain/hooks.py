"""Execution hooks: the reference gateway's lifecycle callbacks, every phase optional.

A hook is any object with some of these async methods:

- ``on_authenticate(headers) -> user | None`` — who is calling; the last non-None answer wins;
- ``after_list_tools(tools, context) -> tools`` — which tools this caller may see (and so use);
- ``before_execute(context)`` — check, rewrite ``context.arguments``, add ``context.extra_headers``;
  raise :class:`ExecutionDenied` to refuse;
- ``transform_result(context, result) -> result`` and ``after_execute(context, result, is_error)
  -> result | None`` — rewrite or observe the answer (None keeps it);
- ``on_error(context, error)`` — observe a failure.

Hooks fail closed: a hook that raises anything but ``ExecutionDenied`` is logged and the request is
refused with ``execution_error`` (or, for ``on_error``, just logged) — a broken authorization hook
must never let a call through.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from attrs import define, field, frozen

from gateway_domain.errors import ErrorCode, GatewayError
from gateway_domain.tools import CallResult, JsonObject, Tool

log = logging.getLogger(__name__)

PHASES = (
    "on_authenticate",
    "after_list_tools",
    "before_execute",
    "transform_result",
    "after_execute",
    "on_error",
)


class ExecutionDenied(Exception):
    """Raised by a hook to refuse a call; the caller gets ``{"error": message, "code": code}``."""

    def __init__(self, message: str, code: str = ErrorCode.FORBIDDEN.value) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@define
class ExecutionContext:
    """One ``execute_tool`` call as hooks see it. ``arguments`` and ``extra_headers`` may be changed."""

    tool: Tool
    arguments: dict[str, Any]
    headers: Mapping[str, str]
    user: Any = None
    extra_headers: dict[str, str] = field(factory=dict)
    request_meta: JsonObject | None = None


@frozen
class ListToolsContext:
    """What ``after_list_tools`` knows of the request: the domain being browsed (None for all)."""

    domain: str | None
    headers: Mapping[str, str] = field(hash=False)
    user: Any = field(default=None, hash=False, eq=False)


def _phase(hook: Any, name: str) -> Callable[..., Awaitable[Any]] | None:
    method = getattr(hook, name, None)
    return method if callable(method) else None


def _failed(hook: Any, phase: str, exc: BaseException) -> GatewayError:
    log.error("hook %s.%s failed", type(hook).__name__, phase, exc_info=exc)
    return GatewayError(
        ErrorCode.EXECUTION_ERROR, "A gateway hook failed while handling this request; the failure was logged."
    )


async def _call(method: Callable[..., Any], *args: Any) -> Any:
    outcome = method(*args)
    return await outcome if inspect.isawaitable(outcome) else outcome


class HookRunner:
    """Runs the configured hooks, phase by phase, in the order they were given."""

    def __init__(self, hooks: Sequence[Any] = ()) -> None:
        unknown = [type(h).__name__ for h in hooks if not any(_phase(h, p) for p in PHASES)]
        if unknown:
            raise TypeError(f"hooks must implement at least one of {', '.join(PHASES)}: {', '.join(unknown)}")
        self._hooks = list(hooks)

    def has(self, phase: str) -> bool:
        return any(_phase(hook, phase) is not None for hook in self._hooks)

    def _with(self, phase: str) -> list[tuple[Any, Callable[..., Any]]]:
        return [(hook, method) for hook in self._hooks if (method := _phase(hook, phase)) is not None]

    async def authenticate(self, headers: Mapping[str, str], default: Any = None) -> Any:
        """The caller's identity: ``default`` (a verified token's) unless a hook says otherwise."""
        user = default
        for hook, method in self._with("on_authenticate"):
            try:
                answer = await _call(method, dict(headers))
            except Exception as exc:
                # An identity hook that breaks leaves the caller unauthenticated, never someone else.
                log.error("hook %s.on_authenticate failed", type(hook).__name__, exc_info=exc)
                return None
            if answer is not None:
                user = answer
        return user

    async def filter_tools(self, tools: Sequence[Tool], context: ListToolsContext) -> list[Tool]:
        """The tools the hooks let this caller see; a hook can only remove tools, never add any."""
        offered = {id(tool) for tool in tools}
        visible = list(tools)
        for hook, method in self._with("after_list_tools"):
            try:
                answer = await _call(method, list(visible), context)
            except Exception as exc:
                raise _failed(hook, "after_list_tools", exc) from None
            visible = [tool for tool in (answer or []) if id(tool) in offered]
        return visible

    async def before_execute(self, context: ExecutionContext) -> None:
        for hook, method in self._with("before_execute"):
            try:
                await _call(method, context)
            except ExecutionDenied:
                raise
            except Exception as exc:
                raise _failed(hook, "before_execute", exc) from None

    async def after_result(self, context: ExecutionContext, result: CallResult) -> CallResult:
        """``transform_result`` then ``after_execute``, each hook given the previous one's answer."""
        for hook, method in self._with("transform_result"):
            try:
                result = _as_result(await _call(method, context, result), result, hook, "transform_result")
            except ExecutionDenied:
                raise
            except Exception as exc:
                raise _failed(hook, "transform_result", exc) from None
        for hook, method in self._with("after_execute"):
            try:
                result = _as_result(
                    await _call(method, context, result, result.is_error), result, hook, "after_execute"
                )
            except ExecutionDenied:
                raise
            except Exception as exc:
                raise _failed(hook, "after_execute", exc) from None
        return result

    async def on_error(self, context: ExecutionContext, error: BaseException) -> None:
        for hook, method in self._with("on_error"):
            try:
                await _call(method, context, error)
            except Exception:
                log.exception("hook %s.on_error failed", type(hook).__name__)


def _as_result(answer: Any, previous: CallResult, hook: Any, phase: str) -> CallResult:
    """A hook may return a new ``CallResult``, plain text, or None to keep the previous result."""
    if answer is None:
        return previous
    if isinstance(answer, CallResult):
        return answer
    if isinstance(answer, str):
        return CallResult.text(answer, is_error=previous.is_error)
    raise TypeError(f"{type(hook).__name__}.{phase} returned {type(answer).__name__}; return a CallResult, str or None")
