#!/usr/bin/env python3
"""Derives the registry's address lists from ../shared/data (run from the crate root).

Writes incidents.json and mixers.json beside this script. Every address comes
from a file in the shared data and carries that file and the attribution the
file states; nothing is typed in by hand. The incident metadata (names,
dates, public attributions) is in INCIDENTS below, with its sources.
"""
import csv, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "..", "shared", "data")

def rows():
    with open(os.path.join(DATA, "attributed_addresses", "attributed_addresses.csv"), newline="") as f:
        return list(csv.DictReader(f))

def tagpack(name):
    """Minimal reader for the flat TagPacks used here: header, then `- address:` entries."""
    header, tags, cur = {}, [], None
    for line in open(os.path.join(DATA, "graphsense_tagpacks", "packs", name)):
        line = line.rstrip("\n")
        if line.startswith("tags:"):
            continue
        if line.startswith("- "):
            cur = {}
            tags.append(cur)
            line = line[2:]
        elif line.startswith("  ") and cur is not None:
            line = line[2:]
        elif cur is not None and line and not line.startswith(" "):
            cur = None
        if ":" not in line:
            continue
        k, v = line.split(":", 1)
        v = v.strip().strip("'\"")
        (cur if cur is not None else header)[k.strip()] = v
    return header, tags

CHAIN = {"ETH": "ethereum", "BTC": "bitcoin"}
AA = "attributed_addresses/attributed_addresses.csv"

def from_attributed(pred, role, note=None):
    out = []
    for r in rows():
        if pred(r):
            out.append({
                "chain": CHAIN[r["chain"]],
                "address": r["address"],
                "role": role,
                "source": r["attribution_source"],
                "data_file": f"{AA} (from {r['source_file']})",
                **({"evidence": note(r)} if note else {}),
            })
    return out

RONIN_EDGES = {
    "0x3cffd56b47b7b41c56258d9c7731abadc360e073": "0xa04e541b9de9ab8961a355e063fa256a1ed40fd9a48620431d9389121f2f6d29",
    "0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b": "0xa0b693361fbbf51940e613bb4fd50fe94cf60a54934cb946a007c014c97c230f",
    "0x53b6936513e738f44fb50d2b9476730c0ab3bfc1": "0x899ad3622b561e9175be78c1c819242ca60279430ed49cce488fd3803a1511d4",
    "0xf7b31119c2682c88d88d455dbb9d5932c65cf1be": "0xadee9d8ba4bed9247c8eac99a4a028f24e3cb9544e3f395f1fd661cbacf99a21",
}

def check_ronin_edges():
    seen = {}
    with open(os.path.join(DATA, "eth_transfers_ofac_addresses", "eth_AssetTransfers_date.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["from"].lower() == "0x098b716b8aaf21512996dc57eb0615e2383e2f96":
                seen[r["to"].lower()] = r["hash"]
    for a, h in RONIN_EDGES.items():
        assert seen.get(a) == h, (a, h, seen.get(a))

FBI_2023_08 = {
    "publisher": "FBI", "date": "2023-08-22",
    "title": "FBI Identifies Cryptocurrency Funds Stolen by DPRK",
    "url": "https://www.fbi.gov/news/press-releases/fbi-identifies-cryptocurrency-funds-stolen-by-dprk",
}
FBI_2023_09 = {
    "publisher": "FBI", "date": "2023-09-06",
    "title": "FBI Identifies Lazarus Group Cyber Actors as Responsible for Theft of $41 Million from Stake.com",
}
JOINT_2025_01 = {
    "publisher": "U.S. Department of State, with Japan and the Republic of Korea", "date": "2025-01-14",
    "title": "Joint Statement on North Korean Cryptocurrency Thefts and Public-Private Collaboration",
}

def lazarus2():
    h, tags = tagpack("lazarus2.yaml")
    return [{
        "chain": "bitcoin", "address": t["address"], "role": "laundering",
        "source": f"FBI via GraphSense TagPack '{h['title']}' ({h['source']})",
        "data_file": "graphsense_tagpacks/packs/lazarus2.yaml",
        "evidence": "FBI 2023-08-22: about 1,580 BTC moved by TraderTraitor from several heists and held here; the release names Alphapo, CoinsPaid and Atomic Wallet among the group's 2023 heists but does not say which heist each address holds",
    } for t in tags]

def incidents():
    check_ronin_edges()
    ronin_pack = from_attributed(lambda r: "ronin_bridge.yaml" in r["source_file"], "exploiter")
    ronin_laundering = from_attributed(
        lambda r: r["address"] in RONIN_EDGES and "OFAC SDN" in r["attribution_source"],
        "laundering",
        lambda r: f"OFAC SDN 'Lazarus Group'; receives ETH directly from the Ronin exploiter in tx {RONIN_EDGES[r['address']]} (eth_transfers_ofac_addresses/eth_AssetTransfers_date.csv)",
    )
    ronin_ofac = from_attributed(
        lambda r: r["address"] == "0x098b716b8aaf21512996dc57eb0615e2383e2f96" and r["category"] == "dprk_lazarus",
        "exploiter",
    )
    return [
        {
            "name": "bybit-2025", "title": "Bybit Ethereum cold wallet theft", "victim": "Bybit",
            "date": "2025-02-21", "chains": ["ethereum"], "actor": "TraderTraitor (Lazarus Group)",
            "attribution": [{"publisher": "FBI", "date": "2025-02-26",
                             "title": "North Korea Responsible for $1.5 Billion Bybit Hack (public service announcement)"}],
            "addresses": from_attributed(lambda r: r["category"] == "hack_exploiter" and r["source_file"].startswith("bybit"), "exploiter"),
            "note": "Addresses: the 71 accounts labelled 'Bybit Exploit' by Etherscan, as collected by we-stronger/bybit-incident-tna; the first-hop exploiter is 0x47666fab8bd0ac7003bce3f5c3585383f09486e2 (not on the OFAC list of 2024-09-27). The FBI announcement lists further addresses, not in the shared data.",
        },
        {
            "name": "ronin-2022", "title": "Ronin bridge (Axie Infinity) validator key compromise", "victim": "Sky Mavis / Ronin Network",
            "date": "2022-03-23", "chains": ["ethereum"], "actor": "Lazarus Group",
            "attribution": [
                {"publisher": "FBI", "date": "2022-04-14",
                 "title": "FBI Statement on Attribution of Malicious Cyber Activity Posed by the Democratic People's Republic of Korea"},
                {"publisher": "U.S. Treasury OFAC", "date": "2022-04-14",
                 "title": "SDN list update: Lazarus Group identifiers (Ethereum address 0x098b716b8aaf21512996dc57eb0615e2383e2f96)"},
                {"publisher": "Ronin Network", "date": "2022-03-29", "title": "Community Alert: Ronin Validators Compromised",
                 "url": "https://roninblockchain.substack.com/p/community-alert-ronin-validators"},
            ],
            "addresses": ronin_pack + ronin_ofac + ronin_laundering,
            "note": "Exploiter addresses from the GraphSense Ronin pack and OFAC; laundering addresses are the four OFAC 'Lazarus Group' addresses the exploiter paid 75,143.74635 ETH in April 2022.",
        },
        {
            "name": "harmony-2022", "title": "Harmony Horizon bridge theft", "victim": "Harmony",
            "date": "2022-06-23", "chains": ["ethereum", "harmony"], "actor": "Lazarus Group (APT38)",
            "attribution": [{"publisher": "FBI", "date": "2023-01-23",
                             "title": "FBI Confirms Lazarus Group Cyber Actors Responsible for Harmony's Horizon Bridge Currency Theft"}],
            "addresses": from_attributed(lambda r: r["source_file"].startswith("harmony"), "laundering",
                                         lambda r: "Tornado Cash depositor identified by a demixing analysis (heuristic output, not an authority's attribution)"),
            "note": "No exploiter address of this theft is in the shared data (the exploiter 0x0d0431… is named in PROVENANCE.md only in abbreviated form); the addresses listed are Tornado Cash depositors from a heuristic analysis.",
        },
        {
            "name": "atomic-wallet-2023", "title": "Atomic Wallet user wallet drain", "victim": "Atomic Wallet users",
            "date": "2023-06-02", "chains": ["bitcoin", "ethereum", "tron"], "actor": "TraderTraitor (Lazarus Group)",
            "attribution": [FBI_2023_08, FBI_2023_09],
            "addresses": lazarus2(),
            "note": "No exploiter address in the shared data; the six FBI Bitcoin addresses hold funds from several 2023 heists that include this one.",
        },
        {
            "name": "alphapo-2023", "title": "Alphapo hot wallet theft", "victim": "Alphapo",
            "date": "2023-07-22", "chains": ["ethereum", "tron", "bitcoin"], "actor": "TraderTraitor (Lazarus Group)",
            "attribution": [FBI_2023_08, FBI_2023_09],
            "addresses": lazarus2(),
            "note": "No exploiter address in the shared data; the six FBI Bitcoin addresses hold funds from several 2023 heists that include this one. The FBI gives 2023-06-22 (Aug. release) and 2023-07-22 (Sept. release) for this theft.",
        },
        {
            "name": "coinspaid-2023", "title": "CoinsPaid hot wallet theft", "victim": "CoinsPaid",
            "date": "2023-07-22", "chains": ["ethereum", "tron", "bitcoin"], "actor": "TraderTraitor (Lazarus Group)",
            "attribution": [FBI_2023_08, FBI_2023_09],
            "addresses": lazarus2(),
            "note": "No exploiter address in the shared data; the six FBI Bitcoin addresses hold funds from several 2023 heists that include this one.",
        },
        {
            "name": "stake-2023", "title": "Stake.com hot wallet theft", "victim": "Stake.com",
            "date": "2023-09-04", "chains": ["ethereum", "bsc", "polygon"], "actor": "Lazarus Group (APT38)",
            "attribution": [FBI_2023_09],
            "addresses": [],
            "note": "The FBI release lists the receiving addresses; none of them is in the shared data, so none is listed here.",
        },
        {
            "name": "coinex-2023", "title": "CoinEx hot wallet theft", "victim": "CoinEx",
            "date": "2023-09-12", "chains": ["ethereum", "tron", "bitcoin", "bsc", "polygon"], "actor": "Lazarus Group (suspected)",
            "attribution": [{"publisher": "Elliptic", "date": "2023-09-13",
                             "title": "Analysis linking funds stolen from CoinEx to an address used to launder the Stake.com theft (attribution by a private firm, not a government)"}],
            "addresses": [],
            "note": "No address of this theft is in the shared data.",
        },
        {
            "name": "dmm-bitcoin-2024", "title": "DMM Bitcoin theft of 4,502.9 BTC", "victim": "DMM Bitcoin",
            "date": "2024-05-31", "chains": ["bitcoin"], "actor": "TraderTraitor (Lazarus Group)",
            "attribution": [{"publisher": "FBI, DC3 and Japan's National Police Agency", "date": "2024-12-23",
                             "title": "FBI, DC3, and NPA Identification of North Korean Cyber Actors, Tracked as TraderTraitor, Responsible for Theft of $308 Million USD from Bitcoin.DMM.com"},
                            JOINT_2025_01],
            "addresses": [],
            "note": "No address of this theft is in the shared data.",
        },
        {
            "name": "wazirx-2024", "title": "WazirX multisig wallet theft", "victim": "WazirX",
            "date": "2024-07-18", "chains": ["ethereum"], "actor": "Lazarus Group",
            "attribution": [JOINT_2025_01],
            "addresses": [],
            "note": "No address of this theft is in the shared data. The joint statement attributes it on the word of the United States and the Republic of Korea.",
        },
    ]

def mixers():
    out = []
    def pack(name, service, kind, chains, note, labels=None):
        h, tags = tagpack(name)
        addrs = []
        for t in tags:
            lab = t.get("label", h.get("label", ""))
            if labels is not None and lab not in labels:
                continue
            cur = t.get("currency", h.get("currency", ""))
            addrs.append({"chain": CHAIN.get(cur, cur.lower()), "address": t["address"],
                          "role": "mixer", "source": f"GraphSense TagPack '{h['title']}' ({h['source']})",
                          "data_file": f"graphsense_tagpacks/packs/{name}"})
        out.append({"name": service, "kind": kind, "chains": chains, "note": note, "addresses": addrs})
    pack("tornado_cash.yaml", "Tornado Cash", "non-custodial pool mixer (fixed denominations, zk-SNARK withdrawals)",
         ["ethereum"], "OFAC designated these addresses on 2022-08-08 (pools, router, proxies, governance); the pools with denominations are in tornado_pools().")
    pack("blender_io.yaml", "Blender.io", "custodial mixer", ["bitcoin"], "OFAC designation 2022-05-06.")
    pack("sinbad_io.yaml", "Sinbad.io", "custodial mixer", ["bitcoin"], "OFAC designation 2023-11-29.")
    for svc in ["ChipMixer", "CryptoMixer", "MixTum", "Bitcoin Mixer", "Sudoku Wallet"]:
        pack("mixing_fc2021.yaml", svc, "custodial mixer", ["bitcoin"],
             "Addresses from a Financial Cryptography 2021 research paper (forensic source).", labels={svc})
    pack("wasabi_collector.yaml", "Wasabi Wallet CoinJoin", "CoinJoin coordinator (fee collector addresses)", ["bitcoin"],
         "Coordinator fee addresses; CoinJoin outputs themselves are found by pattern, not by label.")
    return out

def main():
    inc = incidents()
    for i in inc:
        assert i["attribution"], i["name"]
    with open(os.path.join(HERE, "incidents.json"), "w") as f:
        json.dump(inc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(HERE, "mixers.json"), "w") as f:
        json.dump(mixers(), f, indent=1, ensure_ascii=False)
        f.write("\n")
    print({i["name"]: len(i["addresses"]) for i in inc})

if __name__ == "__main__":
    main()
