//! The limits on what ratecard reads, so that no input can stall a host.
//!
//! Validation, engine building and quoting take time near-linear in their input; these bounds
//! keep that time to seconds even for an input made to be slow (one uploaded catalog must not
//! stall a server). Going past one is a `limit_exceeded` error with the path where it happened,
//! never a long stall or a silently shortened input. `docs/rules.md` lists them for users.

/// JSON objects in one catalog (assets, products, prices, values, rate entries, ...). A
/// catalog of 100,000 dimensional prices holds about 300,000.
pub const CATALOG_OBJECTS: usize = 2_000_000;

/// Bytes in one string the catalog or an event names things with (codes, names, event types,
/// dimension keys and values, labels, symbols).
pub const STRING_BYTES: usize = 1_024;

/// Tiers of one tiered or bulk price (each event walks them).
pub const TIERS: usize = 1_000;

/// Keys one dimensional price list matches on, all its prices together (each event looks
/// every one of them up).
pub const DIMENSION_KEYS: usize = 64;

/// Pairs of dimensional prices the tie check may examine in one catalog: prices that match on
/// different keys can meet in many ways (`model=*` against `quality=*`), and each way is
/// checked. A grid of 100,000 prices with wildcard fallbacks needs about as many.
pub const DIMENSION_PAIRS: usize = 10_000_000;

/// Ties between dimensional prices reported one by one in a values list; the rest are counted
/// in one more issue (a million pairs of ties is one mistake, not a million).
pub const TIES_REPORTED: usize = 100;

/// Events in one batch (`quote_many` and the faces' batch calls). Frames in Python stream in
/// chunks and have no limit.
pub const BATCH_EVENTS: usize = 10_000_000;

/// Issues one failing batch reports (every bad event's, in order, up to this many); one more
/// issue counts the events left out. In `on_error: "return"` mode each bad event's error is
/// returned in its place, with no limit.
pub const ISSUES_REPORTED: usize = 1_000;

/// The message for a string past [`STRING_BYTES`].
pub(crate) fn long_string(s: &str) -> String {
    format!(
        "a string of {} bytes; ratecard reads names and codes of at most {}",
        s.len(),
        STRING_BYTES
    )
}

/// `limit_exceeded` for a batch of `n` events past [`BATCH_EVENTS`].
pub fn check_batch(n: usize) -> Result<(), crate::Error> {
    if n <= BATCH_EVENTS {
        return Ok(());
    }
    Err(crate::Error::one(
        crate::ErrorKind::InvalidEvent,
        "",
        crate::Code::LimitExceeded,
        format!("{n} events in one batch; ratecard quotes at most {BATCH_EVENTS} at once (split the batch, or stream a frame)"),
    ))
}
