import anyio
import pytest

from gateway_domain import ErrorCode, Gateway, GatewayError, UpstreamRegistration
from gateway_domain.registry import DomainStatus

from .fakes import FakeUpstream, spec


async def test_refresh_reports_added_and_removed_tools(gateway: Gateway, web: FakeUpstream) -> None:
    web.tools = [spec("fetch_page"), spec("screenshot")]
    changes = {c.domain: c for c in await gateway.refresh()}
    assert changes["web"].added == ("screenshot",)
    assert changes["web"].removed == ("web_search",)
    assert changes["crm"].added == ("search",)
    assert changes["crm"].removed == ("crm_search",)
    assert changes["crm"].tool_count == 3
    assert "search" in gateway.snapshot.tools, "the collision is gone, so the bare name comes back"


async def test_a_failed_upstream_keeps_serving_its_last_tools(gateway: Gateway, web: FakeUpstream) -> None:
    web.list_error = GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "down")
    [change] = await gateway.refresh(["web"])
    assert change.status is DomainStatus.FAILED
    assert change.error_code == "upstream_unavailable"
    assert gateway.snapshot.domains["web"].tool_count == 2
    assert gateway.statuses()["web"] is DomainStatus.FAILED


async def test_a_hung_upstream_does_not_delay_the_others() -> None:
    slow, fast = FakeUpstream([spec("a")]), FakeUpstream([spec("b")])
    slow.hang = True
    gateway = Gateway()
    await gateway.register(UpstreamRegistration("slow", slow, list_timeout=0.3))
    await gateway.register(UpstreamRegistration("fast", fast))
    assert not gateway.is_ready()
    with anyio.fail_after(5):
        changes = {c.domain: c for c in await gateway.refresh()}
    assert changes["slow"].error_code == "upstream_timeout"
    assert changes["fast"].added == ("b",)
    assert gateway.is_ready()


async def test_listing_holds_no_lock_so_reads_and_other_writes_proceed() -> None:
    started, release = anyio.Event(), anyio.Event()

    class Gated(FakeUpstream):
        async def list_tools(self):  # type: ignore[no-untyped-def]
            started.set()
            await release.wait()
            return await super().list_tools()

    gateway = Gateway()
    await gateway.register(UpstreamRegistration("gated", Gated([spec("a")])))
    async with anyio.create_task_group() as group:
        group.start_soon(gateway.refresh)
        await started.wait()
        with anyio.fail_after(1):
            await gateway.register(UpstreamRegistration("other", FakeUpstream([spec("b")])))
            await gateway.refresh(["other"])
        assert "b" in gateway.snapshot.tools
        release.set()
    assert {"a", "b"} <= set(gateway.snapshot.tools)


async def test_an_unexpected_listing_failure_is_reported_without_internals() -> None:
    broken = FakeUpstream()
    broken.list_error = ValueError("password=hunter2")
    gateway = Gateway()
    await gateway.register(UpstreamRegistration("broken", broken))
    [change] = await gateway.refresh()
    assert change.error_code == "upstream_error"
    assert "hunter2" not in (change.error_message or "")


async def test_listeners_see_every_new_snapshot() -> None:
    seen: list[int] = []
    gateway = Gateway()
    gateway.subscribe(lambda snapshot: seen.append(snapshot.tool_count))
    await gateway.register(UpstreamRegistration("a", FakeUpstream([spec("x"), spec("y")])))
    await gateway.refresh()
    assert seen == [0, 2]


async def test_each_upstream_is_applied_as_soon_as_it_answers() -> None:
    release = anyio.Event()

    class Slow(FakeUpstream):
        async def list_tools(self):  # type: ignore[no-untyped-def]
            await release.wait()
            return await super().list_tools()

    gateway = Gateway()
    await gateway.register(UpstreamRegistration("slow", Slow([spec("a")])))
    await gateway.register(UpstreamRegistration("fast", FakeUpstream([spec("b")])))
    async with anyio.create_task_group() as group:
        group.start_soon(gateway.refresh)
        with anyio.fail_after(2):
            while "b" not in gateway.snapshot.tools:
                await anyio.sleep(0.01)
        assert gateway.statuses() == {"fast": DomainStatus.READY, "slow": DomainStatus.PENDING}
        assert not gateway.is_ready()
        release.set()
    assert gateway.is_ready()


async def test_the_report_shows_renames_caused_by_another_domain() -> None:
    first, second = FakeUpstream([spec("search")]), FakeUpstream([])
    gateway = Gateway()
    await gateway.register(UpstreamRegistration("first", first))
    await gateway.register(UpstreamRegistration("second", second))
    await gateway.refresh()
    second.tools = [spec("search")]
    changes = {c.domain: c for c in await gateway.refresh()}
    assert (changes["first"].added, changes["first"].removed) == (("first_search",), ("search",))
    assert changes["second"].added == ("second_search",)


async def test_maintenance_brings_back_an_upstream_that_was_down() -> None:
    from gateway_domain.gateway import RetryPolicy

    down = FakeUpstream([spec("late_tool")])
    down.list_error = GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "down")
    gateway = Gateway()
    await gateway.register(UpstreamRegistration("late", down))
    async with anyio.create_task_group() as group:
        group.start_soon(lambda: gateway.maintain(retry=RetryPolicy(first_delay=0.05, max_delay=0.1), tick=0.01))
        with anyio.fail_after(5):
            while gateway.statuses()["late"] is not DomainStatus.FAILED:
                await anyio.sleep(0.01)
            tries = down.list_count
            while down.list_count < tries + 2:
                await anyio.sleep(0.01)
            down.list_error = None
            while "late_tool" not in gateway.snapshot.tools:
                await anyio.sleep(0.01)
        group.cancel_scope.cancel()
    assert gateway.statuses()["late"] is DomainStatus.READY


async def test_maintenance_refreshes_everything_on_the_interval() -> None:
    upstream = FakeUpstream([spec("a")])
    gateway = Gateway()
    await gateway.register(UpstreamRegistration("x", upstream))
    async with anyio.create_task_group() as group:
        group.start_soon(lambda: gateway.maintain(refresh_interval=0.05, tick=0.01))
        with anyio.fail_after(5):
            while upstream.list_count < 3:
                await anyio.sleep(0.01)
            upstream.tools = [spec("a"), spec("b")]
            while "b" not in gateway.snapshot.tools:
                await anyio.sleep(0.01)
        group.cancel_scope.cancel()


def test_retry_delays_stay_bounded_however_long_an_upstream_fails() -> None:
    from gateway_adapters.mcp_upstream import RestartPolicy
    from gateway_domain.gateway import RetryPolicy

    assert RetryPolicy().delay(5000) == RetryPolicy().max_delay
    assert RestartPolicy().delay(5000) == RestartPolicy().max_delay


async def test_first_requests_wait_briefly_for_upstreams_still_being_listed() -> None:
    release = anyio.Event()

    class Slow(FakeUpstream):
        async def list_tools(self):  # type: ignore[no-untyped-def]
            await release.wait()
            return await super().list_tools()

    gateway = Gateway(startup_wait=5)
    await gateway.register(UpstreamRegistration("slow", Slow([spec("late_tool")])))
    async with anyio.create_task_group() as group:
        group.start_soon(gateway.refresh)
        release.set()
        with anyio.fail_after(5):
            result = await gateway.execute("late_tool", {})
    assert result.texts() == ["late_tool ok"]


async def test_a_hung_first_listing_delays_requests_only_for_the_startup_wait() -> None:
    hung = FakeUpstream([spec("never")])
    hung.hang = True
    gateway = Gateway(startup_wait=0.2)
    await gateway.register(UpstreamRegistration("hung", hung, list_timeout=60))
    async with anyio.create_task_group() as group:
        group.start_soon(gateway.refresh)
        with anyio.fail_after(5), pytest.raises(GatewayError) as error:
            await gateway.execute("never", {})
        group.cancel_scope.cancel()
    assert error.value.details["unavailable_domains"] == ["hung"]
