"""The composition root: configuration, wiring, ``python -m gateway_app``, and the public facade.

    from gateway_app import GatewayServer

    gateway = GatewayServer({"crm": "http://localhost:9000/mcp"})
    gateway.run(port=8080)

``GatewayServer`` is imported on first use: the server stack takes over a second to import, and
``python -m gateway_app`` must be able to reject a bad configuration before paying for it.
"""

from typing import TYPE_CHECKING, Any

from gateway_adapters.jwt_settings import JwtSettings
from gateway_domain import (
    AccessPolicy,
    CallContext,
    CallResult,
    DomainGrants,
    ErrorCode,
    ExecutionContext,
    ExecutionDenied,
    GatewayError,
    Identity,
    ListToolsContext,
    SelfDescribing,
    ToolSpec,
    Upstream,
    UpstreamCall,
)
from gateway_domain.code_mode import CodeFailure, CodeLimits, CodeOutcome, CodeSandbox

from .config import ConfigError, GatewayConfig, load_config

if TYPE_CHECKING:
    from .facade import GatewayServer

__all__ = [
    "AccessPolicy",
    "CallContext",
    "CallResult",
    "CodeFailure",
    "CodeLimits",
    "CodeOutcome",
    "CodeSandbox",
    "ConfigError",
    "DomainGrants",
    "ErrorCode",
    "ExecutionContext",
    "ExecutionDenied",
    "GatewayConfig",
    "GatewayError",
    "GatewayServer",
    "Identity",
    "JwtSettings",
    "ListToolsContext",
    "SelfDescribing",
    "ToolSpec",
    "Upstream",
    "UpstreamCall",
    "load_config",
]


def __getattr__(name: str) -> Any:
    if name == "GatewayServer":
        from .facade import GatewayServer

        return GatewayServer
    raise AttributeError(f"module 'gateway_app' has no attribute {name!r}")
