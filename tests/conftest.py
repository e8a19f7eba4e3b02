"""Shared test configuration: every async test runs on asyncio (fastmcp needs it)."""

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"
