#!/usr/bin/env python3
"""The haircut and FIFO traces of `benches/trace.rs`, written as a plain
Python loop over the time-ordered transfers, as an analyst would write them.

Inputs come from the Rust bench (same generated ledger):

    FUNDTRACE_BENCH_SIZES=1000000 FUNDTRACE_BENCH_CSV_DIR=target/bench-csv \
        cargo bench --bench trace
    python3 benches/trace_python.py target/bench-csv/trace_1000000 --repeat 3

Loading and sorting the CSV is not timed (the Rust bench excludes ingest
too); each model's loop is timed `--repeat` times and the median printed.
The totals are checked against `trace_N_expected.json`, written by the Rust
bench, so both sides compute the same numbers to the wei.

Rules (DESIGN §6, as fundtrace implements them): seeds are addresses from a
start time (everything they receive from then on is stolen, and so is what
they send beyond what they received: a history gap); a transfer into an
exit hands its taint over (counted as exited) and the exit receives clean
value; haircut carries floor(v*T_i/B) per incident, the remainder staying
with the sender (and, in the rare case the floors leave more clean value
than the purse holds, the shortfall is taken from the incidents in order);
FIFO takes lots oldest first and a deficit after all lots.
"""

import argparse
import csv
import json
import statistics
import sys
import time
from collections import deque


def load(base):
    """Reads the CSV, seeds and exits; returns time-ordered rows of
    (time, from, to, value) with addresses as small ints."""
    ids = {}

    def intern(a):
        i = ids.get(a)
        if i is None:
            i = ids[a] = len(ids)
        return i

    rows = []
    with open(base + ".csv", newline="") as f:
        for r in csv.DictReader(f):
            rows.append(
                (
                    int(r["block_timestamp"]),
                    int(r["block_number"]),
                    int(r["transaction_index"] or 0),
                    r["hash"],
                    intern(r["from_address"].lower()),
                    intern(r["to_address"].lower()),
                    int(r["value"]),
                )
            )
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    rows = [(r[0], r[4], r[5], r[6]) for r in rows]
    seeds = {}
    with open(base + "_seeds.txt") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            incident, seed = line.split(",", 1)
            addr, start = seed.split("@")
            seeds[intern(addr.lower())] = (int(start), incident)
    exits = set()
    with open(base + "_exits.txt") as f:
        for line in f:
            if line.strip():
                exits.add(intern(line.strip().lower()))
    return rows, seeds, exits


def haircut(rows, seeds, exits):
    bal = {}  # address -> balance
    taint = {}  # address -> {incident: tainted amount}
    stolen = exited = flows = 0
    for t, f, to, v in rows:
        if v == 0 or f == to:
            continue
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
    held = sum(sum(d.values()) for d in taint.values())
    holders = sum(1 for d in taint.values() if d)
    return {"stolen": stolen, "held": held, "exited": exited, "holders": holders, "flows": flows}


def fifo(rows, seeds, exits):
    lots = {}  # address -> deque of [amount, incident or None], oldest first
    bal = {}
    stolen = exited = flows = 0
    for t, f, to, v in rows:
        if v == 0 or f == to:
            continue
        b = bal.get(f, 0)
        need = v if v < b else b
        parts = []
        q = lots.get(f)
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
        bal[f] = b - (v if v < b else b)
        if v > b:
            s = seeds.get(f)
            tag = s[1] if s and t >= s[0] else None
            if tag is not None:
                stolen += v - b
            parts.append([v - b, tag])
        carried = sum(x for x, tag in parts if tag is not None)
        if carried and to in exits:
            exited += carried
            for p in parts:
                p[1] = None
        newly = 0
        s = seeds.get(to)
        if s and t >= s[0]:
            for p in parts:
                if p[1] is None:
                    newly += p[0]
                    p[1] = s[1]
            stolen += newly
        if carried or newly:
            flows += 1
        q = lots.get(to)
        if q is None:
            q = lots[to] = deque()
        for x, tag in parts:
            if q and q[-1][1] == tag:
                q[-1][0] += x
            else:
                q.append([x, tag])
        bal[to] = bal.get(to, 0) + v
    held = 0
    holders = 0
    for q in lots.values():
        h = sum(x for x, tag in q if tag is not None)
        held += h
        holders += h > 0
    return {"stolen": stolen, "held": held, "exited": exited, "holders": holders, "flows": flows}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", help="path prefix written by the Rust bench, e.g. DIR/trace_1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-exits", action="store_true", help="trace without exits (taint spreads everywhere)")
    ap.add_argument("--models", default="haircut,fifo", help="comma-separated: haircut, fifo")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows, seeds, exits = load(args.base)
    suffix = ""
    if args.no_exits:
        exits = set()
        suffix = "-no-exits"
    print(f"loaded {len(rows)} transfers in {time.perf_counter() - t0:.1f} s (not timed)")
    try:
        with open(args.base + "_expected.json") as f:
            expected = json.load(f)
    except FileNotFoundError:
        expected = {}
    ok = True
    for name, fn in (("haircut", haircut), ("fifo", fifo)):
        if name not in args.models.split(","):
            continue
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            got = fn(rows, seeds, exits)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(f"{name}{suffix}: median {med:.3f} s over {args.repeat} run(s) ({len(rows) / med / 1e6:.2f} M transfers/s)")
        want = expected.get(name + suffix)
        if want:
            want = {k: int(v) for k, v in want.items()}
            same = want == got
            ok &= same
            print(f"  totals {'match' if same else 'DIFFER from'} the Rust trace: {got}" + ("" if same else f" vs {want}"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
