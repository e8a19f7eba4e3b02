"""The gateway's domain: registry, naming, search, signatures and the use cases, with no I/O.

Imports only the standard library, attrs, cattrs and anyio (``tests/unit/test_architecture.py``
keeps it that way), so it runs behind any server framework and its tests need no sockets.
"""

from gateway_domain.context import ANONYMOUS, CallContext
from gateway_domain.discovery import MAX_QUERY_CHARS, DiscoverFormat, DiscoverRequest, Discovery
from gateway_domain.errors import ErrorCode, GatewayError
from gateway_domain.gateway import Gateway, RetryPolicy, UpstreamRegistration
from gateway_domain.glossing import Glosser
from gateway_domain.hooks import ExecutionContext, ExecutionDenied, HookRunner, ListToolsContext
from gateway_domain.identity import DomainGrants, Identity
from gateway_domain.policy import AccessPolicy
from gateway_domain.ports import NoopTracer, ProgressSink, SelfDescribing, Span, Tracer, Upstream, UpstreamCall
from gateway_domain.registry import DomainChange, DomainState, DomainStatus, RegistrySnapshot
from gateway_domain.semantic import SemanticIndex, SemanticRanker
from gateway_domain.tools import CallResult, JsonObject, Tool, ToolSpec

__all__ = [
    "ANONYMOUS",
    "MAX_QUERY_CHARS",
    "AccessPolicy",
    "CallContext",
    "CallResult",
    "DiscoverFormat",
    "DiscoverRequest",
    "Discovery",
    "DomainChange",
    "DomainGrants",
    "DomainState",
    "DomainStatus",
    "ErrorCode",
    "ExecutionContext",
    "ExecutionDenied",
    "Gateway",
    "GatewayError",
    "Glosser",
    "HookRunner",
    "Identity",
    "JsonObject",
    "ListToolsContext",
    "NoopTracer",
    "ProgressSink",
    "RegistrySnapshot",
    "RetryPolicy",
    "SelfDescribing",
    "SemanticIndex",
    "SemanticRanker",
    "Span",
    "Tool",
    "ToolSpec",
    "Tracer",
    "Upstream",
    "UpstreamCall",
    "UpstreamRegistration",
]
