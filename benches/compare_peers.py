#!/usr/bin/env python3
"""Path and reachability queries: fundtrace against plain Python, networkx,
python-igraph, scipy.sparse.csgraph and rustworkx, on the same generated
ledger, interleaved, with every answer checked.

Commands (from the repository root; see benches/README.md):

    python3 -m venv .venv && .venv/bin/pip install -r benches/requirements.txt
    .venv/bin/python benches/compare_peers.py --transfers 1000000 --rounds 5
    .venv/bin/python benches/compare_peers.py --transfers 10000000 --rounds 3 --dir /tmp/ftpeers-10m

The script builds `examples/peer_bench.rs`, generates DIR/transfers.csv and
DIR/query.json with it if they are missing, starts one server per contestant
(fundtrace and each Python peer in its own process), runs one warm-up round
and `--rounds` interleaved rounds, stops with exit status 1 if any answer
differs from fundtrace's, and prints min and median per contestant and a
summary table (query | fundtrace | best peer | ratio).

Timing rule: each server times the query call alone; load and graph build are
rows of their own, timed the same way on every side, and excluded from the
query rows on every side. A prebuilt index is not a graph: fundtrace's
ReachIndex is timed with its build (`fundtrace ReachIndex` in the
static-reach row).

Queries (the seed is the first theft's address, from the theft's time; the
targets are the 20 exchange addresses of query.json; transfers below 1 base
unit and self-transfers are not edges):
  load               the CSV into an event-ordered in-memory ledger
  build              the contestant's graph structures from that ledger
  static_reach       addresses reachable from the seed, ignoring time (BFS)
  static_fewest_20   fewest hops from the seed to each of the 20 targets,
                     ignoring time (one BFS; targets do not absorb)
  temporal_reach     addresses reachable by a temporal path
  earliest_20        earliest arrival at any target (targets absorb)
  fewest_20          fewest transfers on a temporal path to any target
  widest_20          largest bottleneck of a temporal path to any target
  fewest_each_20     fewest temporal hops to each of the 20 targets
  widest_each_20     largest bottleneck of a temporal path to each target
A temporal path uses strictly increasing transfer ids; the seed sends from
the first transfer at its start time on.

Peers use what an analyst would reach for: the library's own BFS or
distance call for the static queries; for the temporal ones (none of the
libraries has them) plain Python, as one pass over the time-ordered
transfers (`python scan`) and as a search over time-ordered out-edge lists
(`python search`: Dijkstra on arrival for earliest, hop levels for fewest,
and for widest fundtrace's own method, a binary search on the bottleneck
whose steps are earliest-arrival searches).
"""

import argparse
import heapq
import os
import sys
from collections import defaultdict, deque

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerbench  # noqa: E402

INF = float("inf")

DESCRIPTIONS = {
    "load": "load CSV into a ledger",
    "build": "build graph structures",
    "static_reach": "static reach (BFS)",
    "static_fewest_20": "fewest-hop paths to 20 exchanges (static)",
    "temporal_reach": "temporal reach",
    "earliest_20": "earliest arrival at any of 20 exchanges",
    "fewest_20": "fewest temporal hops to any of 20 exchanges",
    "widest_20": "widest temporal path to any of 20 exchanges",
    "fewest_each_20": "fewest temporal hops to each of 20 exchanges",
    "widest_each_20": "widest temporal path to each of 20 exchanges",
}


def static_pairs(d):
    return [(u, v) for u, v, a in zip(d.src, d.dst, d.amt) if a >= 1 and u != v]


def hops_or_none(x):
    return None if x is None or x == INF else int(x)


# ---------------------------------------------------------------- plain Python
def peer_python(d):
    g = {}

    def build():
        adj = defaultdict(set)  # static: distinct receivers
        outs = defaultdict(list)  # temporal: (transfer id, receiver), in event order
        for e, (u, v, a) in enumerate(zip(d.src, d.dst, d.amt)):
            if a >= 1 and u != v:
                adj[u].add(v)
                outs[u].append((e, v))
        g["adj"], g["outs"] = adj, outs
        g["amounts"] = sorted({a for a in d.amt if a >= 1})  # for the widest search
        return adj

    build()

    def static_reach():
        adj = g["adj"]
        seen = {d.seed}
        q = deque([d.seed])
        while q:
            for w in adj.get(q.popleft(), ()):
                if w not in seen:
                    seen.add(w)
                    q.append(w)
        return seen

    def static_fewest():
        adj = g["adj"]
        want = set(d.targets)
        found = {}
        seen = {d.seed}
        frontier = [d.seed]
        h = 0
        while frontier and len(found) < len(want):
            h += 1
            nxt = []
            for v in frontier:
                for w in adj.get(v, ()):
                    if w not in seen:
                        seen.add(w)
                        nxt.append(w)
                        if w in want:
                            found[w] = h
            frontier = nxt
        return [found.get(t) for t in d.targets]

    T, S, D, A, start, targets, seed = d.time, d.src, d.dst, d.amt, d.start, d.target_set, d.seed

    def edges():
        return zip(range(start, len(S)), S[start:], D[start:], A[start:])

    def temporal_reach():
        reached = {seed}
        for e, u, v, a in edges():
            if u in reached and a >= 1:
                reached.add(v)
        return reached

    def earliest_scan():
        reached = {seed}
        for e, u, v, a in edges():
            if u in reached and u not in targets and a >= 1 and u != v:
                if v in targets:
                    return e
                reached.add(v)
        return None

    def fewest_scan(absorb=True, stop=True):
        hops = {seed: 0}
        best = None
        for e, u, v, a in edges():
            h = hops.get(u)
            if h is None or (absorb and u in targets) or a < 1 or u == v:
                continue
            if h + 1 < hops.get(v, INF):
                hops[v] = h + 1
                if stop and v in targets and (best is None or h + 1 < best):
                    best = h + 1
                    if best == 1:
                        break
        return best if stop else hops

    def widest_scan(absorb=True):
        width = {seed: 1 << 200}
        best = None
        for e, u, v, a in edges():
            wu = width.get(u)
            if wu is None or (absorb and u in targets) or a < 1 or u == v:
                continue
            c = wu if wu < a else a
            if c > width.get(v, 0):
                width[v] = c
                if absorb and v in targets and (best is None or c > best):
                    best = c
        return best if absorb else width

    def earliest_search():
        """Dijkstra on arrival over time-ordered out-edges."""
        outs = g["outs"]
        depart = {seed: start}
        heap = [(start, seed)]
        while heap:
            t, v = heapq.heappop(heap)
            if t > depart.get(v, INF):
                continue
            if v in targets:
                return t - 1
            lst = outs.get(v, ())
            i = bisect_left_pairs(lst, t)
            for e, w in lst[i:]:
                if e + 1 < depart.get(w, INF):
                    depart[w] = e + 1
                    heapq.heappush(heap, (e + 1, w))
        return None

    def fewest_search():
        """Hop levels; per address the earliest departure reached with fewer hops."""
        outs = g["outs"]
        best = {seed: start}
        frontier = {seed: start}
        hops = 0
        while frontier:
            hops += 1
            nxt = {}
            for v, t in frontier.items():
                if v in targets:
                    continue
                lst = outs.get(v, ())
                for e, w in lst[bisect_left_pairs(lst, t):]:
                    if e + 1 < best.get(w, INF) and e + 1 < nxt.get(w, INF):
                        nxt[w] = e + 1
            if any(w in targets for w in nxt):
                return hops
            best.update(nxt)
            frontier = nxt
        return None

    def widest_search():
        """fundtrace's algorithm in Python: a binary search on the bottleneck
        over the ledger's distinct amounts, each step an earliest-arrival
        search using only transfers of at least that amount."""
        outs, amounts = g["outs"], g["amounts"]

        def feasible(w):
            depart = {seed: start}
            heap = [(start, seed)]
            while heap:
                t, v = heapq.heappop(heap)
                if t > depart.get(v, INF):
                    continue
                if v in targets:
                    return True
                lst = outs.get(v, ())
                for e, x in lst[bisect_left_pairs(lst, t):]:
                    if A[e] >= w and e + 1 < depart.get(x, INF):
                        depart[x] = e + 1
                        heapq.heappush(heap, (e + 1, x))
            return False

        lo, hi = 0, len(amounts) - 1
        if hi < 0 or not feasible(amounts[0]):
            return None
        while lo < hi:  # amounts[lo] is feasible
            mid = (lo + hi + 1) // 2
            if feasible(amounts[mid]):
                lo = mid
            else:
                hi = mid - 1
        return amounts[lo]

    def fewest_each():
        hops = fewest_scan(absorb=False, stop=False)
        return [hops.get(t) for t in d.targets]

    def widest_each():
        width = widest_scan(absorb=False)
        return [None if t not in width else str(width[t]) for t in d.targets]

    ident = lambda x: x  # noqa: E731
    return {
        "build": (build, lambda adj: sum(len(s) for s in adj.values())),
        "static_reach": (static_reach, d.set_digest),
        "static_fewest_20": (static_fewest, ident),
        "temporal_reach": (temporal_reach, d.set_digest),
        "earliest_20": (earliest_scan, ident),
        "earliest_20_search": (earliest_search, ident),
        "fewest_20": (fewest_scan, ident),
        "fewest_20_search": (fewest_search, ident),
        "widest_20": (widest_scan, lambda w: None if w is None else str(w)),
        "widest_20_search": (widest_search, lambda w: None if w is None else str(w)),
        "fewest_each_20": (fewest_each, ident),
        "widest_each_20": (widest_each, ident),
    }


def bisect_left_pairs(lst, t):
    """First position in a list of (transfer id, receiver) with id >= t."""
    lo, hi = 0, len(lst)
    while lo < hi:
        mid = (lo + hi) // 2
        if lst[mid][0] < t:
            lo = mid + 1
        else:
            hi = mid
    return lo


# ---------------------------------------------------------------- libraries
def peer_networkx(d):
    import networkx as nx

    g = {}

    def build():
        x = nx.DiGraph()
        x.add_nodes_from(range(d.n))
        x.add_edges_from(static_pairs(d))
        g["g"] = x
        return x

    build()

    def fewest():
        dist = nx.single_source_shortest_path_length(g["g"], d.seed)
        return [dist.get(t) for t in d.targets]

    return {
        "build": (build, lambda x: x.number_of_edges()),
        "static_reach": (lambda: nx.descendants(g["g"], d.seed) | {d.seed}, d.set_digest),
        "static_fewest_20": (fewest, lambda x: x),
    }


def peer_igraph(d):
    import igraph as ig

    g = {}

    def build():
        g["g"] = ig.Graph(n=d.n, edges=static_pairs(d), directed=True)
        return g["g"]

    build()

    def fewest():
        return [hops_or_none(x) for x in g["g"].distances(source=[d.seed], target=d.targets, mode="out")[0]]

    return {
        "build": (build, lambda x: None),  # a multigraph: no distinct-edge count
        "static_reach": (lambda: g["g"].subcomponent(d.seed, mode="out"), d.set_digest),
        "static_fewest_20": (fewest, lambda x: x),
    }


def peer_scipy(d):
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    g = {}

    def build():
        src, dst, amt = np.asarray(d.src), np.asarray(d.dst), np.array(d.amt, dtype=object)
        keep = (src != dst) & (amt >= 1).astype(bool)
        s, t = src[keep], dst[keep]
        g["m"] = csr_matrix((np.ones(len(s), dtype=np.int32), (s, t)), shape=(d.n, d.n))
        return g["m"]

    build()

    def fewest():
        order, pred = breadth_first_order(g["m"], d.seed, directed=True, return_predecessors=True)
        out = []
        for t in d.targets:
            if t != d.seed and pred[t] < 0:
                out.append(None)
                continue
            h, v = 0, t
            while v != d.seed:
                v = pred[v]
                h += 1
            out.append(h)
        return out

    return {
        "build": (build, lambda m: int(m.nnz)),
        "static_reach": (lambda: breadth_first_order(g["m"], d.seed, directed=True, return_predecessors=False),
                         lambda order: d.set_digest(order.tolist())),
        "static_fewest_20": (fewest, lambda x: x),
    }


def peer_rustworkx(d):
    import rustworkx as rx

    g = {}

    def build():
        x = rx.PyDiGraph()  # a multigraph, the default (multigraph=False checks every insert: quadratic at hubs)
        x.add_nodes_from(range(d.n))
        x.add_edges_from_no_data(static_pairs(d))
        g["g"] = x
        return x

    build()

    def fewest():
        level = {}
        for h, layer in enumerate(rx.bfs_layers(g["g"], [d.seed])):
            for v in layer:
                level[v] = h
        return [level.get(t) for t in d.targets]

    return {
        "build": (build, lambda x: None),  # a multigraph: no distinct-edge count
        "static_reach": (lambda: rx.descendants(g["g"], d.seed) | {d.seed}, d.set_digest),
        "static_fewest_20": (fewest, lambda x: x),
    }


PEERS = {"python": peer_python, "networkx": peer_networkx, "igraph": peer_igraph, "scipy": peer_scipy,
         "rustworkx": peer_rustworkx}

# Per row: (label, server name, command). The first entry is the reference.
PLAN = [
    ("load", [("fundtrace", "fundtrace", "load"), ("python csv", "python", "load")]),
    ("build", [("fundtrace", "fundtrace", "build")] + [(p, p, "build") for p in PEERS]),
    ("static_reach", [("fundtrace BFS", "fundtrace", "static_reach"),
                      ("fundtrace ReachIndex build+query", "fundtrace", "static_reach_index")]
     + [(p, p, "static_reach") for p in PEERS]),
    ("static_fewest_20", [("fundtrace reach() + levels", "fundtrace", "static_fewest_20"),
                          ("fundtrace hops_to (early exit)", "fundtrace", "static_fewest_20_early")]
     + [(p, p, "static_fewest_20") for p in PEERS]),
    ("temporal_reach", [("fundtrace", "fundtrace", "temporal_reach"), ("python scan", "python", "temporal_reach")]),
    ("earliest_20", [("fundtrace", "fundtrace", "earliest_20"), ("python scan", "python", "earliest_20"),
                     ("python search", "python", "earliest_20_search")]),
    ("fewest_20", [("fundtrace", "fundtrace", "fewest_20"), ("python scan", "python", "fewest_20"),
                   ("python search", "python", "fewest_20_search")]),
    ("widest_20", [("fundtrace", "fundtrace", "widest_20"), ("python scan", "python", "widest_20"),
                   ("python search", "python", "widest_20_search")]),
    ("fewest_each_20", [("fundtrace best_to_each", "fundtrace", "fewest_each_20"),
                        ("fundtrace temporal_reach()", "fundtrace", "fewest_each_20_reach"),
                        ("fundtrace 20 queries", "fundtrace", "fewest_each_20_queries"),
                        ("python scan", "python", "fewest_each_20")]),
    ("widest_each_20", [("fundtrace best_to_each", "fundtrace", "widest_each_20"),
                        ("fundtrace 20 queries", "fundtrace", "widest_each_20_queries"),
                        ("python scan", "python", "widest_each_20")]),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transfers", type=int, default=1_000_000)
    ap.add_argument("--dir", help="data directory (default /tmp/ftpeers-N)")
    ap.add_argument("--rounds", type=int, default=5, help="measured rounds (after one warm-up round)")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of " + ",".join(PEERS))
    ap.add_argument("--queries", default=",".join(r for r, _ in PLAN), help="comma-separated rows")
    ap.add_argument("--cpu", type=int, help="pin every server to this CPU (taskset)")
    ap.add_argument("--no-build", action="store_true", help="use the built example as it is")
    ap.add_argument("--serve", nargs=2, metavar=("PEER", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        peerbench.serve(PEERS[args.serve[0]], args.serve[1])
        return
    directory = args.dir or f"/tmp/ftpeers-{args.transfers}"
    binary = peerbench.fundtrace_binary(build=not args.no_build)
    peerbench.ensure_data(binary, args.transfers, directory)
    peers = [p for p in args.peers.split(",") if p]
    queries = set(args.queries.split(","))
    plan = [(row, [e for e in entries if e[1] == "fundtrace" or e[1] in peers])
            for row, entries in PLAN if row in queries]
    needed = {srv for _, entries in plan for _, srv, _ in entries}
    servers = {"fundtrace": peerbench.Server("fundtrace", peerbench.pinned([binary, "serve", directory], args.cpu))}
    for p in peers:
        if p in needed:
            argv = [sys.executable, os.path.abspath(__file__), "--serve", p, directory]
            servers[p] = peerbench.Server(p, peerbench.pinned(argv, args.cpu))
    for s in servers.values():
        s.ready()
    rows = [(row, [(label, servers[srv], cmd) for label, srv, cmd in entries]) for row, entries in plan]
    try:
        times = peerbench.interleave(rows, args.rounds)
    finally:
        for s in servers.values():
            s.close()
    print("\nall answers agree with fundtrace's")
    peerbench.report(f"{args.transfers} transfers", rows, times, "fundtrace", DESCRIPTIONS, args.rounds)


if __name__ == "__main__":
    main()
