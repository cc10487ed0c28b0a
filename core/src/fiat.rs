//! ISO 4217 currencies: they need no definition in a catalog, and their precision is their
//! minor unit (USD 2, JPY 0, BHD 3).

/// Active ISO 4217 codes whose minor unit is not 2.
#[rustfmt::skip]
const MINOR_UNITS: &[(&str, u32)] = &[
    ("BHD", 3), ("BIF", 0), ("CLF", 4), ("CLP", 0), ("DJF", 0), ("GNF", 0), ("IQD", 3),
    ("ISK", 0), ("JOD", 3), ("JPY", 0), ("KMF", 0), ("KRW", 0), ("KWD", 3), ("LYD", 3),
    ("OMR", 3), ("PYG", 0), ("RWF", 0), ("TND", 3), ("UGX", 0), ("UYI", 0), ("UYW", 4),
    ("VND", 0), ("VUV", 0), ("XAF", 0), ("XOF", 0), ("XPF", 0),
];

/// Active ISO 4217 codes with two decimal places.
#[rustfmt::skip]
const TWO_PLACES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
    "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU",
    "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
];

/// Display symbols for the currencies people most often show; others print their code.
#[rustfmt::skip]
const SYMBOLS: &[(&str, &str)] = &[
    ("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("JPY", "¥"), ("INR", "₹"), ("KRW", "₩"),
    ("CNY", "¥"), ("BRL", "R$"), ("CAD", "CA$"), ("AUD", "A$"),
];

/// The minor unit of an ISO 4217 code given in upper case, if it is one.
pub fn precision(code: &str) -> Option<u32> {
    if let Some((_, p)) = MINOR_UNITS.iter().find(|(c, _)| *c == code) {
        return Some(*p);
    }
    TWO_PLACES.binary_search(&code).ok().map(|_| 2)
}

/// The code as a `'static` string, for outputs that outlive the caller's input.
pub fn static_code(code: &str) -> Option<&'static str> {
    if let Some((c, _)) = MINOR_UNITS.iter().find(|(c, _)| *c == code) {
        return Some(c);
    }
    TWO_PLACES
        .binary_search(&code)
        .ok()
        .and_then(|i| TWO_PLACES.get(i).copied())
}

/// The display symbol of a currency, if ratecard knows one.
pub fn symbol(code: &str) -> Option<&'static str> {
    SYMBOLS.iter().find(|(c, _)| *c == code).map(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(precision("USD"), Some(2));
        assert_eq!(precision("JPY"), Some(0));
        assert_eq!(precision("BHD"), Some(3));
        assert_eq!(precision("XYZ"), None);
        assert_eq!(precision("usd"), None, "callers upper-case first");
    }

    #[test]
    fn two_place_table_is_sorted_for_binary_search() {
        assert!(TWO_PLACES.windows(2).all(|w| w[0] < w[1]));
        assert!(TWO_PLACES
            .iter()
            .all(|c| MINOR_UNITS.iter().all(|(m, _)| m != c)));
    }
}
