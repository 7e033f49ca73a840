#!/usr/bin/env python3
"""Validate fundtrace's exports with the formats' reference tools.

Usage: validate_exports.py OUTDIR
(OUTDIR as written by `cargo run --example export_formats -- OUTDIR`.)

- STIX 2.1: the OASIS stix2-validator (JSON schemas and the MUST and
  SHOULD checks), strict (warnings count as errors) except `uuid-check`:
  fundtrace's domain objects carry deterministic UUIDv5 ids where the
  standard says SHOULD UUIDv4; observable ids are recomputed here as the
  standard requires (UUIDv5, STIX namespace, canonical JSON).
- MISP: PyMISP's MISPEvent().load(), the MISP JSON schema PyMISP ships
  (schema-lax.json), every attribute type and category against PyMISP's
  describeTypes.json, every object against its misp-objects template.
- GraphML: networkx.read_graphml; node and edge counts and attributes.
- DOT: pydot; node and edge counts, the hostile label read back intact.
- CSV: the csv module; every flow, exit and holder; each evidence file
  lists every tainted deposit of its entity with its transaction.
"""

import csv
import json
import pathlib
import sys
import uuid

import jsonschema
import networkx
import pydot
import pymisp
from pymisp import MISPEvent
from stix2validator import ValidationOptions, validate_file

HOSTILE = "<script>alert(1)</script>"
STIX_SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def seed_address(seed):
    if seed.startswith("tx:"):
        return None
    _, _, tail = seed.partition(":")
    if tail.isdigit():
        return None
    return seed.split("@", 1)[0]


def expected_graph(report):
    """Nodes, flow edges and conversion links, as fundtrace builds them."""
    nodes, seen = [], set()

    def add(a):
        if a not in seen:
            seen.add(a)
            nodes.append(a)

    for s in report["seeds"]:
        a = seed_address(s["seed"])
        if a:
            add(a)
    edges = []
    for f in report["flows"]:
        senders = [p.strip() for p in f["from"].split(",") if p.strip()]
        if not senders:
            senders = [f"unresolved inputs of {f['tx']}"]
        for s in senders:
            add(s)
            edges.append((s, f["to"], f))
        add(f["to"])
    for e in report["exits"]:
        add(e["address"])
    for h in report["holders"]:
        add(h["address"])
    links = []
    for c in report["conversions"]:
        if c.get("address"):
            add(c["address"])
        if c["kind"] == "swap":
            continue

        def first(tx, asset):
            return next((f for f in report["flows"]
                         if f["tx"].lower() == tx.lower() and f["asset"] == asset), None)

        d, w = first(c["tx"], c["from_asset"]), first(c["to_tx"], c["to_asset"])
        if d and w and d["to"] != w["to"]:
            links.append((d["to"], w["to"]))
    return nodes, edges, links


def is_address(a):
    return not (a == "op_return" or a.startswith("sink:") or a.startswith("unresolved inputs of "))


def validate_stix(path, report, nodes):
    strict = ValidationOptions(strict=True, disabled=["uuid-check"])
    result = validate_file(str(path), strict)
    for r in result.object_results:
        for e in r.errors:
            print("  stix error:", r.object_id, e)
        for w in r.warnings:
            print("  stix warning:", r.object_id, w)
    check(result.is_valid, "STIX bundle valid under stix2-validator (strict, uuid-check off)")
    loose = validate_file(str(path), ValidationOptions())
    warnings = sum(len(r.warnings) for r in loose.object_results)
    uuid_only = all("uuid" in str(w).lower() for r in loose.object_results for w in r.warnings)
    check(loose.is_valid, "STIX bundle valid under stix2-validator defaults")
    check(uuid_only, "the only default-mode warnings are the UUIDv4 recommendation")
    bundle = json.loads(path.read_text())
    objects = bundle["objects"]
    ids = {o["id"] for o in objects}
    check(len(ids) == len(objects), "STIX ids unique")
    rep = [o for o in objects if o["type"] == "report"]
    check(len(rep) == 1, "one STIX report")
    check(set(rep[0]["object_refs"]) == ids - {rep[0]["id"]}, "report refers to every other object")
    for o in objects:
        for k in ("created_by_ref", "source_ref", "target_ref"):
            if k in o:
                check(o[k] in ids, f"{o['id']} {k} resolves")
    wallets = {o["value"]: o for o in objects if o["type"] == "cryptocurrency-wallet"}
    expected = [a for a in nodes if is_address(a)]
    check(sorted(wallets) == sorted(expected), "a wallet observable per address")
    for value, o in wallets.items():
        canonical = json.dumps({"value": value}, separators=(",", ":"), ensure_ascii=False)
        want = f"cryptocurrency-wallet--{uuid.uuid5(STIX_SCO_NAMESPACE, canonical)}"
        check(o["id"] == want, f"observable id of {value} is the STIX UUIDv5")
    patterns = {o["pattern"] for o in objects if o["type"] == "indicator"}
    for s in report["seeds"]:
        a = seed_address(s["seed"])
        if a:
            check(f"[cryptocurrency-wallet:value = '{a}']" in patterns, f"indicator for seed {a}")
    names = {o["name"] for o in objects if o["type"] == "identity"}
    for e in report["exits"]:
        check(e["label"] in names, f"identity for exit entity {e['label']!r}")
    hashes = {r.get("hashes", {}).get("SHA-256") for r in rep[0].get("external_references", [])}
    for i in report["inputs"]:
        check(i["sha256"] in hashes, f"input {i['path']} cited with its SHA-256")
    print(f"stix: {len(objects)} objects, {len(wallets)} wallets, {len(patterns)} indicators, "
          f"{warnings} default-mode warning(s) (uuid-check)")


def validate_misp(path, report, nodes):
    data = json.loads(path.read_text())
    pkg = pathlib.Path(pymisp.__file__).parent / "data"
    schema = json.loads((pkg / "schema-lax.json").read_text())
    try:
        jsonschema.validate(data, schema)
        ok = True
    except jsonschema.ValidationError as e:
        print("  misp schema:", e.message)
        ok = False
    check(ok, "MISP event valid against PyMISP's schema-lax.json")
    event = MISPEvent()
    event.load(data)
    check(event.info and event.uuid == data["Event"]["uuid"], "PyMISP loads the event")
    types = json.loads((pkg / "describeTypes.json").read_text())["result"]
    mapping = types["category_type_mappings"]
    for a in event.attributes:
        check(a.type in mapping.get(a.category, []), f"attribute {a.type} allowed in {a.category}")
    templates = pkg / "misp-objects" / "objects"
    addresses = []
    for o in event.objects:
        t = json.loads((templates / o.name / "definition.json").read_text())
        check(o.template_uuid == t["uuid"], f"object {o.name} template uuid")
        relations = {}
        for a in o.attributes:
            spec = t["attributes"].get(a.object_relation)
            check(spec is not None, f"{o.name} has relation {a.object_relation}")
            if spec:
                check(a.type == spec["misp-attribute"], f"{o.name}.{a.object_relation} type {a.type}")
                if not spec.get("multiple"):
                    check(a.object_relation not in relations, f"{o.name}.{a.object_relation} once")
            relations[a.object_relation] = a.value
        check(any(r in relations for r in t.get("requiredOneOf", [])), f"{o.name} required attribute")
        addresses.append(relations.get("address") or relations.get("address-crypto"))
        for ref in o.references:
            check(any(x.uuid == ref.referenced_uuid for x in event.objects), "object reference resolves")
    expected = [a for a in nodes if is_address(a)]
    check(sorted(addresses) == sorted(expected), "a coin-address object per address")
    inputs = {a.value for a in event.attributes if a.type == "filename|sha256"}
    for i in report["inputs"]:
        check(f"{i['path']}|{i['sha256']}" in inputs, f"input {i['path']} as filename|sha256")
    print(f"misp: {len(event.objects)} objects, {len(event.attributes)} attributes, "
          f"{sum(len(o.references) for o in event.objects)} references")


def validate_graphml(path, nodes, edges, links):
    g = networkx.read_graphml(path, force_multigraph=True)
    check(g.number_of_nodes() == len(nodes), f"GraphML nodes {g.number_of_nodes()} == {len(nodes)}")
    want = len(edges) + len(links)
    check(g.number_of_edges() == want, f"GraphML edges {g.number_of_edges()} == {want}")
    addrs = {d.get("address") for _, d in g.nodes(data=True)}
    check(addrs == set(nodes), "GraphML node addresses")
    labels = {d.get("label") for _, d in g.nodes(data=True)}
    for _, _, d in g.edges(data=True):
        if d["kind"] == "flow":
            check(isinstance(d["time"], int) and isinstance(d["amount"], str)
                  and d["amount"].isdigit(), "typed edge data (time long, amount string)")
    flows = sorted((f["tx"], f["tainted"]) for _, _, f in edges)
    got = sorted((d["tx"], d["tainted"]) for _, _, d in g.edges(data=True) if d["kind"] == "flow")
    check(flows == got, "GraphML flow edges carry each flow's tx and tainted amount")
    return labels


def validate_dot(path, nodes, edges, links):
    (g,) = pydot.graph_from_dot_file(str(path))
    names = [n.get_name() for n in g.get_nodes() if n.get_name() not in ("graph", "node", "edge")]
    check(len(names) == len(nodes), f"DOT nodes {len(names)} == {len(nodes)}")
    want = len(edges) + len(links)
    check(len(g.get_edges()) == want, f"DOT edges {len(g.get_edges())} == {want}")
    addrs = {n.get("address").strip('"') for n in g.get_nodes() if n.get("address")}
    check(addrs == set(nodes), "DOT node addresses")
    return {n.get("entity").strip('"') for n in g.get_nodes() if n.get("entity")}


def validate_csv(dirpath, report):
    def rows(p):
        with open(p, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    flows = rows(dirpath / "flows.csv")
    check(len(flows) == len(report["flows"]), "flows.csv has every flow")
    check([r["tx"] for r in flows] == [f["tx"] for f in report["flows"]], "flows.csv in event order")
    check(len(rows(dirpath / "exits.csv")) == len(report["exits"]), "exits.csv has every exit")
    check(len(rows(dirpath / "holders.csv")) == len(report["holders"]), "holders.csv has every holder")
    ev = dirpath / "evidence"
    index = rows(ev / "index.csv")
    seeds = {seed_address(s["seed"]) for s in report["seeds"]} - {None}
    entities = {}
    for e in report["exits"]:
        entities.setdefault(e["label"] or e["address"], set()).add(e["address"])
    check(len(index) == len(entities), "evidence index lists every exit entity")
    total = 0
    for row in index:
        f = ev / row["file"]
        check(f.resolve().parent == ev.resolve(), f"evidence file {row['file']} inside evidence/")
        addrs = entities.get(row["entity"].lstrip("'"), set())
        want = [fl for fl in report["flows"] if fl["to"] in addrs]
        got = rows(f)
        total += len(got)
        check(len(got) > 0, f"evidence for {row['entity']!r} is not empty")
        check([(r["tx"], r["tainted"]) for r in got] == [(w["tx"], w["tainted"]) for w in want],
              f"evidence for {row['entity']!r} lists every tainted deposit with its transaction")
        for r in got:
            path = r["path_addresses"].split(" > ")
            check(path[-1] == r["deposit_address"], "evidence path ends at the deposit")
            check(not seeds or path[0] in seeds, "evidence path starts at a seed")
    print(f"csv: {len(flows)} flows, {len(index)} evidence file(s), {total} deposit row(s)")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    report = json.loads((out / "report.json").read_text())
    nodes, edges, links = expected_graph(report)
    validate_stix(out / "report.stix.json", report, nodes)
    validate_misp(out / "report.misp.json", report, nodes)
    gml_labels = validate_graphml(out / "report.graphml", nodes, edges, links)
    dot_labels = validate_dot(out / "report.dot", nodes, edges, links)
    if any(e["label"] == HOSTILE for e in report["exits"]):
        check(HOSTILE in gml_labels, "GraphML keeps the hostile label as text")
        check(HOSTILE in dot_labels, "DOT keeps the hostile label as text")
    validate_csv(out / "csv", report)
    print(f"validate_exports: {checks - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
