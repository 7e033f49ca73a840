//! Mixer pools (filled in below).
