#!/usr/bin/env python3
"""Haircut and FIFO traces: fundtrace against a plain Python loop written as
an analyst would, on the same generated ledger, interleaved, with every
answer checked to the wei.

Commands (from the repository root; see benches/README.md):

    python3 -m venv .venv && .venv/bin/pip install -r benches/requirements.txt
    .venv/bin/python benches/trace_python.py --transfers 1000000 --rounds 5
    .venv/bin/python benches/trace_python.py --transfers 10000000 --rounds 3 --dir /tmp/ftpeers-10m

The data and the servers are those of `compare_peers.py` (`peerbench.py`):
`examples/peer_bench.rs` generates DIR/transfers.csv and DIR/query.json if
missing; fundtrace and the Python loop each run as a server and are called
in turn (fundtrace, python, python, fundtrace, …), one warm-up round, then
`--rounds` rounds; the script stops with exit status 1 if the totals
(stolen, held, exited), the number of holders, the number of taint-carrying
transfers or the digest of every holder's tainted amount differ.

Timing rule: each server times the trace call alone; loading the CSV is
excluded on both sides (compare_peers.py times it as its own row).

The four cases: the five thefts of query.json as seeds (each `ADDR@TIME`, its
own incident), under haircut and under FIFO, once with the 20 exchange
addresses of query.json as exits and once with no exits (taint spreads
through the whole economy). fundtrace records every taint-carrying transfer
(the library default); the Python loop counts them.

Rules (DESIGN §6, as fundtrace implements them): a seed address receives
stolen value from its start time on (everything it receives then, and what it
sends beyond what it holds: a history gap); a transfer into an exit hands its
taint over (counted as exited) and the exit receives clean value; haircut
carries floor(v*T_i/B) per incident, the remainder staying with the sender
(and, in the rare case the floors leave more clean value than the purse
holds, the shortfall is taken from the incidents in order); FIFO takes lots
oldest first and a deficit after all lots. Self-transfers and zero values
change nothing.

Two Python variants: the plain loop over every transfer, and the same loop
after fundtrace's own trick, a pre-pass that marks every address taint could
reach so that transfers touching none of them are skipped (`reachable`).

The Python FIFO keeps lots only where taint is: every address has a balance;
an address gets a queue of lots when taint first arrives (its earlier balance
becoming one clean lot) and loses it when its last tainted lot leaves. Haircut
likewise keeps per-incident taint only for tainted addresses.
"""

import argparse
import os
import sys
from collections import deque

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerbench  # noqa: E402


def reachable(d, exits):
    """fundtrace's pre-pass, in Python: one pass in event order marks every
    address taint could ever reach (seeds, then receivers of transfers from
    marked addresses; exits never hold taint, so they do not pass it on)."""
    reached = set(d.trace_seeds)
    for f, to in zip(d.src, d.dst):
        if f in reached and to not in exits:
            reached.add(to)
    return reached


def haircut(d, exits, prepass=False):
    seeds = d.trace_seeds
    bal = {}  # address -> balance
    taint = {}  # address -> {incident: tainted amount}, tainted addresses only
    stolen = exited = flows = 0
    reached = reachable(d, exits) if prepass else None
    for t, f, to, v in zip(d.time, d.src, d.dst, d.amt):
        if v == 0 or f == to:
            continue
        if reached is not None and f not in reached and to not in reached:
            continue  # cannot change any result (see reachable)
        b = bal.get(f, 0)
        take = v if v < b else b
        parts = {}
        tf = taint.get(f)
        if tf:
            held = 0
            carried = 0
            for inc in sorted(tf):
                T = tf[inc]
                held += T
                x = T if take >= b else take * T // b
                parts[inc] = x
                carried += x
            clean = take - carried
            if clean > b - held:
                short = clean - (b - held)
                for inc in sorted(tf):
                    y = min(short, tf[inc] - parts[inc])
                    parts[inc] += y
                    short -= y
                    if short == 0:
                        break
            for inc, x in parts.items():
                tf[inc] -= x
            for inc in [i for i, a in tf.items() if a == 0]:
                del tf[inc]
            if not tf:
                del taint[f]
        bal[f] = b - take
        if v > b:
            s = seeds.get(f)
            if s and t >= s[0]:
                parts[s[1]] = parts.get(s[1], 0) + (v - b)
                stolen += v - b
        carried = sum(parts.values())
        if carried and to in exits:
            exited += carried
            parts = {}
        newly = 0
        s = seeds.get(to)
        if s and t >= s[0]:
            newly = v - sum(parts.values())
            if newly:
                parts[s[1]] = parts.get(s[1], 0) + newly
                stolen += newly
        if carried or newly:
            flows += 1
        if parts:
            tt = taint.setdefault(to, {})
            for inc, x in parts.items():
                if x:
                    tt[inc] = tt.get(inc, 0) + x
            if not tt:
                del taint[to]
        bal[to] = bal.get(to, 0) + v
    holdings = {a: sum(inc.values()) for a, inc in taint.items() if inc}
    return stolen, exited, flows, holdings


def fifo(d, exits, prepass=False):
    seeds = d.trace_seeds
    bal = {}  # address -> balance
    lots = {}  # address -> deque of [amount, incident or None], oldest first; tainted addresses only
    stolen = exited = flows = 0
    reached = reachable(d, exits) if prepass else None
    for t, f, to, v in zip(d.time, d.src, d.dst, d.amt):
        if v == 0 or f == to:
            continue
        if reached is not None and f not in reached and to not in reached:
            continue  # cannot change any result (see reachable)
        b = bal.get(f, 0)
        take = v if v < b else b
        q = lots.get(f)
        if q is None:
            parts = [[take, None]] if take else []
        else:
            parts = []
            need = take
            while need:
                lot = q[0]
                x = need if need < lot[0] else lot[0]
                lot[0] -= x
                need -= x
                if lot[0] == 0:
                    q.popleft()
                if parts and parts[-1][1] == lot[1]:
                    parts[-1][0] += x
                else:
                    parts.append([x, lot[1]])
            # Adjacent clean lots are merged, so a queue without taint holds at most one lot.
            if not q or (len(q) == 1 and q[0][1] is None):
                del lots[f]
        bal[f] = b - take
        if v > b:
            s = seeds.get(f)
            tag = s[1] if s and t >= s[0] else None
            if tag is not None:
                stolen += v - b
            parts.append([v - b, tag])
        carried = 0
        for x, tag in parts:
            if tag is not None:
                carried += x
        if carried and to in exits:
            exited += carried
            for p in parts:
                p[1] = None
            carried_on = False
        else:
            carried_on = carried > 0
        newly = 0
        s = seeds.get(to)
        if s and t >= s[0]:
            for p in parts:
                if p[1] is None:
                    newly += p[0]
                    p[1] = s[1]
            stolen += newly
            carried_on = carried_on or newly > 0
        if carried or newly:
            flows += 1
        q = lots.get(to)
        if q is None and carried_on:
            b_to = bal.get(to, 0)
            q = lots[to] = deque([[b_to, None]] if b_to else [])
        if q is not None:
            for x, tag in parts:
                if not x:
                    continue
                if q and q[-1][1] == tag:
                    q[-1][0] += x
                else:
                    q.append([x, tag])
        bal[to] = bal.get(to, 0) + v
    holdings = {}
    for a, q in lots.items():
        h = sum(x for x, tag in q if tag is not None)
        if h:
            holdings[a] = h
    return stolen, exited, flows, holdings


def peer_python(d):
    exits = set(d.targets)
    none = set()

    def answer(res):
        stolen, exited, flows, holdings = res
        return {"stolen": str(stolen), "held": str(sum(holdings.values())), "exited": str(exited),
                "holders": len(holdings), "flows": flows, "holders_digest": d.holders_digest(holdings)}

    cmds = {}
    for model, fn in (("haircut", haircut), ("fifo", fifo)):
        for case, ex in (("exits", exits), ("noexits", none)):
            cmds[f"{model}_{case}"] = ((lambda fn=fn, ex=ex: fn(d, ex)), answer)
            cmds[f"{model}_{case}_prepass"] = ((lambda fn=fn, ex=ex: fn(d, ex, prepass=True)), answer)
    return cmds


DESCRIPTIONS = {
    "haircut_exits": "haircut, 20 exchanges as exits",
    "haircut_noexits": "haircut with no exits (taint spreads)",
    "fifo_exits": "FIFO, 20 exchanges as exits",
    "fifo_noexits": "FIFO with no exits (taint spreads)",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transfers", type=int, default=1_000_000)
    ap.add_argument("--dir", help="data directory (default /tmp/ftpeers-N)")
    ap.add_argument("--rounds", type=int, default=5, help="measured rounds (after one warm-up round)")
    ap.add_argument("--cases", default=",".join(DESCRIPTIONS), help="comma-separated subset of " + ",".join(DESCRIPTIONS))
    ap.add_argument("--cpu", type=int, help="pin both servers to this CPU (taskset)")
    ap.add_argument("--no-build", action="store_true", help="use the built example as it is")
    ap.add_argument("--serve", nargs=2, metavar=("PEER", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        peerbench.serve(peer_python, args.serve[1])
        return
    directory = args.dir or f"/tmp/ftpeers-{args.transfers}"
    binary = peerbench.fundtrace_binary(build=not args.no_build)
    peerbench.ensure_data(binary, args.transfers, directory)
    ft = peerbench.Server("fundtrace", peerbench.pinned([binary, "serve", directory], args.cpu))
    py = peerbench.Server("python", peerbench.pinned(
        [sys.executable, os.path.abspath(__file__), "--serve", "python", directory], args.cpu))
    ft.ready()
    py.ready()
    cases = [c for c in args.cases.split(",") if c]
    rows = [(c, [("fundtrace", ft, c), ("python loop", py, c), ("python loop + pre-pass", py, c + "_prepass")])
            for c in cases]
    try:
        times = peerbench.interleave(rows, args.rounds)
    finally:
        ft.close()
        py.close()
    print("\nall answers agree with fundtrace's")
    peerbench.report(f"{args.transfers} transfers", rows, times, "fundtrace", DESCRIPTIONS, args.rounds)


if __name__ == "__main__":
    main()
