"""Which semantic ranker, if any, the gateway fuses with its lexical search.

The ranker is an optional extra (``pip install 'mcp-discovery-gateway[semantic]'``): search is
already good without it, so by default it is used when installed and silently left out when not.
``GATEWAY_SEARCH_SEMANTIC=on`` makes a missing extra a configuration error; ``off`` never loads it.
"""

from __future__ import annotations

import logging

from gateway_domain import SemanticRanker

from .config import ConfigError, SemanticSearch

log = logging.getLogger(__name__)


def semantic_ranker(mode: SemanticSearch) -> SemanticRanker | None:
    if mode is SemanticSearch.OFF:
        return None
    try:
        from gateway_adapters.wordllama_ranker import WordLlamaRanker

        ranker = WordLlamaRanker()
    except ImportError as error:
        if mode is SemanticSearch.ON:
            raise ConfigError(
                [
                    "GATEWAY_SEARCH_SEMANTIC: 'on' needs the semantic extra "
                    f"(pip install 'mcp-discovery-gateway[semantic]'): {error}"
                ]
            ) from None
        log.info("semantic search is off: the semantic extra (wordllama) is not installed")
        return None
    log.info("semantic search is on: lexical ranking fused with WordLlama embeddings")
    return ranker
