"""Shared machinery of `compare_peers.py` and `trace_python.py`: the data
files, the Python loader, the query server every contestant runs, and the
driver that interleaves the contestants and checks their answers.

Design (see benches/README.md):
- `examples/peer_bench.rs gen N DIR` writes DIR/transfers.csv (the repo's
  generator, ethereum-etl transactions) and DIR/query.json (the five thefts as
  seeds, the 20 exchange addresses used as targets and as exits).
- Every contestant is a server process: fundtrace is `peer_bench serve DIR`,
  each Python peer is `python3 SCRIPT --serve PEER DIR`. A server loads the
  CSV, prepares its structures, prints a ready line, then answers one command
  per stdin line with one JSON line {"ms", "cpu_ms", "answer"}; it measures `ms` itself
  around the query call alone (loading, answer formatting and the pipe are
  excluded, on every side alike). `load` and `build` are commands too, timed
  the same way.
- The driver runs one warm-up round, then `--rounds` rounds; in each round
  every query is run once by every contestant, one after the other (never two
  at once), starting with a different contestant each round (A B C, B C A, …):
  every contestant runs every query the same number of times.
- Every answer of every run is compared with fundtrace's; any difference
  stops the run with the two answers and exit status 1.
- Python peers run in separate processes, so one peer's heap (and its garbage
  collector's work) does not slow another.
"""

import bisect
import csv
import json
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MASK = (1 << 64) - 1


# ---------------------------------------------------------------- data
class Data:
    """The ledger as an analyst loads it with the csv module: event-ordered
    columns (time, sender id, receiver id, value), addresses interned to ids
    in order of first appearance."""

    def __init__(self, directory):
        self.dir = directory
        with open(os.path.join(directory, "query.json")) as f:
            self.query = json.load(f)
        self.time, self.src, self.dst, self.amt, self.addrs, self.ids = load_csv(
            os.path.join(directory, "transfers.csv"))
        self.n = len(self.addrs)
        q = self.query
        seed = q["seeds"][q["path_seed"]]
        self.seed = self.ids[seed["address"]]
        self.since = seed["time"]
        # The first transfer at or after the seed's time: sources send from there on.
        self.start = bisect.bisect_left(self.time, self.since)
        self.targets = [self.ids[a] for a in q["targets"]]
        self.target_set = set(self.targets)
        # Trace seeds: address id -> (start time, incident).
        self.trace_seeds = {self.ids[s["address"]]: (s["time"], s["incident"]) for s in q["seeds"]}

    def key(self, a):
        """The low 64 bits of an address (the digest key the Rust side uses)."""
        return int(self.addrs[a][-16:], 16)

    def set_digest(self, ids):
        s = 0
        n = 0
        for a in ids:
            s += self.key(a)
            n += 1
        return [n, str(s & MASK)]

    def holders_digest(self, holdings):
        """holdings: address id -> tainted amount (> 0)."""
        d = 0
        for a, amount in holdings.items():
            d += (amount & MASK) * self.key(a)
        return str(d & MASK)


def load_csv(path):
    """Reads an ethereum-etl transactions CSV into event-ordered columns."""
    ids = {}
    addrs = []
    time_, block, pos, src, dst, amt = [], [], [], [], [], []

    def intern(a):
        i = ids.get(a)
        if i is None:
            i = ids[a] = len(addrs)
            addrs.append(a)
        return i

    with open(path, newline="") as f:
        r = csv.reader(f)
        h = {name: i for i, name in enumerate(next(r))}
        it, ib, ip = h["block_timestamp"], h["block_number"], h["transaction_index"]
        ifr, ito, iv = h["from_address"], h["to_address"], h["value"]
        for row in r:
            time_.append(int(row[it]))
            block.append(int(row[ib]))
            pos.append(int(row[ip] or 0))
            src.append(intern(row[ifr].lower()))
            dst.append(intern(row[ito].lower()))
            amt.append(int(row[iv]))
    # Event order: block, then position in block. Exports are usually in that
    # order already; sort (through a permutation) only when they are not.
    keys = list(zip(block, pos))
    if any(keys[i] > keys[i + 1] for i in range(len(keys) - 1)):
        order = sorted(range(len(keys)), key=keys.__getitem__)
        time_ = [time_[i] for i in order]
        src = [src[i] for i in order]
        dst = [dst[i] for i in order]
        amt = [amt[i] for i in order]
    return time_, src, dst, amt, addrs, ids


# ---------------------------------------------------------------- server
def serve(make_peer, directory):
    """Runs a Python contestant: `make_peer(data)` returns a dict
    command -> (run, answer); `run()` is timed, `answer(result)` is not."""
    t = time.perf_counter()
    data = Data(directory)
    load_ms = (time.perf_counter() - t) * 1e3
    commands = make_peer(data)
    commands.setdefault("load", (lambda: Data(directory), lambda d: [len(d.src), d.n]))
    print(json.dumps({"ready": True, "load_ms": load_ms, "transfers": len(data.src), "addresses": data.n}),
          flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if not cmd or cmd == "quit":
            break
        if cmd not in commands:
            print(json.dumps({"ms": 0, "answer": {"error": f"unknown command {cmd}"}}), flush=True)
            continue
        run, answer = commands[cmd]
        c = time.process_time()
        t = time.perf_counter()
        res = run()
        ms = (time.perf_counter() - t) * 1e3
        cpu_ms = (time.process_time() - c) * 1e3
        print(json.dumps({"ms": ms, "cpu_ms": cpu_ms, "answer": answer(res)}), flush=True)


# ---------------------------------------------------------------- driver
class Server:
    def __init__(self, name, argv):
        self.name = name
        self.argv = argv
        print(f"$ {' '.join(argv)}", file=sys.stderr)
        self.t = time.perf_counter()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.is_ready = False

    def ready(self):
        """Waits for the ready line (servers start together, then each is waited for)."""
        if not self.is_ready:
            r = self._read()
            self.is_ready = True
            print(f"  {self.name}: ready in {time.perf_counter() - self.t:.1f} s (load {r['load_ms'] / 1e3:.2f} s, "
                  f"{r['transfers']} transfers, {r['addresses']} addresses)", file=sys.stderr)
        return self

    def _read(self):
        line = self.p.stdout.readline()
        if not line:
            raise SystemExit(f"{self.name}: server exited (status {self.p.wait()})")
        return json.loads(line)

    def run(self, cmd):
        self.ready()
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()
        r = self._read()
        if isinstance(r["answer"], dict) and "error" in r["answer"]:
            raise SystemExit(f"{self.name}: {r['answer']['error']}")
        cpu = r.get("cpu_ms")  # null where the server has no CPU clock
        return r["ms"], cpu if cpu is not None else r["ms"], r["answer"]

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        self.p.wait()


def fundtrace_binary(build=True):
    if build:
        cmd = ["cargo", "build", "--quiet", "--release", "--example", "peer_bench"]
        print("$ " + " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, cwd=REPO, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    return os.path.join(target, "release", "examples", "peer_bench")


def ensure_data(binary, transfers, directory):
    if not os.path.exists(os.path.join(directory, "transfers.csv")):
        cmd = [binary, "gen", str(transfers), directory]
        print("$ " + " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
    with open(os.path.join(directory, "query.json")) as f:
        q = json.load(f)
    if q["transfers"] != transfers:
        raise SystemExit(f"{directory} holds a {q['transfers']}-transfer ledger, not {transfers}")


def pinned(argv, cpu):
    return (["taskset", "-c", str(cpu)] + argv) if cpu is not None else argv


def interleave(rows, rounds, warmup=1):
    """rows: list of (row name, [(label, server, command)]), the first entry
    being fundtrace's reference. Returns ({row: {label: [wall ms, …]}}, the
    same of CPU ms); exits with status 1 on the first answer that differs from
    the reference."""
    times = {row: {label: [] for label, _, _ in entries} for row, entries in rows}
    cpu = {row: {label: [] for label, _, _ in entries} for row, entries in rows}
    for r in range(warmup + rounds):
        for row, entries in rows:
            k = len(entries)
            ref = None
            results = {}
            for j in range(k):
                label, server, cmd = entries[(r + j) % k]
                ms, cpu_ms, ans = server.run(cmd)
                results[label] = ans
                if r >= warmup:
                    times[row][label].append(ms)
                    cpu[row][label].append(cpu_ms)
            ref_label = entries[0][0]
            ref = results[ref_label]
            for label, _, _ in entries:
                if row == "build" and results[label] is None:
                    continue  # a multigraph (igraph, rustworkx) has no distinct-edge count to compare
                if results[label] != ref:
                    print(f"\nANSWERS DISAGREE on {row} (round {r}):\n  {ref_label}: {json.dumps(ref)}\n"
                          f"  {label}: {json.dumps(results[label])}", file=sys.stderr)
                    raise SystemExit(1)
            if r == 0:
                print(f"  {row}: {k} contestants agree: {json.dumps(ref)[:100]}", file=sys.stderr)
        print(f"  round {r + 1}/{warmup + rounds} done" + (" (warm-up)" if r < warmup else ""), file=sys.stderr)
    return times, cpu


def fmt_ms(ms):
    if ms >= 1000:
        return f"{ms / 1e3:.2f} s"
    if ms >= 10:
        return f"{ms:.0f} ms"
    if ms >= 0.1:
        return f"{ms:.2f} ms"
    return f"{ms * 1e3:.1f} µs"


def report(title, rows, measured, fundtrace_label, descriptions, rounds):
    """Prints every contestant's wall-clock min / median and CPU-time median,
    then the summary table: the ratio of the best peer's median to
    fundtrace's (library answer), in wall-clock time and in CPU time. CPU
    time (the process's, every thread counted) is the fairer figure when
    the machine is shared with other work."""
    times, cpu = measured
    print(f"\n{title}: wall min / median and CPU median of {rounds} interleaved run(s) each, "
          "after one warm-up round")
    for row, entries in rows:
        print(f"  {row}: {descriptions.get(row, '')}")
        for label, _, _ in entries:
            t = times[row][label]
            c = cpu[row][label]
            print(f"    {label:<34} {fmt_ms(min(t)):>10} / {fmt_ms(statistics.median(t)):>10}"
                  f"   cpu {fmt_ms(statistics.median(c)):>10}")
    print(f"\n| {title} | fundtrace (min / median; CPU) | best peer (min / median; CPU) | ratio (medians; CPU) |")
    print("|---|---|---|---|")
    for row, entries in rows:
        ft = [lab for lab, _, _ in entries if lab.startswith(fundtrace_label)]
        peers = [lab for lab, _, _ in entries if not lab.startswith(fundtrace_label)]
        if not peers:
            continue
        ftl = ft[0]
        best = min(peers, key=lambda lab: statistics.median(times[row][lab]))
        fm, bm = statistics.median(times[row][ftl]), statistics.median(times[row][best])
        fc, bc = statistics.median(cpu[row][ftl]), statistics.median(cpu[row][best])
        extra = ""
        for other in ft[1:]:
            om = statistics.median(times[row][other])
            extra += f"; {other.split(' ', 1)[1] if ' ' in other else other} {fmt_ms(om)}: {bm / om:.2f}×"
        cpu_ratio = f"{bc / fc:.2f}×" if fc > 0 else "n/a"
        print(f"| {descriptions.get(row, row)} | {fmt_ms(min(times[row][ftl]))} / {fmt_ms(fm)}; {fmt_ms(fc)} | "
              f"{best}, {fmt_ms(min(times[row][best]))} / {fmt_ms(bm)}; {fmt_ms(bc)} | "
              f"{bm / fm:.2f}×; {cpu_ratio}{extra} |")
