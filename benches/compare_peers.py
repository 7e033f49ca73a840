#!/usr/bin/env python3
"""Run fundtrace's path queries and the same queries in networkx, python-igraph,
rustworkx and scipy.sparse on the same generated ledger, check that every
answer agrees, and print the times side by side.

    pip install networkx python-igraph rustworkx scipy numpy
    python3 benches/compare_peers.py --transfers 1000000

The fundtrace side is `examples/compare_paths.rs`: it generates the ledger
(the crate's deterministic generator), writes `edges.csv` (`id,src,dst,amount`
in event order, addresses as integer ids) and `query.json` (the seed of the
first theft, its start transfer, the exchange set), runs each query and prints
answers and median times. This script reads the same files.

Queries (identical semantics everywhere; transfers below 1 base unit and
self-transfers are not edges):
  static_reach      addresses reachable from the seed ignoring time (seed included)
  earliest_arrival  smallest transfer id that reaches an exchange on a temporal path
  fewest_hops       fewest transfers on a temporal path to an exchange
  widest            largest bottleneck of a temporal path to an exchange
Temporal paths start at the seed at or after the start transfer, use strictly
increasing transfer ids, and stop at the first exchange address.

fundtrace answers static reachability from its ReachIndex (strongly connected
components of the deduplicated static graph, built once like the peers'
graphs; its build time is printed), the temporal queries with the defaults of
PathQuery (a sparse search with a budget, then the one-pass scan; for the
widest path, a binary search on the bottleneck whose steps are such searches).

Each peer uses what an analyst would write with that library: its own
reachability call for static reachability; for the temporal queries (none of
these libraries has one) a Dijkstra on arrival time and a hop-level search
over the library's adjacency, and a one-pass scan over the library's edge list
sorted by time for the widest path. scipy.sparse, which has no adjacency
iteration worth using from Python, gets plain one-pass scans over its arrays.
Graph construction is timed separately and excluded from query times, as
fundtrace's ingest and graph build are.
"""

import argparse
import csv
import heapq
import json
import os
import statistics
import subprocess
import sys
import time

INF = float("inf")


def timed(runs, f):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = f()
        times.append((time.perf_counter() - t) * 1e3)
    return out, statistics.median(times)


# ---------------------------------------------------------------- temporal queries over an adjacency
def earliest_search(out_edges, seeds, targets, start):
    """Dijkstra on arrival: out_edges(v) yields (transfer id, receiver)."""
    depart = {s: start for s in seeds}
    heap = [(start, s) for s in seeds]
    heapq.heapify(heap)
    while heap:
        d, v = heapq.heappop(heap)
        if d > depart.get(v, INF):
            continue
        if v in targets:
            return d - 1
        for e, w in out_edges(v):
            if e >= d and e + 1 < depart.get(w, INF):
                depart[w] = e + 1
                heapq.heappush(heap, (e + 1, w))
    return None


def fewest_search(out_edges, seeds, targets, start):
    """Hop-level search keeping, per address, the earliest departure reached with fewer hops."""
    best = {s: start for s in seeds}
    frontier = dict(best)
    hops = 0
    while frontier:
        hops += 1
        nxt = {}
        for v, d in frontier.items():
            if v in targets:
                continue
            for e, w in out_edges(v):
                if e >= d and e + 1 < best.get(w, INF) and e + 1 < nxt.get(w, INF):
                    nxt[w] = e + 1
        if any(w in targets for w in nxt):
            return hops
        best.update(nxt)
        frontier = nxt
    return None


# ---------------------------------------------------------------- one-pass scans over time-sorted edges
def earliest_scan(edges, seeds, targets, start):
    reached = set(seeds)
    for e, u, v, a in edges:
        if e < start or u not in reached or u in targets:
            continue
        if v in targets:
            return e
        reached.add(v)
    return None


def fewest_scan(edges, seeds, targets, start):
    hops = {s: 0 for s in seeds}
    best = None
    for e, u, v, a in edges:
        if e < start:
            continue
        h = hops.get(u)
        if h is None or u in targets:
            continue
        if h + 1 < hops.get(v, INF):
            hops[v] = h + 1
            if v in targets and (best is None or h + 1 < best):
                best = h + 1
                if best == 1:
                    break
    return best


def widest_scan(edges, seeds, targets, start):
    width = {s: 1 << 200 for s in seeds}
    best = None
    for e, u, v, a in edges:
        if e < start:
            continue
        wu = width.get(u)
        if wu is None or u in targets:
            continue
        c = wu if wu < a else a
        if c > width.get(v, -1):
            width[v] = c
            if v in targets and (best is None or c > best):
                best = c
    return best


# ---------------------------------------------------------------- peers
def run_networkx(data, runs):
    import networkx as nx

    ids, src, dst, amt, n, seeds, targets, start = data
    t = time.perf_counter()
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((u, v, {"id": e, "amount": a}) for e, u, v, a in zip(ids, src, dst, amt))
    edges = sorted(((d["id"], u, v, d["amount"]) for u, v, d in g.edges(data=True)))
    build = (time.perf_counter() - t) * 1e3

    def out_edges(v):
        return ((d["id"], w) for _, w, d in g.out_edges(v, data=True))

    res = {}
    res["static_reach"] = timed(runs, lambda: len(set().union(*(nx.descendants(g, s) for s in seeds)) | set(seeds)))
    res["earliest_arrival"] = timed(runs, lambda: earliest_search(out_edges, seeds, targets, start))
    res["fewest_hops"] = timed(runs, lambda: fewest_search(out_edges, seeds, targets, start))
    res["widest"] = timed(runs, lambda: widest_scan(edges, seeds, targets, start))
    return build, res


def run_igraph(data, runs):
    import igraph as ig

    ids, src, dst, amt, n, seeds, targets, start = data
    t = time.perf_counter()
    g = ig.Graph(n=n, edges=list(zip(src, dst)), directed=True)
    g.es["id"] = ids
    g.es["amount"] = amt
    eid = g.es["id"]
    eto = [e.target for e in g.es]
    edges = sorted(zip(g.es["id"], [e.source for e in g.es], eto, g.es["amount"]))
    build = (time.perf_counter() - t) * 1e3

    def out_edges(v):
        return ((eid[x], eto[x]) for x in g.incident(v, mode="out"))

    res = {}
    res["static_reach"] = timed(runs, lambda: len(set().union(*(g.subcomponent(s, mode="out") for s in seeds))))
    res["earliest_arrival"] = timed(runs, lambda: earliest_search(out_edges, seeds, targets, start))
    res["fewest_hops"] = timed(runs, lambda: fewest_search(out_edges, seeds, targets, start))
    res["widest"] = timed(runs, lambda: widest_scan(edges, seeds, targets, start))
    return build, res


def run_rustworkx(data, runs):
    import rustworkx as rx

    ids, src, dst, amt, n, seeds, targets, start = data
    t = time.perf_counter()
    g = rx.PyDiGraph(multigraph=True)
    g.add_nodes_from(range(n))
    g.add_edges_from(list(zip(src, dst, zip(ids, amt))))
    edges = sorted((p[0], u, v, p[1]) for u, v, p in g.weighted_edge_list())
    build = (time.perf_counter() - t) * 1e3

    def out_edges(v):
        return ((p[0], w) for _, w, p in g.out_edges(v))

    res = {}
    res["static_reach"] = timed(runs, lambda: len(set().union(*(rx.descendants(g, s) for s in seeds)) | set(seeds)))
    res["earliest_arrival"] = timed(runs, lambda: earliest_search(out_edges, seeds, targets, start))
    res["fewest_hops"] = timed(runs, lambda: fewest_search(out_edges, seeds, targets, start))
    res["widest"] = timed(runs, lambda: widest_scan(edges, seeds, targets, start))
    return build, res


def run_scipy(data, runs):
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    ids, src, dst, amt, n, seeds, targets, start = data
    t = time.perf_counter()
    m = csr_matrix((np.ones(len(src)), (np.asarray(src), np.asarray(dst))), shape=(n, n))
    order = np.argsort(np.asarray(ids), kind="stable")
    e_ids = np.asarray(ids)[order].tolist()
    e_src = np.asarray(src)[order].tolist()
    e_dst = np.asarray(dst)[order].tolist()
    e_amt = [amt[i] for i in order.tolist()]
    edges = list(zip(e_ids, e_src, e_dst, e_amt))
    build = (time.perf_counter() - t) * 1e3

    def reach():
        seen = set()
        for s in seeds:
            seen.update(breadth_first_order(m, s, directed=True, return_predecessors=False).tolist())
        return len(seen)

    res = {}
    res["static_reach"] = timed(runs, reach)
    res["earliest_arrival"] = timed(runs, lambda: earliest_scan(edges, seeds, targets, start))
    res["fewest_hops"] = timed(runs, lambda: fewest_scan(edges, seeds, targets, start))
    res["widest"] = timed(runs, lambda: widest_scan(edges, seeds, targets, start))
    return build, res


PEERS = {"networkx": run_networkx, "igraph": run_igraph, "rustworkx": run_rustworkx, "scipy": run_scipy}
QUERIES = ["static_reach", "earliest_arrival", "fewest_hops", "widest"]
TARGET_RATIO = {"static_reach": 5, "earliest_arrival": 10, "fewest_hops": 10, "widest": 10}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transfers", type=int, default=1_000_000)
    ap.add_argument("--dir", default="/tmp/fundtrace_cmp")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of " + ",".join(PEERS))
    ap.add_argument("--targets", default="exchanges", choices=["exchanges", "hot"],
                    help="exchanges: every exchange address; hot: hot wallets only (farther away)")
    ap.add_argument("--fundtrace-json", help="reuse a saved output of the example instead of running it")
    args = ap.parse_args()

    if args.fundtrace_json:
        with open(args.fundtrace_json) as f:
            ft = json.load(f)
    else:
        repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        cmd = ["cargo", "run", "--quiet", "--release", "--example", "compare_paths", "--", str(args.transfers), args.dir, args.targets]
        print("$ " + " ".join(cmd), file=sys.stderr)
        ft = json.loads(subprocess.run(cmd, cwd=repo, check=True, capture_output=True, text=True).stdout)

    with open(os.path.join(args.dir, "query.json")) as f:
        q = json.load(f)
    ids, src, dst, amt = [], [], [], []
    with open(os.path.join(args.dir, "edges.csv")) as f:
        r = csv.reader(f)
        next(r)
        for e, u, v, a in r:
            a = int(a)
            u, v = int(u), int(v)
            if a >= 1 and u != v:
                ids.append(int(e))
                src.append(u)
                dst.append(v)
                amt.append(a)
    data = (ids, src, dst, amt, q["n_nodes"], q["seeds"], set(q["targets"]), q["start"])
    want = ft["answers"]
    want_cmp = {
        "static_reach": want["static_reach"],
        "earliest_arrival": want["earliest_arrival"],
        "fewest_hops": want["fewest_hops"],
        "widest": None if want["widest"] is None else int(want["widest"]),
    }
    print(f"ledger: {ft['transfers']} transfers, {q['n_nodes']} addresses, {len(ids)} edges; "
          f"seed {q['seeds']}, {len(q['targets'])} exchange addresses, start transfer {q['start']}")
    print(f"fundtrace answers: {want_cmp}; max_flow {want['max_flow']} (exact {want['max_flow_exact']})")

    table = {k: {"fundtrace": ft["median_ms"][k]} for k in QUERIES}
    ok = True
    for name in args.peers.split(","):
        build, res = PEERS[name](data, args.runs)
        print(f"{name}: graph build {build:.0f} ms")
        for k in QUERIES:
            ans, ms = res[k]
            table[k][name] = ms
            if ans != want_cmp[k]:
                ok = False
                print(f"  DISAGREE {k}: {name} {ans} vs fundtrace {want_cmp[k]}")
    peers = [p for p in args.peers.split(",")]
    print()
    print(f"{'query (median ms)':<20}{'fundtrace':>11}" + "".join(f"{p:>11}" for p in peers) + f"{'ratio':>9}{'target':>8}")
    for k in QUERIES:
        row = table[k]
        fastest = min(row[p] for p in peers)
        ratio = fastest / row["fundtrace"] if row["fundtrace"] > 0 else INF
        print(f"{k:<20}{row['fundtrace']:>11.3f}" + "".join(f"{row[p]:>11.3f}" for p in peers)
              + f"{ratio:>8.0f}x{'>=' + str(TARGET_RATIO[k]) + 'x':>8}")
    print(f"{'max_flow':<20}{ft['median_ms']['max_flow']:>11.3f}  (target < 1000 ms)")
    m = ft["median_ms"]
    print(f"(fundtrace strategies: earliest search {m['earliest_arrival_search']:.3f} / scan {m['earliest_arrival_scan']:.3f} ms, "
          f"fewest search {m['fewest_hops_search']:.3f} / scan {m['fewest_hops_scan']:.3f} ms, "
          f"widest search {m['widest_search']:.3f} / scan {m['widest_scan']:.3f} ms)")
    print(f"(fundtrace extra: earliest by search {ft['median_ms']['earliest_arrival_search']:.3f} ms, "
          f"static reach by BFS over the neighbor graph {ft['median_ms']['static_reach_bfs']:.1f} ms, over the CSR {ft['median_ms']['static_reach_csr']:.1f} ms, "
          f"reach index build {ft['median_ms']['reach_index_build']:.1f} ms, "
          f"graph build {ft['median_ms']['graph_build']:.1f} ms, neighbor graph build {ft['median_ms']['neighbor_graph_build']:.1f} ms)")
    print("all answers agree" if ok else "ANSWERS DISAGREE")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
