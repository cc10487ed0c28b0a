//! The engine: a validated catalog with the indexes a quote needs, built once.

use crate::asset::{default_rounding, AssetInfo};
use crate::catalog::{read_catalog, Catalog};
use crate::fiat;
use crate::issue::{Code, Error, ErrorKind, Issue, Report};
use crate::product::PriceKind;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// Where a usage price sits in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PriceRef {
    pub product: usize,
    pub price: usize,
}

/// A validated catalog, indexed for quoting. Cheap to share across threads (`Sync`).
#[derive(Debug, Clone)]
pub struct Engine {
    catalog: Catalog,
    warnings: Vec<Issue>,
    /// Every asset the catalog mentions, custom and fiat, by upper-case code.
    assets: HashMap<String, AssetInfo>,
    /// Usage prices by event type, in catalog order.
    by_event_type: HashMap<String, Vec<PriceRef>>,
}

/// Reads JSON text into a value, refusing input that is not JSON (or nests too deeply).
pub fn parse_json(text: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| {
        Error::one(
            ErrorKind::InvalidJson,
            "",
            Code::InvalidJson,
            format!("not valid JSON: {e}"),
        )
    })
}

/// Checks a catalog and reports every error and warning at once. Never fails: a value that is
/// not even an object is one error in the report.
pub fn validate(catalog: &Value) -> Report {
    read_catalog(catalog).1
}

/// [`validate`] for JSON text; fails only when the text is not JSON.
pub fn validate_json(text: &str) -> Result<Report, Error> {
    Ok(validate(&parse_json(text)?))
}

impl Engine {
    /// Builds an engine from a catalog value; an invalid catalog is an `invalid_catalog` error
    /// carrying every error found.
    pub fn new(catalog: &Value) -> Result<Engine, Error> {
        let (parsed, report) = read_catalog(catalog);
        match parsed {
            Some(catalog) if report.valid => Ok(Engine::index(catalog, report.warnings)),
            _ => Err(Error::new(ErrorKind::InvalidCatalog, report.errors)),
        }
    }

    /// Builds an engine from catalog JSON text.
    pub fn from_json(text: &str) -> Result<Engine, Error> {
        Engine::new(&parse_json(text)?)
    }

    fn index(catalog: Catalog, warnings: Vec<Issue>) -> Engine {
        let mut engine = Engine {
            catalog,
            warnings,
            assets: HashMap::new(),
            by_event_type: HashMap::new(),
        };
        let mut codes: Vec<String> = Vec::new();
        for asset in &engine.catalog.assets {
            codes.push(asset.code.clone());
            codes.extend(asset.schedules.iter().map(|s| s.source.clone()));
        }
        for (pi, product) in engine.catalog.products.iter().enumerate() {
            for (ri, price) in product.prices.iter().enumerate() {
                if let PriceKind::Usage(usage) = &price.kind {
                    codes.extend(usage.pricing.iter().map(|p| p.asset.clone()));
                    engine
                        .by_event_type
                        .entry(usage.event_type.clone())
                        .or_default()
                        .push(PriceRef {
                            product: pi,
                            price: ri,
                        });
                }
            }
        }
        for code in codes {
            if let Some(info) = engine.describe_asset(&code) {
                engine.assets.insert(code.to_ascii_uppercase(), info);
            }
        }
        engine
    }

    fn describe_asset(&self, code: &str) -> Option<AssetInfo> {
        let key = code.to_ascii_uppercase();
        let (code, precision, custom) = match self.catalog.asset(code) {
            Some((i, a)) => (a.code.clone(), a.precision, Some(i)),
            None => (key.clone(), fiat::precision(&key)?, None),
        };
        let (rounding, conversion_rounding) = default_rounding(custom.is_none());
        let settings = &self.catalog.settings;
        Some(AssetInfo {
            code,
            precision,
            rounding: settings.rounding_for(&key).unwrap_or(rounding),
            conversion_rounding: settings
                .conversion_rounding_for(&key)
                .unwrap_or(conversion_rounding),
            custom,
        })
    }

    /// What the engine knows of an asset code (case-insensitive): a custom asset or any ISO 4217
    /// currency.
    pub fn asset_info(&self, code: &str) -> Option<Cow<'_, AssetInfo>> {
        if let Some(info) = self.assets.get(code) {
            return Some(Cow::Borrowed(info));
        }
        if let Some(info) = self.assets.get(&code.to_ascii_uppercase()) {
            return Some(Cow::Borrowed(info));
        }
        self.describe_asset(code).map(Cow::Owned)
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The catalog's validation warnings (legal but suspicious).
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    pub(crate) fn prices_for(&self, event_type: &str) -> &[PriceRef] {
        self.by_event_type
            .get(event_type)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}
