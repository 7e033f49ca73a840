//! The ledger-input flags every command shares.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use fundtrace::ingest::tokens::TokenMetadata;
use fundtrace::ingest::{self, Dataset, Format, IngestOptions, Source};
use fundtrace::ledger::utxo::Network;
use fundtrace::Address;

use super::CliError;

/// Ledger inputs. Each flag is repeatable; the encoding is told by the
/// extension (`.csv`, `.json`/`.jsonl`, `.parquet`). `--snapshot` reads a
/// ledger snapshot instead (`fundtrace snapshot`).
#[derive(Debug, Clone, Args)]
pub struct LedgerInputs {
    /// A ledger snapshot made by `fundtrace snapshot`, instead of the ledger
    /// input flags (reloads in a fraction of a second; the report cites the
    /// snapshot and the inputs it was made from).
    #[arg(long = "snapshot", value_name = "FILE", conflicts_with_all = [
        "transactions", "token_transfers", "traces", "etherscan", "ledger",
        "btc_blocks", "btc_json", "btc_height", "lenient", "rejects", "no_fees",
    ])]
    pub snapshot: Option<PathBuf>,
    /// ethereum-etl / BigQuery transactions file (.csv, .jsonl, or .parquet:
    /// a BigQuery export or cryo's transactions dataset).
    #[arg(long = "transactions", value_name = "FILE")]
    pub transactions: Vec<PathBuf>,
    /// ethereum-etl / BigQuery token_transfers file (.csv, .jsonl, or
    /// .parquet: a BigQuery export or cryo's erc20_transfers dataset).
    #[arg(long = "token-transfers", value_name = "FILE")]
    pub token_transfers: Vec<PathBuf>,
    /// ethereum-etl / BigQuery traces file, internal transfers (.csv, .jsonl,
    /// or .parquet: a BigQuery export or cryo's traces dataset).
    #[arg(long = "traces", value_name = "FILE")]
    pub traces: Vec<PathBuf>,
    /// Etherscan CSV export (normal, internal or token transfers).
    #[arg(long = "etherscan", value_name = "FILE")]
    pub etherscan: Vec<PathBuf>,
    /// fundtrace's own JSON-lines ledger.
    #[arg(long = "ledger", value_name = "FILE")]
    pub ledger: Vec<PathBuf>,
    /// Bitcoin raw blocks or blk*.dat records (optionally bzip2).
    #[arg(long = "btc-blocks", value_name = "FILE")]
    pub btc_blocks: Vec<PathBuf>,
    /// Bitcoin Core `getblock <hash> 2` JSON or bitcoin-etl transactions.json.
    #[arg(long = "btc-json", value_name = "FILE")]
    pub btc_json: Vec<PathBuf>,
    /// Height of the first raw block, when it is not the genesis block or its child.
    #[arg(long = "btc-height", value_name = "N")]
    pub btc_height: Option<u64>,
    /// Bitcoin network, for address forms.
    #[arg(long = "btc-network", value_enum, default_value = "mainnet")]
    pub btc_network: NetworkArg,
    /// Skip bad records (counted and reported) instead of stopping at the first.
    #[arg(long)]
    pub lenient: bool,
    /// With --lenient, write every rejected record to FILE.
    #[arg(long, value_name = "FILE", requires = "lenient")]
    pub rejects: Option<PathBuf>,
    /// No progress display on the terminal while loading.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Leave gas fees out even when the data has them.
    #[arg(long)]
    pub no_fees: bool,
    /// Decimals of a token in Etherscan token exports, as CONTRACT:N (repeatable).
    #[arg(long = "token-decimals", value_name = "ADDR:N", value_parser = fundtrace::ingest::etherscan::parse_token_decimals)]
    pub token_decimals: Vec<(Address, u32)>,
    /// Token symbols and decimals: a CSV with `address` (or `contract`),
    /// `symbol` and `decimals` columns, such as the ethereum-etl / BigQuery
    /// `tokens` export (repeatable; `--token-decimals` wins over it).
    #[arg(long = "token-metadata", value_name = "FILE")]
    pub token_metadata: Vec<PathBuf>,
    /// The token metadata files once read: ingest (decimals) and the
    /// report (symbols, digests) see the same bytes, read once.
    #[arg(skip)]
    token_metadata_read: std::sync::OnceLock<TokenMetadata>,
}

/// Bitcoin networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkArg {
    /// Mainnet (`1…`, `3…`, `bc1…`).
    Mainnet,
    /// Testnet and signet (`m…`, `2…`, `tb1…`).
    Testnet,
    /// Regtest (`bcrt1…`).
    Regtest,
}

impl LedgerInputs {
    /// The sources in a fixed order (by format, then as given).
    pub fn sources(&self) -> Vec<Source> {
        let groups: [(Format, &Vec<PathBuf>); 7] = [
            (Format::EthTransactions, &self.transactions),
            (Format::EthTokenTransfers, &self.token_transfers),
            (Format::EthTraces, &self.traces),
            (Format::Etherscan, &self.etherscan),
            (Format::Fundtrace, &self.ledger),
            (Format::BtcBlocks, &self.btc_blocks),
            (Format::BtcJson, &self.btc_json),
        ];
        groups
            .iter()
            .flat_map(|(f, paths)| paths.iter().map(|p| Source::new(*f, p.clone())))
            .collect()
    }

    /// The token metadata files, read (empty when none is given).
    pub fn token_metadata(&self) -> Result<TokenMetadata, CliError> {
        if let Some(read) = self.token_metadata_read.get() {
            return Ok(read.clone());
        }
        let read = TokenMetadata::load(&self.token_metadata)
            .map_err(|e| CliError::Input(e.to_string()))?;
        Ok(self.token_metadata_read.get_or_init(|| read).clone())
    }

    /// Decimals of tokens: from the metadata files, then `--token-decimals`.
    fn decimals(&self) -> Result<std::collections::BTreeMap<Address, u32>, CliError> {
        let mut decimals = self.token_metadata()?.decimals();
        decimals.extend(self.token_decimals.iter().cloned());
        Ok(decimals)
    }

    /// Whether any ledger input (or a snapshot) was given.
    pub fn is_empty(&self) -> bool {
        self.sources().is_empty() && self.snapshot.is_none()
    }

    /// Refuses outputs (`--out`, `--rejects`) that are also inputs (the
    /// ledger inputs and `others`: labels, seeds files, pool events), before
    /// anything is read or written.
    pub fn check_outputs(
        &self,
        out: Option<&std::path::Path>,
        others: &[PathBuf],
    ) -> Result<(), CliError> {
        let mut inputs: Vec<PathBuf> = self.sources().into_iter().map(|s| s.path).collect();
        inputs.extend_from_slice(others);
        inputs.extend_from_slice(&self.token_metadata);
        inputs.extend(self.snapshot.iter().cloned());
        let outputs: Vec<&std::path::Path> =
            out.into_iter().chain(self.rejects.as_deref()).collect();
        fundtrace::report::output::refuse_output_over_inputs(&outputs, &inputs)
            .map_err(|e| CliError::Usage(e.to_string()))
    }

    /// Reads every input (Bitcoin inputs also as a UTXO ledger), reporting
    /// lenient skips on stderr.
    pub fn load(&self) -> Result<Dataset, CliError> {
        self.load_with(false)
    }

    /// As [`load`](Self::load), keeping transactions' gas prices when
    /// `gas_prices` (for demixing).
    pub fn load_with(&self, gas_prices: bool) -> Result<Dataset, CliError> {
        self.check_outputs(None, &[])?;
        if self.is_empty() {
            return Err(CliError::Usage(
                "no ledger input: give --transactions, --token-transfers, --traces, --etherscan, --ledger, --btc-blocks, --btc-json or --snapshot".into(),
            ));
        }
        if let Some(path) = &self.snapshot {
            // Gas prices are always kept in snapshots; they change no
            // report that does not ask for them.
            let ledger = fundtrace::ledger::snapshot::read_file(path)
                .map_err(|e| CliError::Input(format!("snapshot {}: {e}", path.display())))?;
            let data = Dataset { ledger, utxo: None };
            warn_skips(&data);
            return Ok(data);
        }
        let options = IngestOptions {
            lenient: self.lenient,
            rejects: None,
            no_fees: self.no_fees,
            token_decimals: self.decimals()?,
            btc_height: self.btc_height,
            btc_network: match self.btc_network {
                NetworkArg::Mainnet => Network::Mainnet,
                NetworkArg::Testnet => Network::Testnet,
                NetworkArg::Regtest => Network::Regtest,
            },
            progress: None,
            gas_prices,
            parse_threads: None,
        };
        let sources = self.sources();
        let display = (!self.quiet && std::io::stderr().is_terminal())
            .then(|| super::progress::LoadDisplay::start(&sources));
        let options = IngestOptions {
            progress: display.as_ref().map(super::progress::LoadDisplay::counter),
            ..options
        };
        let data = match &self.rejects {
            Some(path) => {
                fundtrace::investigation::load_dataset_with_rejects(&sources, options, path)
                    .map_err(|e| CliError::Output {
                        path: path.display().to_string(),
                        source: std::io::Error::other(e.to_string()),
                    })
            }
            None => ingest::load_dataset(&sources, options).map_err(CliError::from),
        };
        if let Some(d) = display {
            d.finish();
        }
        let data = data?;
        warn_skips(&data);
        Ok(data)
    }
}

/// Lenient skips and dropped duplicates, on stderr.
fn warn_skips(data: &Dataset) {
    let ledger = &data.ledger;
    for input in ledger.inputs() {
        for (reason, n) in &input.skipped {
            eprintln!("warning: {}: skipped {n} record(s): {reason}", input.path);
        }
    }
    // Ledger warnings are in every report; they are not repeated here.
    if ledger.duplicates_dropped() > 0 {
        eprintln!(
            "note: {} transfer record(s) appeared more than once and were kept once",
            ledger.duplicates_dropped()
        );
    }
}
