//! The engine: a validated catalog with the indexes a quote needs, built once.

use crate::catalog::asset::{default_rounding, AssetInfo};
use crate::catalog::product::PriceKind;
use crate::catalog::{read_catalog, Catalog};
use crate::event::Event;
use crate::fiat;
use crate::instant::Instant;
use crate::issue::{Error, ErrorKind, Issue, Report};
pub use crate::json::parse_json;
use serde_json::Value;
use std::borrow::Cow;

/// Where a usage price sits in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PriceRef {
    pub product: usize,
    pub price: usize,
}

/// A usage price as the quote loop wants it: where it is, and the asset slot of each of its
/// pricing entries (resolved once here instead of hashing asset codes per event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Indexed {
    pub at: PriceRef,
    pub slots: Vec<usize>,
}

/// The engine's maps hash with rustc's Fx hash: their keys are a catalog's strings and a
/// quote looks them up per event, where SipHash would cost more than a unit quote's arithmetic.
/// (Unlike SipHash it is not seeded: a catalog made to collide could slow building its engine,
/// not validation, whose maps keep std's seeded hash.)
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A validated catalog, indexed for quoting. Cheap to share across threads (`Sync`).
#[derive(Debug, Clone)]
pub struct Engine {
    catalog: Catalog,
    warnings: Vec<Issue>,
    /// Every asset the catalog mentions, custom and fiat.
    infos: Vec<AssetInfo>,
    /// Slots in `infos` by upper-case code.
    slots: FastMap<String, usize>,
    /// Usage prices by event type, in catalog order.
    by_event_type: FastMap<String, Vec<Indexed>>,
    /// Every instant at which a rate entry starts or ends, sorted and distinct.
    rate_boundaries: Vec<Instant>,
    tiered: bool,
    /// The event types a tiered price prices (usually none or one or two).
    tiered_types: Vec<String>,
    /// The data keys the usage prices of each event type read ([`Engine::data_fields`]).
    fields: FastMap<String, Vec<String>>,
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

/// [`validate`], with the catalog's expressions also checked against example events: a field
/// an expression computes with that no example of its type holds as a number is an
/// `expression_field_not_numeric` warning (docs/expressions.md).
pub fn validate_with_examples(catalog: &Value, examples: &[Event<'_>]) -> Report {
    let (parsed, mut report) = read_catalog(catalog);
    if let Some(parsed) = parsed {
        let warnings = crate::expression::examples::check(&parsed, examples);
        report.warnings.extend(warnings);
    }
    report
}

/// [`validate_with_examples`] for JSON text: the catalog, and a JSON array of example events
/// (every bad example is an `invalid_event` error, paths prefixed with its index).
pub fn validate_json_with_examples(catalog: &str, examples: &str) -> Result<Report, Error> {
    let catalog = parse_json(catalog)?;
    let examples = Event::many_from_json(examples)?;
    Ok(validate_with_examples(&catalog, &examples))
}

/// [`validate`] in strict mode: every warning counts as an error (a misspelt optional field can
/// change a price as much as a wrong one: `package_sise` leaves a package price per unit). For
/// CI checks of catalogs.
pub fn validate_strict(catalog: &Value) -> Report {
    validate(catalog).strict()
}

impl Engine {
    /// Builds an engine from a catalog value; an invalid catalog is an `invalid_catalog` error
    /// carrying every error found.
    pub fn new(catalog: &Value) -> Result<Engine, Error> {
        Engine::build(catalog, false)
    }

    /// [`Engine::new`], and in strict mode a catalog with warnings is refused as well: the
    /// error carries every error and warning (each keeps its code), as [`validate_strict`].
    pub fn build(catalog: &Value, strict: bool) -> Result<Engine, Error> {
        let (parsed, mut report) = read_catalog(catalog);
        if strict {
            report = report.strict();
        }
        match parsed {
            Some(catalog) if report.valid => Ok(Engine::index(catalog, report.warnings)),
            _ => Err(Error::new(ErrorKind::InvalidCatalog, report.errors)),
        }
    }

    /// Builds an engine from catalog JSON text.
    pub fn from_json(text: &str) -> Result<Engine, Error> {
        Engine::new(&parse_json(text)?)
    }

    /// [`Engine::build`] from catalog JSON text.
    pub fn build_json(text: &str, strict: bool) -> Result<Engine, Error> {
        Engine::build(&parse_json(text)?, strict)
    }

    fn index(catalog: Catalog, warnings: Vec<Issue>) -> Engine {
        let mut engine = Engine {
            catalog,
            warnings,
            infos: Vec::new(),
            slots: FastMap::default(),
            by_event_type: FastMap::default(),
            rate_boundaries: Vec::new(),
            tiered: false,
            tiered_types: Vec::new(),
            fields: FastMap::default(),
        };
        let mut codes: Vec<String> = Vec::new();
        for asset in &engine.catalog.assets {
            codes.push(asset.code.clone());
            codes.extend(asset.schedules.iter().map(|s| s.source.clone()));
        }
        for product in &engine.catalog.products {
            for price in &product.prices {
                if let PriceKind::Usage(usage) = &price.kind {
                    codes.extend(usage.pricing.iter().map(|p| p.asset.clone()));
                }
            }
        }
        for code in codes {
            let key = code.to_ascii_uppercase();
            if engine.slots.contains_key(&key) {
                continue;
            }
            if let Some(info) = engine.describe_asset(&code) {
                engine.slots.insert(key, engine.infos.len());
                engine.infos.push(info);
            }
        }
        let mut by_event_type: FastMap<String, Vec<Indexed>> = FastMap::default();
        for (pi, product) in engine.catalog.products.iter().enumerate() {
            for (ri, price) in product.prices.iter().enumerate() {
                if let PriceKind::Usage(usage) = &price.kind {
                    // Validation guarantees every pricing asset is known, so every slot resolves.
                    let slots = usage
                        .pricing
                        .iter()
                        .filter_map(|p| engine.slot(&p.asset))
                        .collect();
                    by_event_type
                        .entry(usage.event_type.clone())
                        .or_default()
                        .push(Indexed {
                            at: PriceRef {
                                product: pi,
                                price: ri,
                            },
                            slots,
                        });
                }
            }
        }
        engine.by_event_type = by_event_type;
        engine.fields = engine.read_fields();
        let mut boundaries: Vec<Instant> = engine
            .catalog
            .assets
            .iter()
            .flat_map(|a| &a.schedules)
            .flat_map(|s| &s.entries)
            .flat_map(|e| [e.valid_from, e.valid_to])
            .flatten()
            .collect();
        boundaries.sort_unstable();
        boundaries.dedup();
        engine.rate_boundaries = boundaries;
        let mut tiered_types: Vec<String> = engine
            .catalog
            .products
            .iter()
            .flat_map(|p| &p.prices)
            .filter_map(|price| match &price.kind {
                PriceKind::Usage(u) if u.pricing_model.has_tiers() => Some(u.event_type.clone()),
                _ => None,
            })
            .collect();
        tiered_types.sort_unstable();
        tiered_types.dedup();
        engine.tiered = !tiered_types.is_empty();
        engine.tiered_types = tiered_types;
        engine
    }

    /// Per event type, every data key a price reads: the volume field, the billable
    /// dimensions and the keys of dimensional prices, first-seen order.
    fn read_fields(&self) -> FastMap<String, Vec<String>> {
        let mut fields: FastMap<String, Vec<String>> = FastMap::default();
        // What each list already holds, so that adding stays constant-time.
        let mut seen: std::collections::HashSet<(&str, &str)> = Default::default();
        for product in &self.catalog.products {
            for price in &product.prices {
                let PriceKind::Usage(usage) = &price.kind else {
                    continue;
                };
                let event_type = usage.event_type.as_str();
                let mut keys: Vec<&str> = Vec::new();
                if usage.usage_type.has_volume() {
                    keys.extend(usage.volume_field.as_deref());
                    keys.extend(
                        usage
                            .volume_expr
                            .iter()
                            .flat_map(|e| e.fields.iter().map(String::as_str)),
                    );
                }
                keys.extend(
                    usage
                        .unit_expr
                        .iter()
                        .flat_map(|e| e.fields.iter().map(String::as_str)),
                );
                keys.extend(usage.billable_dimensions.iter().map(String::as_str));
                for pricing in &usage.pricing {
                    if let crate::pricing::dimensions::Values::Dimensional { prices, .. } =
                        &pricing.values
                    {
                        let patterns = prices.iter().flat_map(|d| &d.pattern);
                        keys.extend(patterns.map(|(key, _)| key.as_str()));
                    }
                }
                let list = fields.entry(usage.event_type.clone()).or_default();
                for key in keys {
                    if seen.insert((event_type, key)) {
                        list.push(key.to_string());
                    }
                }
            }
        }
        fields
    }

    /// The data keys that the prices of `event_type` read: an event's other data cannot change
    /// its quote (once it has been checked to be scalars), so a binding need send only these.
    pub fn data_fields(&self, event_type: &str) -> &[String] {
        self.fields
            .get(event_type)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub(crate) fn slot(&self, code: &str) -> Option<usize> {
        match self.slots.get(code) {
            Some(s) => Some(*s),
            None => self.slots.get(&code.to_ascii_uppercase()).copied(),
        }
    }

    pub(crate) fn info(&self, slot: usize) -> Option<&AssetInfo> {
        self.infos.get(slot)
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
        match self.slot(code).and_then(|s| self.infos.get(s)) {
            Some(info) => Some(Cow::Borrowed(info)),
            None => self.describe_asset(code).map(Cow::Owned),
        }
    }

    /// Whether any usage price is tiered: only then does a fee depend on earlier usage and on
    /// the tiering period of the quote's instant.
    pub fn has_tiered_prices(&self) -> bool {
        self.tiered
    }

    /// Whether a tiered price prices events of `event_type`: only such events depend on the
    /// events before them in a batch.
    pub fn prices_in_tiers(&self, event_type: &str) -> bool {
        self.tiered_types
            .binary_search_by(|t| t.as_str().cmp(event_type))
            .is_ok()
    }

    /// Every instant at which a rate entry starts or ends, sorted. Fees never depend on rates;
    /// equivalents and conversions depend on the quote's instant only through which rate
    /// entries are in force, which changes only at these instants. So, with no tiered prices,
    /// two events that differ only in their instants quote alike (but for `at`) when
    /// [`Engine::rate_period`] gives both the same number. Batch paths may use this to quote
    /// repeated rows once.
    pub fn rate_boundaries(&self) -> &[Instant] {
        &self.rate_boundaries
    }

    /// The rate period of `t`: the same number means the same rate entries are in force. An
    /// instant exactly on a boundary is a period of its own.
    pub fn rate_period(&self, t: Instant) -> u64 {
        let below = self.rate_boundaries.partition_point(|b| *b < t);
        let on = self.rate_boundaries.get(below) == Some(&t);
        (below as u64) * 2 + u64::from(on)
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The catalog's validation warnings (legal but suspicious).
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    pub(crate) fn prices_for(&self, event_type: &str) -> &[Indexed] {
        self.by_event_type
            .get(event_type)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}
