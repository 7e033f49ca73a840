#!/usr/bin/env python3
"""Builds the sample ledgers under examples/data/ from the real public data in
../shared/data/ (see examples/data/PROVENANCE.md). Standard library only.

    python3 examples/data/make_samples.py [--shared ../shared/data]

Amounts are converted from decimal coin units to base units with exact
decimal arithmetic; a value that is not a whole number of base units stops
the script. Output is sorted, so running it twice gives the same bytes.
"""
import argparse
import csv
import datetime
import json
import os
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))

TX_HEADER = ["hash", "nonce", "block_hash", "block_number", "transaction_index",
             "from_address", "to_address", "value", "gas", "gas_price", "input",
             "block_timestamp", "max_fee_per_gas", "max_priority_fee_per_gas",
             "transaction_type", "receipt_status"]
TOKEN_HEADER = ["token_address", "from_address", "to_address", "value",
                "transaction_hash", "log_index", "block_number", "block_timestamp"]


def to_base_units(text, decimals=18):
    v = Decimal(text) * (Decimal(10) ** decimals)
    if v != v.to_integral_value() or v < 0:
        sys.exit(f"not a whole number of base units: {text!r}")
    return str(int(v))


def tx_row(h, block, frm, to, value, ts, status=""):
    row = dict.fromkeys(TX_HEADER, "")
    row.update(hash=h, block_number=block, from_address=frm, to_address=to,
               value=value, block_timestamp=ts, receipt_status=status)
    return row


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    print(f"wrote {os.path.relpath(path)}: {len(rows)} rows")


def ronin(shared):
    src = os.path.join(shared, "eth_transfers_ofac_addresses", "eth_AssetTransfers_date.csv")
    rows = {}
    with open(src, newline="") as f:
        for r in csv.DictReader(f):
            if r["asset"] != "ETH":
                sys.exit(f"unexpected asset {r['asset']!r}")
            row = tx_row(r["hash"].lower(), str(int(r["blockNum"], 16)), r["from"].lower(),
                         r["to"].lower(), to_base_units(r["value"]), r["timestamp"])
            key = row["hash"]
            if key in rows and rows[key] != row:
                sys.exit(f"two different rows for transaction {key}")
            rows[key] = row  # the same transfer listed under two OFAC addresses
    out = os.path.join(HERE, "ronin")
    os.makedirs(out, exist_ok=True)
    ordered = sorted(rows.values(), key=lambda r: (int(r["block_number"]), r["hash"]))
    write_csv(os.path.join(out, "transactions.csv"), TX_HEADER, ordered)


BYBIT_SENDERS = {
    "hop1_0x47666fab_outflows_native_and_legit_tokens.csv": "0x47666fab8bd0ac7003bce3f5c3585383f09486e2",
    "hop2_0xa4b2fd68_outflows_native_and_legit_tokens.csv": "0xa4b2fd68593b6f34e51cb9edb66e71c1b4ab449e",
}


def unix(utc):
    t = datetime.datetime.strptime(utc, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return str(int(t.timestamp()))


def bybit(shared):
    txs, tokens = {}, []
    for name, sender in sorted(BYBIT_SENDERS.items()):
        with open(os.path.join(shared, "bybit_exploiter_transfers", name), newline="") as f:
            for r in csv.DictReader(f):
                ts = unix(r["timestamp_utc"])
                status = "0" if r["is_error"] == "1" else "1"
                if r["kind"] == "native":
                    row = tx_row(r["hash"].lower(), r["block"], sender, r["to"].lower(),
                                 to_base_units(r["amount"]), ts, status)
                    if row["hash"] in txs and txs[row["hash"]] != row:
                        sys.exit(f"two different rows for transaction {row['hash']}")
                    txs[row["hash"]] = row
                elif r["kind"] == "token":
                    # stETH, mETH and cmETH all have 18 decimals.
                    tokens.append({"token_address": r["contract"].lower(), "from_address": sender,
                                   "to_address": r["to"].lower(), "value": to_base_units(r["amount"]),
                                   "transaction_hash": r["hash"].lower(), "log_index": "",
                                   "block_number": r["block"], "block_timestamp": ts})
                else:
                    sys.exit(f"unknown kind {r['kind']!r}")
    out = os.path.join(HERE, "bybit")
    os.makedirs(out, exist_ok=True)
    write_csv(os.path.join(out, "transactions.csv"), TX_HEADER,
              sorted(txs.values(), key=lambda r: (int(r["block_number"]), r["hash"])))
    write_csv(os.path.join(out, "token_transfers.csv"), TOKEN_HEADER,
              sorted(tokens, key=lambda r: (int(r["block_number"]), r["transaction_hash"], r["to_address"], r["value"])))


ATTRIBUTED_CATEGORY = {
    "hack_exploiter": "exploiter",
    "hack_laundering": "laundering",
    "dprk_lazarus": "laundering",
    "mixer": "mixer",
    "mixer_pool": "mixer",
    "sanctioned": "sanctioned",
}
ETHERSCAN_CATEGORY = {
    "binance": "exchange", "huobi": "exchange", "poloniex": "exchange", "bitfinex": "exchange",
    "okx": "exchange", "crypto-com": "exchange", "hitbtc": "exchange", "bittrex": "exchange",
    "shapeshift": "exchange", "kraken": "exchange", "coinbase": "exchange", "kucoin": "exchange",
    "tornado-cash": "mixer", "ethereum-mixer": "mixer",
    "bridge": "bridge", "dex": "dex", "sushiswap": "dex", "uniswap": "dex",
}
LABEL_HEADER = ["address", "entity", "category", "actor", "source"]


def labels_for(shared, addresses, out_path):
    """Labels of the sample's addresses from the shared attribution table and
    the MIT-licensed Etherscan label dump (one row per label; conflicting
    labels are all kept, with their sources)."""
    rows = set()
    with open(os.path.join(shared, "attributed_addresses", "attributed_addresses.csv"), newline="") as f:
        for r in csv.DictReader(f):
            a = r["address"].lower()
            cat = ATTRIBUTED_CATEGORY.get(r["category"])
            if a in addresses and cat and r["chain"] == "ETH":
                actor = "lazarus" if "lazarus" in (r["entity"] + r["category"]).lower() else ""
                rows.add((a, r["entity"], cat, actor, r["attribution_source"]))
    with open(os.path.join(shared, "labels_etherscan_brianleect", "combinedAllLabels.json")) as f:
        dump = {k.lower(): v for k, v in json.load(f).items()}
    for a in addresses:
        entry = dump.get(a)
        if not entry:
            continue
        for label in entry["labels"]:
            cat = ETHERSCAN_CATEGORY.get(label)
            if cat:
                rows.add((a, entry["name"], cat, "", f"Etherscan label '{label}' (brianleect/etherscan-labels, MIT)"))
    ordered = [dict(zip(LABEL_HEADER, r)) for r in sorted(rows)]
    write_csv(out_path, LABEL_HEADER, ordered)


def sample_addresses(paths):
    out = set()
    for p in paths:
        with open(p, newline="") as f:
            for r in csv.DictReader(f):
                out.add(r["from_address"])
                out.add(r["to_address"])
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared", "data"))
    a = p.parse_args()
    ronin(a.shared)
    bybit(a.shared)
    for name, files in (("ronin", ["transactions.csv"]), ("bybit", ["transactions.csv", "token_transfers.csv"])):
        d = os.path.join(HERE, name)
        labels_for(a.shared, sample_addresses([os.path.join(d, f) for f in files]), os.path.join(d, "labels.csv"))


if __name__ == "__main__":
    main()
