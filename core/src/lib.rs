//! # ratecard
//!
//! Exact, offline quotes for usage-based prices: what an event will cost, fee by fee, in
//! custom assets (credits, minutes, tokens) and fiat, from the billing API's own JSON.
//!
//! ```
//! use ratecard::{Engine, Event, QuoteOptions};
//!
//! let engine = Engine::from_json(r#"{
//!   "assets": [{"code": "IMG", "name": "Image credits", "precision": 2,
//!               "rates": [{"source": "USD", "rate": 0.10}]}],
//!   "products": [{"name": "Images", "code": "images", "prices": [{
//!     "name": "Image", "type": "usage_based", "billing_model": {"type": "real_time"},
//!     "usage_calculation": {"event_type": "image_generated", "usage_type": "unit"},
//!     "pricing": [{"asset": "IMG", "values": [{"unit_price": 1}]}]}]}]
//! }"#)?;
//! let event = Event::from_json(r#"{"event_type": "image_generated", "occurred_at": "2026-03-01T12:00:00Z"}"#)?;
//! let options = QuoteOptions { express_in: vec!["USD".into()], ..QuoteOptions::default() };
//! let quote = engine.quote(&event, &options)?;
//! assert_eq!(quote.fees[0].amount.to_string(), "1.00");
//! assert_eq!(quote.equivalents.get("USD").map(|a| a.to_string()).as_deref(), Some("0.10"));
//! # Ok::<(), ratecard::Error>(())
//! ```
//!
//! The core does no I/O and reads no clock; it never panics on input (the crate denies
//! `unwrap`, `expect` and `panic!` outside tests). Rounding rules live in [`rounding`], the
//! pricing rules in [`pricing`], conversion rules in [`convert`].
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

pub mod batch;
pub mod catalog;
pub mod columns;
pub mod convert;
pub mod engine;
pub mod event;
pub mod exact;
pub mod expression;
pub mod fiat;
pub mod format;
#[cfg(feature = "arrow")]
pub mod frame;
mod grapheme;
#[rustfmt::skip]
mod grapheme_table;
pub mod instant;
pub mod issue;
mod json;
pub mod limits;
pub mod list;
pub mod number;
pub mod options;
pub mod pricing;
pub mod quote;
mod ratio;
pub mod rounding;
pub mod schema;
pub mod wallet;

pub use batch::{Place, Session, Twins};
pub use catalog::rate::{RateEntry, RateValue, Schedule};
pub use catalog::{Catalog, Settings};
pub use convert::Conversion;
pub use engine::{
    parse_json, validate, validate_json, validate_json_with_examples, validate_strict,
    validate_with_examples, Engine,
};
pub use event::{Event, Scalar};
pub use instant::Instant;
pub use issue::{Code, Error, ErrorKind, Gathered, Issue, Report};
pub use number::{parse_decimal, Amount};
pub use options::{OnError, PriorUsage, QuoteOptions, Spelling};
pub use quote::{AmountMap, Fee, Quote, Step, Sums};
pub use rounding::RoundingMode;
pub use rust_decimal::Decimal;
pub use schema::{schema, schema_json};
pub use wallet::{Preview, PreviewOptions, Wallet};

/// The crate version, for `--version` and the bindings.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
