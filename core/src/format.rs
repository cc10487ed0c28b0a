//! Display text for an amount of an asset.
//!
//! A custom asset shows `symbol amount label` (`📸 1.50 image`; the label defaults to the code,
//! the symbol is left out when there is none). A fiat currency shows its symbol before the
//! amount when ratecard knows one (`$0.20`, `-€1.00`) and its code after it otherwise
//! (`1.000 BHD`). The amount is rounded with the asset's fee rounding and always shows the
//! asset's precision. No locale: digits are grouped by nothing, the decimal mark is `.`.

use crate::convert::unknown;
use crate::engine::Engine;
use crate::fiat;
use crate::issue::Error;
use crate::number::Amount;
use rust_decimal::Decimal;

impl Engine {
    pub fn format(&self, amount: Decimal, asset: &str) -> Result<String, Error> {
        let info = self
            .asset_info(asset)
            .ok_or_else(|| unknown(asset, "asset"))?;
        let rounded = Amount::new(info.rounding.round(amount, info.precision), info.precision);
        match info.custom.and_then(|i| self.catalog().assets.get(i)) {
            Some(custom) => {
                let label = custom.label.as_deref().unwrap_or(&custom.code);
                Ok(match &custom.symbol {
                    Some(symbol) => format!("{symbol} {rounded} {label}"),
                    None => format!("{rounded} {label}"),
                })
            }
            None => Ok(match fiat::symbol(&info.code) {
                Some(symbol) if rounded.value.is_sign_negative() && !rounded.value.is_zero() => {
                    format!("-{symbol}{}", Amount::new(-rounded.value, rounded.scale))
                }
                Some(symbol) => format!(
                    "{symbol}{}",
                    Amount::new(rounded.value.abs(), rounded.scale)
                ),
                None => format!("{rounded} {}", info.code),
            }),
        }
    }
}
