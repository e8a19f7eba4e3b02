"""The ``CodeSandbox`` port on Monty (pydantic-monty): Python run in pooled worker processes.

Monty's workers are subprocesses with no file system, network or imports beyond a few pure
modules; host functions reach them only through ``external_lookup``. One pool lives as long as
the gateway (a pool per run costs ten times a checkout), and each run gets a fresh checkout, so
nothing one caller's code defines is visible to the next.

Three Monty pitfalls are handled here: ``feed_run`` returns a Future (awaited via
``ensure_future``, cancelled when the run is cancelled); host calls the code started can outlive
a failed run, so they are tracked and cancelled; and the pool must be followed by a short sleep
after closing, or a Tokio thread can abort the interpreter at exit.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import math
import re
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import anyio
import anyio.to_thread

from gateway_domain.code_mode import CodeFailure, CodeLimits, CodeOutcome, ToolFunction

WATCHDOG_MARGIN = 5.0
"""Seconds beyond a run's duration limit after which the pool kills a worker that does not answer."""
MAX_OUTPUT_CHARS = 64_000
"""Printed output kept per run; more is cut, with a note saying how much was dropped."""
MAX_RESULT_CHARS = 1_000_000
"""The largest result (as JSON) a run may return: the sandbox's memory limit bounds the worker,
not what the gateway holds and sends on; a model has no use for more in one answer anyway."""
MAX_MESSAGE_CHARS = 8_000
"""A failure's traceback is cut to its last this many characters (the error line is last)."""
MAX_WORKER_WAIT = 5.0
"""How long a run waits for a free worker before it is refused as busy (never longer than half
its own time limit)."""
_MAX_INT_BITS = 13_000
"""Beyond about 4,000 digits Python refuses to turn an integer into text, so JSON cannot carry it."""


_UNAWAITED = re.compile(r"<coroutine external_future\(\d+\)>")
"""How Monty hands back a tool call the code made but never awaited (as text, not as an object)."""


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-shaped data: what Monty hands back that JSON cannot carry (sets, bytes,
    datetimes, non-finite floats, its own function proxies) becomes the nearest plain value."""
    if depth > 64:
        return "…"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_INT_BITS:
        return f"<an integer of {value.bit_length()} bits, too large to return; return str(n)[:100] or a summary>"
    if isinstance(value, str) and _UNAWAITED.fullmatch(value):
        return f"{value} (a tool call that was never awaited: write `await tool(...)`)"
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(key): plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item, depth + 1) for item in value]
    if isinstance(value, set | frozenset):
        return [plain(item, depth + 1) for item in sorted(value, key=repr)]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    shown = repr(value)
    if shown.startswith("<coroutine"):
        return f"{shown} (a tool call that was never awaited: write `await tool(...)`)"
    return shown


def _cut(message: str) -> str:
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"[{len(message) - MAX_MESSAGE_CHARS} characters cut]\n{message[-MAX_MESSAGE_CHARS:]}"


def _checked(value: Any) -> Any:
    """``value`` as plain data, refused when its JSON would be larger than ``MAX_RESULT_CHARS``,
    or when it is a tool call the code forgot to await (its answer would be lost)."""
    if isinstance(value, str) and _UNAWAITED.fullmatch(value):
        raise CodeFailure(
            "runtime", "The code's result is a tool call that was never awaited: write `await tool(...)`."
        )
    if isinstance(value, str | bytes) and len(value) > MAX_RESULT_CHARS:
        size = len(value)
    else:
        value = plain(value)
        size = len(json.dumps(value, ensure_ascii=False))
    if size > MAX_RESULT_CHARS:
        raise CodeFailure(
            "result_too_large",
            f"The code's result is {size:,} characters; at most {MAX_RESULT_CHARS:,} can be returned. "
            "Return less: a slice, a count or a summary.",
        )
    return value


class _Output:
    """Collects what the code prints, up to ``MAX_OUTPUT_CHARS``."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._dropped = 0

    def __call__(self, stream: str, text: str) -> None:
        room = MAX_OUTPUT_CHARS - self._size
        if room <= 0:
            self._dropped += len(text)
            return
        self._parts.append(text[:room])
        self._size += min(len(text), room)
        self._dropped += max(len(text) - room, 0)

    def text(self) -> str:
        note = f"\n[{self._dropped} more characters of output were dropped]" if self._dropped else ""
        return "".join(self._parts) + note


class MontySandbox:
    """Runs code in a pool of Monty workers; enter it (``async with``) for the pool to exist."""

    def __init__(self, *, max_processes: int = 4, max_duration_secs: float = 30.0) -> None:
        self._max_processes = max_processes
        self._request_timeout = max_duration_secs + WATCHDOG_MARGIN
        self._pool: Any = None
        # Runs beyond the pool's size queue here, where waiting can be bounded and reported.
        self._workers = anyio.Semaphore(max_processes)

    async def __aenter__(self) -> MontySandbox:
        from pydantic_monty import AsyncMonty

        pool = AsyncMonty(min_processes=1, max_processes=self._max_processes, request_timeout=self._request_timeout)
        await pool.__aenter__()
        self._pool = pool
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.__aexit__(kind, error, trace)
            await asyncio.sleep(0.1)  # lets Monty's Tokio threads finish before the loop goes away

    async def run(self, code: str, functions: Mapping[str, ToolFunction], limits: CodeLimits) -> CodeOutcome:
        if self._pool is None:
            raise CodeFailure("unavailable", "The code sandbox is not running.")
        calls: set[asyncio.Task[Any]] = set()

        def tracked(function: ToolFunction) -> ToolFunction:
            async def call(*args: Any, **kwargs: Any) -> Any:
                task = asyncio.current_task()
                if task is not None:
                    calls.add(task)
                try:
                    return await function(*args, **kwargs)
                finally:
                    calls.discard(task)

            return call

        output = _Output()
        sandbox_limits = {
            # Monty counts its own CPU time, not waits on the host; the gateway holds the wall clock.
            "max_feed_duration_secs": limits.max_duration_secs,
            "max_memory": limits.max_memory,
            "max_recursion_depth": limits.max_recursion_depth,
            # every host call is a suspension; leave room for gather/futures around the calls
            "max_suspensions": max(1000, limits.max_nested_calls * 4),
        }
        acquired = False
        with anyio.move_on_after(min(MAX_WORKER_WAIT, limits.max_duration_secs / 2)):
            await self._workers.acquire()
            acquired = True
        if not acquired:
            raise CodeFailure(
                "busy",
                f"All {self._max_processes} code sandbox workers are busy with other runs; none of this code "
                "ran. Try again in a few seconds.",
            )
        try:
            value = await self._feed(code, functions, sandbox_limits, output, tracked, calls)
        finally:
            self._workers.release()
        return CodeOutcome(value=await anyio.to_thread.run_sync(_checked, value), output=output.text())

    async def _feed(
        self,
        code: str,
        functions: Mapping[str, ToolFunction],
        sandbox_limits: Mapping[str, Any],
        output: _Output,
        tracked: Any,
        calls: set[asyncio.Task[Any]],
    ) -> Any:
        from pydantic_monty import MontyCrashedError, MontyError, MontyRuntimeError, MontySyntaxError

        try:
            async with self._pool.checkout(limits=dict(sandbox_limits)) as session:
                feed = asyncio.ensure_future(
                    session.feed_run(
                        code, external_lookup={name: tracked(f) for name, f in functions.items()}, print_callback=output
                    )
                )
                try:
                    return await feed
                finally:
                    if not feed.done():
                        feed.cancel()
                    for task in list(calls):
                        task.cancel()
        except MontySyntaxError as error:
            raise CodeFailure("syntax", _cut(error.display("traceback"))) from None
        except MontyCrashedError as error:
            raise CodeFailure("crashed", f"The code's sandbox worker stopped: {_cut(str(error))}") from None
        except MontyRuntimeError as error:
            raise CodeFailure("runtime", _cut(error.display("traceback"))) from None
        except MontyError as error:
            raise CodeFailure("runtime", _cut(f"{type(error).__name__}: {error}")) from None
