#!/usr/bin/env python3
"""Cuts small seed inputs for the fuzz targets from the real data.

Sources: ../shared/data (beside the repository; see its PROVENANCE.md) when
present, else the fixtures under tests/data and examples/data (copies of
parts of it, see tests/data/PROVENANCE.md). Each seed is a few KB: whole
small files, or the header and first records of larger ones, cut at a
record boundary. A seed starts with the selector byte its target reads
first (see each target's doc comment), so one seed steers the fuzzer into
one reader. Formats the data has no file of (Etherscan exports, the own
JSON lines, zipped caches) are converted from real records.

Usage: fuzz/make_corpus.py [OUT_DIR]   (FUNDTRACE_SHARED_DATA overrides
../shared/data;   default OUT_DIR fuzz/corpus; nothing is written
outside it; the corpus directory is not committed).
"""
import bz2
import hashlib
import io
import json
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED = os.environ.get("FUNDTRACE_SHARED_DATA") or os.path.join(os.path.dirname(REPO), "shared", "data")
FIXTURES = os.path.join(REPO, "tests", "data")
EXAMPLES = os.path.join(REPO, "examples", "data")
MAX = 4096  # bytes of text per seed, about


def find(rel):
    """A data file: from ../shared/data, else from tests/data; None if neither has it."""
    for root in (SHARED, FIXTURES):
        p = os.path.join(root, rel)
        if os.path.exists(p):
            return p
    return None


def read(rel):
    p = find(rel)
    if p is None:
        print(f"make_corpus: {rel}: not found, skipped", file=sys.stderr)
        return None
    with open(p, "rb") as f:
        return f.read()


def head(data, limit=MAX, keep_header=True):
    """The first lines of `data` up to about `limit` bytes, whole lines only."""
    if data is None:
        return None
    lines = data.splitlines(keepends=True)
    out = []
    size = 0
    for i, line in enumerate(lines):
        if out and size + len(line) > limit:
            break
        out.append(line)
        size += len(line)
    return b"".join(out)


class Corpus:
    def __init__(self, out):
        self.out = out
        self.count = {}

    def add(self, target, selector, data):
        if data is None:
            return
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        blob = (bytes([selector]) if selector is not None else b"") + data
        name = hashlib.sha1(blob).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(blob)
        self.count[target] = self.count.get(target, 0) + 1


ETL = "ethereum_etl_samples"
TX_CSV = f"{ETL}/test_export_blocks_job/blocks_with_transactions_and_withdrawals/expected_transactions.csv"
TX_JSON = f"{ETL}/test_stream/blocks_17173049_17173050/expected_transactions.json"
TT_JSON = f"{ETL}/test_stream/blocks_17173049_17173050/expected_token_transfers.json"
TRACES = [f"{ETL}/test_export_traces_job/block_with_subtraces/expected_traces.csv",
          f"{ETL}/test_export_traces_job/block_with_create/expected_traces.csv"]
TT_CSV = [f"{ETL}/test_export_token_transfers_job/block_with_transfers/expected_token_transfers.csv",
          f"{ETL}/test_extract_token_transfers_job/logs/expected_token_transfers.csv"]


def account(c):
    t = "account_ingest"
    tx_csv = head(read(TX_CSV), 3000)
    tx_json = head(read(TX_JSON), 3000)
    # 0 transactions, 1 token transfers, 2 traces, 3 Etherscan, 4 own;
    # +8 JSON lines, +16 lenient.
    for lenient in (0, 16):
        c.add(t, 0 | lenient, tx_csv)
        c.add(t, 8 | lenient, tx_json)
        c.add(t, 9 | lenient, head(read(TT_JSON), 3000))
        for rel in TT_CSV:
            c.add(t, 1 | lenient, head(read(rel)))
        for rel in TRACES:
            c.add(t, 2 | lenient, head(read(rel)))
    for name in ("ronin/transactions.csv", "bybit/transactions.csv", "bybit/token_transfers.csv"):
        p = os.path.join(EXAMPLES, name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                c.add(t, 1 if "token" in name else 0, head(f.read(), 2500))
    # Etherscan exports and the own format, converted from real transactions.
    rows = []
    if tx_json:
        for line in tx_json.splitlines()[:12]:
            try:
                rows.append(json.loads(line))
            except ValueError:
                pass
    if rows:
        web = ["Txhash,Blockno,UnixTimestamp,DateTime,From,To,ContractAddress,Value_IN(ETH),Value_OUT(ETH),CurrentValue,TxnFee(ETH),Historical $Price,Status,ErrCode,Method"]
        api = ["blockNumber,timeStamp,hash,nonce,transactionIndex,from,to,value,gas,gasPrice,isError,txreceipt_status,contractAddress,gasUsed"]
        token = ["blockNumber,timeStamp,hash,from,to,value,contractAddress,tokenDecimal,logIndex,transactionIndex"]
        own = []
        for r in rows:
            wei = int(r.get("value") or 0)
            eth = f"{wei // 10**18}.{wei % 10**18:018d}".rstrip("0").rstrip(".")
            to = r.get("to_address") or ""
            web.append(f'{r["hash"]},{r["block_number"]},{r["block_timestamp"]},"2023-05-02 12:19:59",{r["from_address"]},{to},,0,{eth},0,0.001,0,,,Transfer')
            api.append(f'{r["block_number"]},{r["block_timestamp"]},{r["hash"]},{r.get("nonce", 0)},{r["transaction_index"]},{r["from_address"]},{to},{wei},{r.get("gas", 0)},{r.get("gas_price", 0)},0,1,,{r.get("receipt_gas_used") or 21000}')
            token.append(f'{r["block_number"]},{r["block_timestamp"]},{r["hash"]},{r["from_address"]},{to or r["from_address"]},{wei},0xdac17f958d2ee523a2206206994597c13d831ec7,6,{r["transaction_index"]},{r["transaction_index"]}')
            kind = "transfer" if wei else "transaction"
            rec = {"type": kind, "chain": "ethereum", "symbol": "ETH", "tx": r["hash"], "block": r["block_number"],
                   "time": r["block_timestamp"], "position": r["transaction_index"]}
            if wei and to:
                rec.update({"kind": "native", "index": 0, "from": r["from_address"], "to": to, "asset": "ETH", "amount": str(wei)})
            else:
                rec["type"] = "transaction"
            own.append(json.dumps(rec, separators=(",", ":")))
        for lines, sel in ((web, 3), (api, 3), (token, 3), (own, 12)):
            text = ("\n".join(lines) + "\n").encode()
            c.add(t, sel, text)
            c.add(t, sel | 16, text)


def labels(c):
    t = "labels"
    # 0 CSV, 1 JSON, 2 list; +4 default chain, +8 default category
    for rel in ("attributed_addresses/attributed_addresses.csv",
                "labels_etherscan_brianleect/accounts_tornado-cash.csv",
                "labels_etherscan_brianleect/accounts_bridge.csv",
                "labels_tutela/known_addresses.csv",
                "labels_tutela/etherscan.csv",
                "labels_forta/chain_1/phishing_scams.csv",
                "labels_forta/chain_10/malicious_smart_contracts.csv",
                "ofac_sdn_bhemen/tagged_addresses.csv",
                "tornado_cash_contracts/tutela_tornado.csv"):
        c.add(t, 0, head(read(rel), 2500))
    p = os.path.join(EXAMPLES, "ronin", "labels.csv")
    if os.path.exists(p):
        with open(p, "rb") as f:
            c.add(t, 8, head(f.read(), 2500))
    for rel in ("ofac_lists_0xB10C/sanctioned_addresses_ETH.json",
                "ofac_lists_0xB10C/sanctioned_addresses_XBT.json",
                "tornado_cash_contracts/tutela_tornado_pools.json"):
        data = read(rel)
        if data is None:
            continue
        try:
            v = json.loads(data)
        except ValueError:
            continue
        if isinstance(v, list):
            v = v[:20]
        c.add(t, 1, json.dumps(v).encode()[:MAX] if not isinstance(v, list) else json.dumps(v).encode())
    data = read("labels_etherscan_brianleect/combinedAllLabels.json")
    if data is not None:
        try:
            v = json.loads(data)
            small = dict(list(v.items())[:8]) if isinstance(v, dict) else v[:8]
            c.add(t, 1, json.dumps(small).encode())
        except ValueError:
            pass
    for rel in ("ofac_lists_0xB10C/sanctioned_addresses_ETH.txt",
                "ofac_lists_0xB10C/sanctioned_addresses_XBT.txt",
                "ofac_lists_0xB10C/sanctioned_addresses_TRX.txt"):
        c.add(t, 2, head(read(rel), 1500))
        c.add(t, 6, head(read(rel), 1500))


def tagpacks(c):
    t = "tagpack"
    packs = "graphsense_tagpacks/packs"
    for name in ("demo", "lazarus", "lazarus2", "tornado_cash", "ronin_bridge", "binance_hack",
                 "wasabi_collector", "coinjoin_bounty", "plustoken", "ofac", "hacks",
                 "mixing_fc2021", "walletexplorer", "exchange-wallets-bybit"):
        c.add(t, None, head(read(f"{packs}/{name}.yaml"), 3000))
    # aliases, as real packs do not use them
    c.add(t, None, b"title: &t aliased\ncreator: x\ncategory: &c exchange\ncurrency: ETH\n"
          b"tags:\n- address: '0x098B716B8Aaf21512996dC57EB0615e2383E2f96'\n  label: *t\n  category: *c\n")


def pool_events(c):
    t = "pool_events"
    ev = "tornado_cash_events/mainnet_token_pools_2019-12_to_2022-02"
    d = read(f"{ev}/deposits_cdai_5000.json")
    w = read(f"{ev}/withdrawals_cdai_5000.json")
    if d is not None and w is not None:
        c.add(t, 0, d + b"\0" + w)
    for pool in ("usdc_100", "cdai_500000"):
        d, w = read(f"{ev}/deposits_{pool}.json"), read(f"{ev}/withdrawals_{pool}.json")
        if d is None or w is None:
            continue
        dj, wj = json.loads(d)[:4], json.loads(w)[:4]
        c.add(t, 0, json.dumps(dj, indent=1).encode() + b"\0" + json.dumps(wj, indent=1).encode())
        # 2: a zipped deposits cache, as the classic UI ships them
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"deposits_{pool}.json", json.dumps(dj))
        c.add(t, 2, buf.getvalue())
    # 1: logs.csv; the real sample's logs are of tokens, so one deposit and
    # one withdrawal of the pool are written from cached events.
    logs = read(f"{ETL}/test_extract_token_transfers_job/logs/logs.csv")
    dep = "0xa945e51eec50ab98c161376f0db4cf2aeba3ec92755fe2fcd388bdbbb80ff196"
    wd = "0xe9e508bad6d4c3227e881ca19068f099da81b5164dd6d62b2eaf1e8bc6c34931"
    pool = "0x910cbd523d972eb0a6f4cae4618ad62622b39dbf"
    d0 = {"commitment": "0x" + "11" * 32, "leafIndex": 7, "timestamp": 1577309522,
          "transactionHash": "0x" + "22" * 32, "blockNumber": 9162622}
    dd = read(f"{ev}/deposits_cdai_5000.json")
    if dd is not None:
        d0 = json.loads(dd)[0]
    word = lambda n: f"{int(n):064x}"
    rows = [b"log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics,block_timestamp"]
    rows.append((f'3,{d0["transactionHash"]},0,0x{"ab" * 32},{d0["blockNumber"]},{pool},'
                 f'0x{word(d0["leafIndex"])}{word(d0.get("timestamp", 1577309522))},"{dep},{d0["commitment"]}",{d0.get("timestamp", 1577309522)}').encode())
    rows.append((f'5,0x{"33" * 32},1,0x{"cd" * 32},9162700,{pool},'
                 f'0x{"0" * 24}{"44" * 20}{"55" * 32}{word(10**15)},"{wd},0x{"0" * 24}{"66" * 20}",1577319522').encode())
    c.add(t, 1, b"\n".join(rows) + b"\n")
    if logs is not None:
        c.add(t, 1, logs)


def btc_json(c):
    t = "btc_json"
    base = "bitcoin_etl_samples/bitcoin"
    getblocks = [
        "block_0/rpc_response_getblock_000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f_2.json",
        "block_1/rpc_response_getblock_00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048_2.json",
        "block_with_transactions/rpc_response_getblock_000000002066d7f9b134c30b5005b7bf5fbfa52f279883f1fde793dcdc964266_2.json",
        "block_with_transactions/rpc_response_getblock_000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141_2.json",
    ]
    # 0 Core blocks, 1 Core records, 2 bitcoin-etl, 3 own UTXO lines
    blocks = []
    for rel in getblocks:
        data = read(f"{base}/{rel}")
        if data is None:
            continue
        c.add(t, 0, data)
        c.add(t, 1, data)
        try:
            v = json.loads(data)
            blocks.append(json.dumps(v.get("result", v), separators=(",", ":")).encode())
        except ValueError:
            pass
    if len(blocks) >= 2:
        c.add(t, 1, b"\n".join(blocks[:2]) + b"\n")  # JSON lines
        c.add(t, 0, b"[" + b",".join(blocks[:2]) + b"]")  # an array
    for rel in ("block_0/expected_transactions.json", "block_with_transactions/expected_transactions.json",
                "stream_50001_50002/expected_transactions.json"):
        data = read(f"{base}/{rel}")
        c.add(t, 2, head(data, 3000))
        c.add(t, 3 + 4, head(data, 3000))
    own = [
        {"txid": "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
         "block_hash": "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", "height": 0,
         "position": 0, "time": 1231006505, "coinbase": True, "inputs": [],
         "outputs": [{"value": 5000000000, "address": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "script_type": "p2pk"}]},
        {"txid": "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16",
         "block_hash": "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee", "height": 170,
         "position": 1, "time": 1231731025, "coinbase": False,
         "inputs": [{"prevout": "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0", "value": None, "address": None}],
         "outputs": [{"value": 1000000000, "address": "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", "script_type": "p2pk"},
                     {"value": 4000000000, "address": "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", "script_type": "p2pk"}]},
    ]
    c.add(t, 3, "\n".join(json.dumps(r, separators=(",", ":")) for r in own).encode() + b"\n")


def btc_raw(c):
    t = "btc_raw"
    # 0 transactions: the hex transactions of tx_valid.json / tx_invalid.json
    for rel, n in (("bitcoin_raw/btcd/txscript__data__tx_valid.json", 24),
                   ("bitcoin_raw/btcd/txscript__data__tx_invalid.json", 8)):
        data = read(rel)
        if data is None:
            continue
        got = 0
        scripts = 0
        for item in json.loads(data):
            if not (isinstance(item, list) and len(item) >= 2 and isinstance(item[1], str)):
                continue
            try:
                raw = bytes.fromhex(item[1])
            except ValueError:
                continue
            if len(raw) > 3000:
                continue
            c.add(t, 0, raw)
            got += 1
            # 2: the prevout scripts are in Bitcoin Core's script notation,
            # not hex; the outputs of these transactions give real scripts.
            if got >= n:
                break
    # 1 blocks and 3 block files: the testnet block, and the first blocks of
    # blocks1-256 (blk records), raw, as hex lines and re-compressed.
    block = read("bitcoin_raw/rust-bitcoin/testnet_block_000000000000045e0b1660b6445b5e5c5ab63c9a4f956be7e1e69be04fa4497b.raw")
    if block is not None:
        c.add(t, 1, block)
        c.add(t, 3, block)
    blk = read("bitcoin_raw/btcd/database__testdata__blocks1-256.bz2")
    if blk is not None:
        raw = bz2.decompress(blk)
        # records: magic(4) size(4) block
        recs, off = [], 0
        while off + 8 <= len(raw) and len(recs) < 4:
            size = int.from_bytes(raw[off + 4:off + 8], "little")
            recs.append(raw[off:off + 8 + size])
            off += 8 + size
        if recs:
            c.add(t, 1, recs[0][8:])
            c.add(t, 3, b"".join(recs))
            c.add(t, 3, bz2.compress(b"".join(recs)))
            c.add(t, 3, b"\n".join(r[8:].hex().encode() for r in recs[:2]) + b"\n")
    # 2 scripts: one of each output type
    for s in ("76a914" + "11" * 20 + "88ac", "a914" + "22" * 20 + "87", "0014" + "33" * 20,
              "0020" + "44" * 32, "5120" + "55" * 32, "41" + "04" + "66" * 64 + "ac",
              "5121" + "02" + "77" * 32 + "21" + "03" + "88" * 32 + "52ae", "6a0b68656c6c6f20776f726c64"):
        c.add(t, 2, bytes.fromhex(s))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    if not os.path.isdir(SHARED):
        print(f"make_corpus: {SHARED} not found: seeds from tests/data only", file=sys.stderr)
    c = Corpus(out)
    account(c)
    labels(c)
    tagpacks(c)
    pool_events(c)
    btc_json(c)
    btc_raw(c)
    for target in sorted(c.count):
        d = os.path.join(out, target)
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        print(f"{target}: {c.count[target]} seeds, {size} bytes")


if __name__ == "__main__":
    main()
