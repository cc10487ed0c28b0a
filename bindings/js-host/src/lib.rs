//! What ratecard's two JavaScript bindings share, as plain Rust tested natively: the tape (a
//! compact binary form of events in and quotes out, [`tape`]), the scratch memory it crosses
//! through ([`scratch`]), and everything a binding does with an engine ([`host`]: the JSON entry
//! points, options parsed once per text, tape quotes). `bindings/wasm` exports it with
//! wasm-bindgen, `bindings/node` with napi-rs; the core (`ratecard`) knows nothing of any host.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod host;
pub mod scratch;
pub mod tape;

pub use host::{guard, validate, Failure, Host};
pub use tape::{Tape, TapeQuotes};
