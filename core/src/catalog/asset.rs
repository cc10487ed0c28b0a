//! Assets: the custom units a catalog defines, and the fiat currencies it need not define.

use super::rate::{read_rates, Schedule};
use super::reader::{Found, Obj};
use crate::fiat;
use crate::issue::Code;
use crate::rounding::RoundingMode;

/// Precision of a custom asset that does not say (ratecard decides: cents-like, 2 places).
pub const DEFAULT_PRECISION: u32 = 2;
/// The largest precision accepted: 18 places still leaves 10 integer digits in a decimal.
pub const MAX_PRECISION: u64 = 18;

/// A custom asset as the catalog defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The code as written (`credits` stays lower case in output).
    pub code: String,
    pub name: String,
    pub precision: u32,
    pub label: Option<String>,
    pub symbol: Option<String>,
    pub schedules: Vec<Schedule>,
}

/// Reads one asset in the create shape or the read-back shape.
pub(crate) fn read_asset(found: &mut Found, obj: &Obj<'_>) -> Option<Asset> {
    obj.known_fields(
        found,
        &[
            "code",
            "name",
            "precision",
            "label",
            "symbol",
            "rates",
            "id",
            "description",
            "created_at",
            "updated_at",
        ],
    );
    let code = obj.req_str(found, "code");
    if let Some(code) = code {
        if fiat::precision(&code.to_ascii_uppercase()).is_some() {
            found.error(
                &obj.at("code"),
                Code::ReservedCode,
                format!("{code:?} is an ISO 4217 currency; fiat currencies need no definition"),
            );
        }
    }
    let name = obj.req_str(found, "name");
    let precision = obj.opt_uint(found, "precision", MAX_PRECISION, Code::PrecisionOutOfRange);
    let label = obj.opt_str(found, "label");
    let symbol = obj.opt_str(found, "symbol");
    if let Some(symbol) = symbol {
        let count = crate::grapheme::count(symbol);
        if count != 1 {
            found.error(
                &obj.at("symbol"),
                Code::InvalidSymbol,
                format!("a symbol is one character or emoji; {symbol:?} has {count}"),
            );
        }
    }
    let schedules = match obj.opt_array(found, "rates") {
        Some(list) => read_rates(found, list, &obj.at("rates")),
        None => Vec::new(),
    };
    Some(Asset {
        code: code?.to_string(),
        // A missing name is already an error; the asset stays registered so that its references
        // and duplicates are still checked.
        name: name.unwrap_or_default().to_string(),
        precision: precision.map_or(DEFAULT_PRECISION, |p| p as u32),
        label: label.map(str::to_string),
        symbol: symbol.map(str::to_string),
        schedules,
    })
}

/// What the engine needs to know of any asset, custom or fiat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInfo {
    /// As written in the catalog; fiat in upper case.
    pub code: String,
    pub precision: u32,
    /// Rounding of fees, totals and equivalents in this asset.
    pub rounding: RoundingMode,
    /// Rounding of conversions into this asset.
    pub conversion_rounding: RoundingMode,
    /// `None` for fiat.
    pub custom: Option<usize>,
}

impl AssetInfo {
    pub fn is_fiat(&self) -> bool {
        self.custom.is_none()
    }
}

/// The defaults of `rounding.rs`: fiat rounds commercially, custom assets to even; units
/// bought round down, fiat bought rounds commercially.
pub fn default_rounding(is_fiat: bool) -> (RoundingMode, RoundingMode) {
    if is_fiat {
        (
            RoundingMode::HalfAwayFromZero,
            RoundingMode::HalfAwayFromZero,
        )
    } else {
        (RoundingMode::HalfEven, RoundingMode::Down)
    }
}
