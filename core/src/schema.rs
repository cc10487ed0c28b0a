//! The JSON Schema of a catalog, for editors (`"$schema"`) and config checks.
//!
//! The schema describes shapes and types; rules that span fields (overlapping rates, tier
//! order, unknown assets, dimension ties) are [`crate::validate`]'s job.

const SCHEMA: &str = include_str!("catalog.schema.json");

/// The catalog's JSON Schema (draft 2020-12).
pub fn schema() -> serde_json::Value {
    serde_json::from_str(SCHEMA).unwrap_or(serde_json::Value::Null)
}

/// The schema as JSON text, exactly as shipped.
pub fn schema_json() -> &'static str {
    SCHEMA
}
