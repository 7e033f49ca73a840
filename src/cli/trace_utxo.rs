//! `fundtrace trace` on Bitcoin inputs: output-level UTXO policies
//! (poison, haircut, FIFO, LIFO, TIHO) in the shared trace report.

use std::collections::BTreeMap;

use fundtrace::amount::parse_base_units;
use fundtrace::report::trace::TraceSummary;
use fundtrace::report::trace_utxo::{utxo_trace_report, UtxoTraceRequest};
use fundtrace::report::write_json;
use fundtrace::trace::utxo::{trace_with, UtxoPolicy, UtxoSeed, UtxoTraceOptions};

use super::trace::TraceSetup;
use super::{with_output, CliError};

/// The UTXO policy a `--model` name stands for (`taint-first` is TIHO).
fn policy(model: &str) -> Result<UtxoPolicy, CliError> {
    let name = if model == "taint-first" {
        "tiho"
    } else {
        model
    };
    name.parse().map_err(|_| {
        CliError::Usage(format!(
            "--model {model}: not a UTXO policy (Bitcoin inputs take poison, haircut, fifo, lifo or tiho)"
        ))
    })
}

fn seeds(setup: &TraceSetup) -> Result<Vec<(String, UtxoSeed)>, CliError> {
    let parse = |incident: &str, s: &str| -> Result<(String, UtxoSeed), CliError> {
        let seed: UtxoSeed = s
            .trim()
            .parse()
            .map_err(|e| CliError::Usage(format!("seed {s:?}: {e}")))?;
        Ok((incident.to_string(), seed))
    };
    let mut out = Vec::new();
    for s in &setup.seeds {
        out.push(parse(&setup.incident, s)?);
    }
    for path in &setup.seeds_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Usage(format!("--seeds-file {}: {e}", path.display())))?;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            out.push(match line.split_once(',') {
                Some((incident, seed)) => parse(incident.trim(), seed)?,
                None => parse(&setup.incident, line)?,
            });
        }
    }
    if out.is_empty() {
        return Err(CliError::Usage(
            "no seed: give --seed or --seeds-file".into(),
        ));
    }
    Ok(out)
}

/// Runs `trace` on the Bitcoin inputs of `setup`.
pub fn run(setup: &TraceSetup, model: &str) -> Result<(), CliError> {
    let policy = policy(model)?;
    let seeds = seeds(setup)?;
    let dust = match &setup.dust {
        Some(d) => {
            parse_base_units(d).map_err(|e| CliError::Usage(format!("--dust {d:?}: {e}")))?
        }
        None => 0,
    };
    let labels = setup.label_set()?;
    let exits = setup.exits(&labels)?;
    let loaded = setup.inputs.load_all()?;
    let Some(utxo) = loaded.utxo.as_ref() else {
        return Err(CliError::Usage("no Bitcoin input".into()));
    };
    let until_height = setup.until.map(|t| {
        utxo.txs()
            .iter()
            .filter(|tx| tx.time <= t)
            .map(|tx| tx.height)
            .max()
            .unwrap_or(0)
    });
    let exit_info: BTreeMap<String, _> =
        exits.into_iter().map(|(a, i)| (a.to_string(), i)).collect();
    let options = UtxoTraceOptions {
        policy,
        exits: exit_info.keys().cloned().collect(),
        dust,
        until_height,
        max_hops: setup.max_hops,
    };
    let plain: Vec<UtxoSeed> = seeds.iter().map(|(_, s)| s.clone()).collect();
    let result = trace_with(utxo, &plain, &options);
    let request = UtxoTraceRequest {
        seeds: &seeds,
        options: &options,
        exits: &exit_info,
        exit_categories: setup.stop_at.clone(),
    };
    let report = utxo_trace_report(&loaded.ledger, utxo, &request, &result);
    with_output(setup.out.as_ref(), |w| {
        if setup.json {
            write_json(&report, w)
        } else {
            write!(
                w,
                "{}",
                TraceSummary {
                    report: &report,
                    top: setup.top
                }
            )
        }
    })
}
