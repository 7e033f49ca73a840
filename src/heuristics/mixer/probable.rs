//! Probable flows: how plausible it is that a withdrawal spends a deposit
//! when no heuristic links them.
//!
//! A pool's cryptography hides which deposit a withdrawal spends, but not
//! every withdrawal is as plausible as every other: it must be of the same
//! pool and denomination (a 10 ETH note cannot pay a 1 ETH withdrawal),
//! strictly later than the deposit, and users withdraw more often soon after
//! they deposit than months later. [`plausibility`] turns that into an
//! integer weight, so that a trace in probable mode
//! ([`crate::trace::probable`]) can split a deposit's taint over its
//! candidate withdrawals exactly, in proportion to the weights.
//!
//! # The weight
//!
//! For a withdrawal `delay` seconds after the deposit (same pool, same
//! denomination):
//!
//! - `0` when `delay > window` (too late to be a candidate);
//! - otherwise `floor(SCALE · H / (H + delay))`, at least 1, with `SCALE =`
//!   [`WEIGHT_SCALE`] and `H` the [`ProbableConfig::half_life`]: a
//!   withdrawal `H` seconds after the deposit weighs half of one made at
//!   once, one `3·H` after a quarter. The decay is hyperbolic, not
//!   exponential, because delays in real pools are heavy-tailed (many users
//!   wait hours, some wait months).
//!
//! Denomination is a hard match: a candidate of another denomination (or
//! another pool) weighs 0, which is why the trace groups candidates per
//! (pool, asset, denomination).
//!
//! ```
//! use fundtrace::heuristics::mixer::{plausibility, ProbableConfig, WEIGHT_SCALE};
//! let c = ProbableConfig { window: 86_400, half_life: 3_600 };
//! assert_eq!(plausibility(0, &c), WEIGHT_SCALE);
//! assert_eq!(plausibility(3_600, &c), WEIGHT_SCALE / 2);
//! assert_eq!(plausibility(86_401, &c), 0);
//! ```

use serde::{Deserialize, Serialize};

/// The weight of a withdrawal made at once after its deposit.
pub const WEIGHT_SCALE: u64 = 1_000_000;

/// Settings of the probable-flow mode.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProbableConfig {
    /// The longest delay (seconds) from a deposit to a candidate withdrawal.
    /// Default 2,592,000 (30 days).
    pub window: u64,
    /// The delay (seconds) at which a candidate weighs half of one made at
    /// once. Default 86,400 (one day).
    pub half_life: u64,
}

impl Default for ProbableConfig {
    fn default() -> Self {
        ProbableConfig {
            window: 30 * 86_400,
            half_life: 86_400,
        }
    }
}

/// The integer weight of a candidate withdrawal `delay` seconds after the
/// deposit (see the module docs): 0 beyond the window, otherwise
/// between 1 and [`WEIGHT_SCALE`], falling with the delay.
#[must_use]
pub fn plausibility(delay: u64, config: &ProbableConfig) -> u64 {
    if delay > config.window {
        return 0;
    }
    let h = u128::from(config.half_life);
    let denominator = h + u128::from(delay);
    if denominator == 0 {
        return WEIGHT_SCALE;
    }
    // At most WEIGHT_SCALE, since h <= h + delay.
    let w = u128::from(WEIGHT_SCALE) * h / denominator;
    u64::try_from(w).unwrap_or(WEIGHT_SCALE).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_fall_with_the_delay_and_stop_at_the_window() {
        let c = ProbableConfig {
            window: 100,
            half_life: 10,
        };
        let w: Vec<u64> = [0, 10, 30, 100, 101]
            .iter()
            .map(|&d| plausibility(d, &c))
            .collect();
        assert_eq!(w, vec![1_000_000, 500_000, 250_000, 90_909, 0]);
        // Without a half-life every candidate weighs 1 (the floor), except
        // the one made at once.
        let flat = ProbableConfig {
            window: 100,
            half_life: 0,
        };
        assert_eq!(plausibility(0, &flat), WEIGHT_SCALE);
        assert_eq!(plausibility(5, &flat), 1);
        assert_eq!(
            plausibility(
                u64::MAX,
                &ProbableConfig {
                    window: u64::MAX,
                    half_life: u64::MAX
                }
            ),
            WEIGHT_SCALE / 2
        );
    }
}
