//! The built-in registry (filled in below).
