#!/usr/bin/env python3
"""Load fundtrace's HTML report in headless Chromium and check it.

Usage: html_check.py REPORT.html REPORT.json SCREENSHOT.png

Chromium (the Debian package) is driven over the DevTools protocol on a
pipe (--remote-debugging-pipe: NUL-separated JSON on file descriptors 3
and 4), so no extra Python package or driver is needed. Checks:
  - the page loads with no console message, exception or log error
    (a Content-Security-Policy violation is a log error);
  - no request leaves the file (only file: and data: URLs);
  - no JavaScript dialog opens (a label `<script>alert(1)</script>` that
    ran would open one) and the page holds no <script> element;
  - the SVG holds a node for every seed, exit and flow address of the
    report (all of them when the report is small enough to draw whole),
    an edge for every (sender, receiver) pair of the flows between drawn
    nodes and none that the flows do not have;
  - the hostile label appears as text, in the picture and in the table;
then saves a full-page screenshot.
"""

import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
    "--window-size=1800,1000",
    "--remote-debugging-pipe",
]
HOSTILE = "<script>alert(1)</script>"


class Browser:
    def __init__(self, exe, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            # Move both ends out of the way first: a pipe end may itself be
            # fd 3 or 4 (and close-on-exec until dup2 copies it).
            r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=fds,
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self, timeout):
        deadline = time.time() + timeout
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise TimeoutError("no message from Chromium")
            chunk = os.read(self.from_chrome, 65536)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe: " + self.stderr())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        if os.environ.get("CDP_DEBUG"):
            print("<-", msg[:300].decode(errors="replace"), file=sys.stderr)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, name, timeout=30):
        for i, e in enumerate(self.events):
            if e.get("method") == name:
                return self.events.pop(i)
        deadline = time.time() + timeout
        while time.time() < deadline:
            e = self._read(deadline - time.time())
            if e.get("method") == name:
                return e
            self.events.append(e)
        raise TimeoutError(name)

    def stderr(self):
        try:
            self.proc.kill()
            return self.proc.stderr.read().decode(errors="replace")[-2000:]
        except Exception:  # noqa: BLE001 - best effort diagnostics
            return ""

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - it may be gone already
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def seed_address(seed):
    """The address a seed names (`ADDR`, `ADDR@TIME`), or None for a
    transaction (`tx:0x…`, `txid:vout`)."""
    if seed.startswith("tx:"):
        return None
    _, _, tail = seed.partition(":")
    if tail.isdigit():
        return None
    return seed.split("@", 1)[0]


def expected_graph(report):
    """Addresses and (sender, receiver) pairs, as fundtrace draws them."""
    nodes = []
    seen = set()

    def add(a):
        if a not in seen:
            seen.add(a)
            nodes.append(a)

    for s in report["seeds"]:
        a = seed_address(s["seed"])
        if a:
            add(a)
    pairs = set()
    for f in report["flows"]:
        senders = [p.strip() for p in f["from"].split(",") if p.strip()]
        if not senders:
            senders = [f"unresolved inputs of {f['tx']}"]
        for s in senders:
            add(s)
            pairs.add((s, f["to"]))
        add(f["to"])
    for e in report["exits"]:
        add(e["address"])
    for h in report["holders"]:
        add(h["address"])
    for c in report["conversions"]:
        if c.get("address"):
            add(c["address"])
    return nodes, pairs


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    html, report_json, shot = map(pathlib.Path, sys.argv[1:])
    report = json.loads(report_json.read_text())
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("chromium not found (apt-get install chromium)")
    failures = []
    with tempfile.TemporaryDirectory(prefix="fundtrace-chromium-") as profile:
        b = Browser(exe, profile)
        try:
            target = b.send("Target.createTarget", {"url": "about:blank"})
            session = b.send(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
            )["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                b.send(f"{domain}.enable", session=session)
            b.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": 1800, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            b.send("Page.navigate", {"url": html.resolve().as_uri()}, session=session)
            b.wait_event("Page.loadEventFired")
            time.sleep(0.5)  # late console messages, if any
            probe = """(() => {
              const q = s => [...document.querySelectorAll(s)];
              return {
                nodes: q('#flow g.node').map(g => ({id: g.id, address: g.dataset.address,
                        role: g.dataset.role, text: g.textContent})),
                edges: q('#flow g.edge').map(g => ({id: g.id, from: g.dataset.from, to: g.dataset.to,
                        fromAddress: g.dataset.fromAddress, toAddress: g.dataset.toAddress})),
                scripts: q('script').length,
                exitsText: (document.querySelector('#exits') || {}).textContent || '',
                leftOut: !!document.querySelector('#left-out'),
                title: document.title,
              };
            })()"""
            dom = b.send(
                "Runtime.evaluate", {"expression": probe, "returnByValue": True}, session=session
            )["result"]["value"]
            metrics = b.send("Page.getLayoutMetrics", session=session)
            size = metrics["cssContentSize"]
            shot_data = b.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": size["width"],
                             "height": min(size["height"], 4000), "scale": 1},
                },
                session=session,
            )["data"]
            shot.write_bytes(base64.b64decode(shot_data))
            # Drain what is queued.
            try:
                while True:
                    b.events.append(b._read(0.3))
            except (TimeoutError, RuntimeError):
                pass
        finally:
            b.close()

    for e in b.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled":
            failures.append(f"console.{p.get('type')}: {p.get('args')}")
        elif m == "Runtime.exceptionThrown":
            failures.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
        elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            failures.append(f"log {p['entry']['level']}: {p['entry']['text']}")
        elif m == "Page.javascriptDialogOpening":
            failures.append(f"a dialog opened: {p.get('message')!r}")
        elif m == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not (url.startswith("file:") or url.startswith("data:")):
                failures.append(f"request to another place: {url}")

    if dom["scripts"]:
        failures.append(f"{dom['scripts']} <script> element(s) in the page")
    nodes, pairs = expected_graph(report)
    drawn = {n["address"]: n for n in dom["nodes"]}
    if not dom["leftOut"]:
        missing = [a for a in nodes if a not in drawn]
        if missing:
            failures.append(f"addresses not drawn: {missing}")
    for a in drawn:
        if a not in set(nodes):
            failures.append(f"drawn address not in the report: {a}")
    must = [seed_address(s["seed"]) for s in report["seeds"]]
    must = [a for a in must if a] + [e["address"] for e in report["exits"]]
    for a in must:
        if a not in drawn:
            failures.append(f"seed or exit not drawn: {a}")
    ids = {n["id"]: n["address"] for n in dom["nodes"]}
    drawn_pairs = set()
    for e in dom["edges"]:
        pair = (e["fromAddress"], e["toAddress"])
        drawn_pairs.add(pair)
        if ids.get(e["from"]) != pair[0] or ids.get(e["to"]) != pair[1]:
            failures.append(f"edge {e['id']} points at the wrong node ids")
        if pair not in pairs:
            failures.append(f"edge {pair} is not a flow of the report")
    for pair in pairs:
        if pair[0] in drawn and pair[1] in drawn and pair not in drawn_pairs:
            failures.append(f"flow {pair} not drawn")
    hostile = [e for e in report["exits"] if e["label"] == HOSTILE]
    if hostile:
        node = drawn.get(hostile[0]["address"])
        if not node or HOSTILE not in node["text"]:
            failures.append("the hostile label is not shown as text in the picture")
        if HOSTILE not in dom["exitsText"]:
            failures.append("the hostile label is not shown as text in the exits table")

    print(
        f"html: {len(dom['nodes'])} nodes ({len(nodes)} in the report), "
        f"{len(dom['edges'])} edges ({len(pairs)} sender-receiver pairs), "
        f"hostile label as text: {bool(hostile)}, screenshot {shot} "
        f"({size['width']:.0f}x{size['height']:.0f} CSS px)"
    )
    for f in failures:
        print("FAIL:", f)
    print(f"html_check: {0 if failures else 1} passed, {1 if failures else 0} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
