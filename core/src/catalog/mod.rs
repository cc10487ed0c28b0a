//! A catalog: `{assets, products, settings?}`, read and checked as a whole.

pub mod asset;
pub mod product;
pub mod rate;
pub(crate) mod reader;
mod values;

use crate::fiat;
use crate::issue::{Code, Report};
use crate::rounding::RoundingMode;
use asset::{read_asset, Asset};
use product::{read_product, PriceKind, Product};
use reader::{index, Found, Obj};
use serde_json::Value;
use std::collections::HashMap;

/// Catalog-wide choices ratecard leaves to the platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Rounding of fees, totals and equivalents, per asset code (upper case).
    pub rounding: HashMap<String, RoundingMode>,
    /// Rounding of conversions into an asset, per asset code (upper case).
    pub conversion_rounding: HashMap<String, RoundingMode>,
}

impl Settings {
    pub fn rounding_for(&self, key: &str) -> Option<RoundingMode> {
        self.rounding.get(key).copied()
    }

    pub fn conversion_rounding_for(&self, key: &str) -> Option<RoundingMode> {
        self.conversion_rounding.get(key).copied()
    }
}

/// A parsed catalog. Build one through [`crate::Engine::new`], which refuses invalid input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub assets: Vec<Asset>,
    pub products: Vec<Product>,
    pub settings: Settings,
    /// `assets` by upper-case code: lookups stay constant-time however many assets there are.
    asset_index: HashMap<String, usize>,
}

impl Catalog {
    /// The custom asset with this code (case-insensitive).
    pub fn asset(&self, code: &str) -> Option<(usize, &Asset)> {
        let i = *self.asset_index.get(&code.to_ascii_uppercase())?;
        Some((i, self.assets.get(i)?))
    }

    /// Whether a code names a custom asset of this catalog or an ISO 4217 currency.
    pub fn knows(&self, code: &str) -> bool {
        self.asset(code).is_some() || fiat::precision(&code.to_ascii_uppercase()).is_some()
    }
}

/// Reads a catalog and reports every problem; the catalog is `None` only when the input is not
/// an object at all.
pub(crate) fn read_catalog(value: &Value) -> (Option<Catalog>, Report) {
    let mut found = Found::default();
    let catalog = Obj::of(&mut found, value, "").map(|root| read_root(&mut found, &root));
    let report = Report {
        valid: found.errors.is_empty(),
        errors: found.errors,
        warnings: found.warnings,
    };
    (catalog, report)
}

fn read_root(found: &mut Found, root: &Obj<'_>) -> Catalog {
    root.known_fields(found, &["$schema", "assets", "products", "settings"]);
    let mut catalog = Catalog::default();
    if let Some(list) = root.opt_array(found, "assets") {
        for (i, item) in list.iter().enumerate() {
            let path = index("assets", i);
            let Some(obj) = Obj::of(found, item, &path) else {
                continue;
            };
            let Some(asset) = read_asset(found, &obj) else {
                continue;
            };
            let key = asset.code.to_ascii_uppercase();
            if let Some(first) = catalog.asset_index.get(&key) {
                found.error(
                    &format!("{path}.code"),
                    Code::DuplicateAsset,
                    format!("asset code {:?} is already defined by assets[{first}] (codes compare case-insensitively)", asset.code),
                );
                continue;
            }
            catalog.asset_index.insert(key, catalog.assets.len());
            catalog.assets.push(asset);
        }
    }
    if let Some(list) = root.opt_array(found, "products") {
        let mut codes: HashMap<String, usize> = HashMap::new();
        for (i, item) in list.iter().enumerate() {
            let path = index("products", i);
            let Some(obj) = Obj::of(found, item, &path) else {
                continue;
            };
            let Some(product) = read_product(found, &obj) else {
                continue;
            };
            let key = product.code.to_ascii_uppercase();
            let first = match codes.get(&key) {
                Some(first) if !key.is_empty() => Some(*first),
                _ => {
                    codes.insert(key, catalog.products.len());
                    None
                }
            };
            if let Some(first) = first {
                found.error(
                    &format!("{path}.code"),
                    Code::DuplicateProduct,
                    format!(
                        "product code {:?} is already used by products[{first}]",
                        product.code
                    ),
                );
                continue;
            }
            catalog.products.push(product);
        }
    }
    if let Some(settings) = root.opt_obj(found, "settings") {
        catalog.settings = read_settings(found, &settings, &catalog);
    }
    check_asset_references(found, &catalog);
    catalog
}

fn read_settings(found: &mut Found, obj: &Obj<'_>, catalog: &Catalog) -> Settings {
    obj.known_fields(found, &["rounding", "conversion_rounding"]);
    let mut settings = Settings::default();
    for key in ["rounding", "conversion_rounding"] {
        let Some(map) = obj.opt_obj(found, key) else {
            continue;
        };
        for (code, mode) in map.map {
            let path = map.at(code);
            if !catalog.knows(code) {
                found.error(
                    &path,
                    Code::UnknownAsset,
                    format!(
                        "{code:?} is neither an asset of this catalog nor an ISO 4217 currency"
                    ),
                );
                continue;
            }
            let Some(name) = mode.as_str() else {
                found.error(&path, Code::InvalidType, "a rounding mode is a string");
                continue;
            };
            let Some(mode) = RoundingMode::from_name(name) else {
                let names: Vec<&str> = RoundingMode::ALL.iter().map(|m| m.as_str()).collect();
                found.error(
                    &path,
                    Code::InvalidValue,
                    format!("rounding mode must be one of {}", names.join(", ")),
                );
                continue;
            };
            let map = if key == "rounding" {
                &mut settings.rounding
            } else {
                &mut settings.conversion_rounding
            };
            // `usd` and `USD` name one asset: the first written counts.
            map.entry(code.to_ascii_uppercase()).or_insert(mode);
        }
    }
    settings
}

fn check_asset_references(found: &mut Found, catalog: &Catalog) {
    let unknown = |found: &mut Found, code: &str, path: String| {
        // An empty code was already reported where it was read.
        if !code.is_empty() && !catalog.knows(code) {
            found.error(
                &path,
                Code::UnknownAsset,
                format!("{code:?} is neither an asset of this catalog nor an ISO 4217 currency"),
            );
        }
    };
    for product in &catalog.products {
        for price in &product.prices {
            match &price.kind {
                PriceKind::Usage(usage) => {
                    for p in &usage.pricing {
                        unknown(found, &p.asset, format!("{}.asset", p.path));
                    }
                }
                PriceKind::Fixed(list) => {
                    for p in list {
                        unknown(found, &p.asset, format!("{}.asset", p.path));
                    }
                }
            }
        }
        for e in &product.entitlements {
            unknown(found, &e.asset, format!("{}.asset", e.path));
        }
    }
}
