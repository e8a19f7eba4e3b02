"""Search latency and index build time on a synthetic catalogue, in-process.

    .venv/bin/python bench/search_speed.py [--tools 10000] [--domains 50] [--queries 500] [--semantic]

Generates ``--tools`` tools spread over ``--domains`` domains, with names, descriptions and
parameters drawn from a realistic vocabulary, and prints:

- a build of the search index alone, and of the whole registry snapshot with its index, from
  nothing (what a restart costs);
- a rebuild after one domain changed (what each arriving listing costs: the other domains'
  analysed documents are reused);
- search latency p50/p90/p99 over ``--queries`` queries of 2–6 words, some misspelt (with
  ``--semantic``, each query is also run lexically right after, for a ratio this noisy machine
  cannot spoil), and p50 for a caller who may see nine tools in ten (the view of the snapshot and
  its search scope fetched for each request, as the gateway does).

``--semantic`` adds the WordLlama ranker (the ``semantic`` extra) to every build and query.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import anyio

from gateway_domain.context import CallContext
from gateway_domain.identity import DomainGrants, Identity
from gateway_domain.registry import DomainState, DomainStatus, RegistrySnapshot, build_snapshot
from gateway_domain.search import search, search_scope
from gateway_domain.search_index import SearchIndex
from gateway_domain.tools import ToolSpec
from gateway_domain.visibility import Access

# Word lists read best as words. A real catalogue of 10,000 tools uses thousands of distinct words;
# these few hundred make every posting list longer than it would be, so the numbers err on the slow side.
VERBS = "get list create update delete search find read write send fetch export import sync archive run".split()  # noqa: SIM905
NOUNS = (  # noqa: SIM905
    "user ticket invoice order customer contact deal repository branch commit issue file folder message "
    "channel event calendar report chart payment subscription product price stock weather route image "
    "document page table record note task project comment label webhook token log metric alert "
    "account address agent album answer article asset attachment audit backup badge balance batch bill "
    "board booking bucket budget build bundle campaign card cart category certificate change chat check "
    "cluster code collection column company config connection container contract cookie coupon course "
    "credential cube cursor dashboard database dataset device diagram discount domain draft email "
    "employee endpoint environment experiment feature feed field filter flag flight form function game "
    "gateway goal grant graph group guide hotel incident index instance integration inventory job key "
    "lead lesson library license link location lock mailbox map meeting member menu milestone model "
    "module monitor movie namespace network notebook notification offer organization package parcel "
    "partner permission photo pipeline plan player playlist podcast policy post prompt property queue "
    "quote recipe region release reminder request reservation resource review role rule schedule schema "
    "score secret segment sensor server service session shipment sheet shift site skill slide snapshot "
    "song space sprint survey team template tenant test thread timer topic trace track transaction trip "
    "user vehicle vendor version video volume wallet warehouse widget wiki workflow workspace zone"
).split()
ADJECTIVES = "recent open closed archived shared public private daily monthly pending failed active".split()  # noqa: SIM905
PHRASES = (
    "Returns the matching items as JSON.",
    "Supports pagination with a cursor.",
    "Requires an API key with read access.",
    "Filters by status, owner and date range.",
    "Use this when the user asks about it by name.",
)


def synthetic_states(tools: int, domains: int, seed: int = 7) -> list[DomainState]:
    rnd = random.Random(seed)
    per_domain: dict[str, list[ToolSpec]] = {f"service{d:03d}": [] for d in range(domains)}
    names = sorted(per_domain)
    for i in range(tools):
        domain = names[i % domains]
        verb, noun, other = rnd.choice(VERBS), rnd.choice(NOUNS), rnd.choice(NOUNS)
        adjective = rnd.choice(ADJECTIVES)
        description = f"{verb.capitalize()} {adjective} {noun}s linked to a {other}. " + " ".join(
            rnd.sample(PHRASES, 2)
        )
        schema = {
            "type": "object",
            "properties": {
                f"{noun}_id": {"type": "string", "description": f"The {noun} to {verb}."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Most results to return."},
                "status": {"type": "string", "enum": ["open", "closed", adjective]},
            },
            "required": [f"{noun}_id"],
        }
        per_domain[domain].append(ToolSpec(f"{verb}_{adjective}_{noun}_{i}", description, schema))
    return [
        DomainState(name=name, description=f"The {name} API", status=DomainStatus.READY, specs=tuple(specs))
        for name, specs in per_domain.items()
    ]


def queries(count: int, seed: int = 11) -> list[str]:
    rnd = random.Random(seed)
    found = []
    for _ in range(count):
        words = rnd.sample(VERBS, 1) + rnd.sample(NOUNS, rnd.randint(1, 3)) + rnd.sample(ADJECTIVES, rnd.randint(0, 2))
        if rnd.random() < 0.2:  # a typo: drop one letter of the longest word
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            word = words[longest]
            cut = rnd.randrange(len(word))
            words[longest] = word[:cut] + word[cut + 1 :]
        found.append(" ".join(words))
    return found


def timed(action: object) -> tuple[float, RegistrySnapshot]:
    started = time.perf_counter()
    result = action()  # type: ignore[operator]
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tools", type=int, default=10_000)
    parser.add_argument("--domains", type=int, default=50)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--semantic", action="store_true", help="add the WordLlama ranker (semantic extra)")
    args = parser.parse_args()

    semantic = None
    if args.semantic:
        from gateway_adapters.wordllama_ranker import WordLlamaRanker

        semantic = WordLlamaRanker()
    states = synthetic_states(args.tools, args.domains)
    builds = []
    snapshot = RegistrySnapshot()
    ranker = semantic
    for _ in range(3):
        ranker = type(semantic)(semantic.model) if semantic is not None else None  # nothing embedded yet
        seconds, snapshot = timed(lambda r=ranker: build_snapshot(states, semantic=r))
        builds.append(seconds)
    tools = list(snapshot.tools.values())
    descriptions = {name: view.description for name, view in snapshot.domains.items()}
    index_builds = []
    for _ in range(3):
        ranker = type(semantic)(semantic.model) if semantic is not None else None
        seconds, _ = timed(lambda r=ranker: SearchIndex.build(tools, descriptions, semantic=r))
        index_builds.append(seconds)
    changed = [*states[:-1], DomainState(name=states[-1].name, status=DomainStatus.READY, specs=states[-1].specs[1:])]
    rebuild, _ = timed(lambda: build_snapshot(changed, previous=snapshot, semantic=ranker))

    index = snapshot.search_index
    lexical = SearchIndex(index.documents) if semantic is not None else None
    asked = queries(args.queries)
    for query in asked[:20]:
        search(index, query)  # warm caches (term analysis) as a running gateway has them
    latencies, lexical_latencies = [], []
    for query in asked:
        started = time.perf_counter()
        search(index, query)
        latencies.append((time.perf_counter() - started) * 1000)
        if lexical is not None:  # the same query without the semantic ranker, in the same moment
            started = time.perf_counter()
            search(lexical, query)
            lexical_latencies.append((time.perf_counter() - started) * 1000)
    # A caller who may see nine tools in ten (per-caller visibility): each request gets its view of
    # the snapshot and that view's search scope, as the gateway's discovery does.
    visible, domains = {name for i, name in enumerate(snapshot.tools) if i % 10}, set(snapshot.domains)
    view_latencies = []
    for query in asked:
        started = time.perf_counter()
        view = snapshot.restricted_to(visible, domains)
        search(index, query, scope=search_scope(view, index))
        view_latencies.append((time.perf_counter() - started) * 1000)
    # A caller whose token grants nine domains in ten (no hooks): the view comes from the grants.
    access = Access(grants=DomainGrants("domains"))
    granted = CallContext(identity=Identity("u", {"domains": sorted(snapshot.domains)[: args.domains * 9 // 10]}))

    async def granted_requests() -> list[float]:
        found = []
        for query in asked:
            started = time.perf_counter()
            view = await access.restrict(snapshot, granted)
            search(index, query, scope=search_scope(view, index))
            found.append((time.perf_counter() - started) * 1000)
        return found

    granted_latencies = anyio.run(granted_requests)
    cuts = statistics.quantiles(latencies, n=100)
    ranker_name = "lexical + wordllama" if semantic else "lexical"
    print(f"catalogue: {args.tools} tools in {args.domains} domains; ranker: {ranker_name}")
    print(f"vocabulary: {len(index.postings)} terms, {sum(map(index.postings.frequency, index.postings))} postings")
    median = statistics.median(builds)
    print(f"search index build, from nothing:            best {min(index_builds):.3f} s")
    print(f"full build (snapshot + index, from nothing): best {min(builds):.3f} s, median {median:.3f} s")
    print(f"rebuild after one domain changed:            {rebuild:.3f} s")
    print(f"search over {len(asked)} queries: p50 {cuts[49]:.3f} ms  p90 {cuts[89]:.3f} ms  p99 {cuts[98]:.3f} ms")
    view_cuts = statistics.quantiles(view_latencies, n=100)
    print(f"  a caller who sees 90% of the tools (view + scope per request): p50 {view_cuts[49]:.3f} ms")
    granted_cuts = statistics.quantiles(granted_latencies, n=100)
    print(f"  a caller granted 90% of the domains by token (view + scope per request): p50 {granted_cuts[49]:.3f} ms")
    if lexical_latencies:
        lexical_cuts = statistics.quantiles(lexical_latencies, n=100)
        print(
            f"  the same queries, lexical only, interleaved: p50 {lexical_cuts[49]:.3f} ms"
            f"  p90 {lexical_cuts[89]:.3f} ms  (fused ÷ lexical at p50: {cuts[49] / lexical_cuts[49]:.2f})"
        )


if __name__ == "__main__":
    main()
