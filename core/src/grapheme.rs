//! How many grapheme clusters (what a reader sees as one character: `é`, `🇫🇷`, `👩‍💻`) a
//! text holds, for the one-symbol rule of assets.
//!
//! Extended grapheme clusters of Unicode's UAX #29 (rules GB3 to GB13, with GB9c's Indic
//! conjuncts), counted exactly as `unicode-segmentation` counts them
//! (`text.graphemes(true).count()`), at the same Unicode version: the tests check every code
//! point's category and every short sequence of categories against that crate, which is a
//! dev-dependency. The categories come from its tables (`grapheme_table.rs`, written by
//! `scripts/gen-grapheme-table.py`), run-length packed into 2 KB instead of its 25 KB of tables:
//! the WebAssembly module carries them.

use crate::grapheme_table::{INDEX, RUNS};

/// A code point's part in cluster boundaries: `unicode-segmentation`'s `GraphemeCat` with
/// Extend split by Indic_Conjunct_Break (`Linker`, `ExtendInCB`, plain `Extend`).
/// Named as UAX #29 names the Grapheme_Cluster_Break values.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Any,
    CR,
    LF,
    Control,
    Extend,
    /// Extend with InCB=Extend.
    ExtendInCB,
    /// Extend with InCB=Linker.
    Linker,
    /// Zero-width joiner (InCB=Extend).
    ZWJ,
    ExtendedPictographic,
    /// InCB=Consonant.
    Consonant,
    L,
    V,
    T,
    LV,
    LVT,
    Prepend,
    RegionalIndicator,
    SpacingMark,
}

/// The categories in the order of their codes in `RUNS` (13 is a Hangul syllable, LV or LVT).
const CODES: [Category; 17] = [
    Category::Any,
    Category::CR,
    Category::LF,
    Category::Control,
    Category::Extend,
    Category::ExtendInCB,
    Category::Linker,
    Category::ZWJ,
    Category::ExtendedPictographic,
    Category::Consonant,
    Category::L,
    Category::V,
    Category::T,
    Category::LV,
    Category::Prepend,
    Category::RegionalIndicator,
    Category::SpacingMark,
];

fn category(c: char) -> Category {
    let cp = u32::from(c);
    match cp {
        0x20..=0x7E => return Category::Any,
        0x0A => return Category::LF,
        0x0D => return Category::CR,
        0..=0x1F => return Category::Control,
        _ => {}
    }
    let entry = INDEX.partition_point(|&(start, _)| start <= cp);
    let (mut start, offset) = INDEX
        .get(entry.saturating_sub(1))
        .copied()
        .unwrap_or((0, 0));
    let mut bytes = RUNS.get(usize::from(offset)..).unwrap_or_default().iter();
    while let Some(&byte) = bytes.next() {
        let mut length = u32::from(byte >> 5);
        if length == 0 {
            let mut shift = 0;
            for &b in bytes.by_ref() {
                length |= u32::from(b & 0x7F) << shift;
                shift += 7;
                if b < 0x80 {
                    break;
                }
            }
        }
        if cp < start + length {
            return match CODES.get(usize::from(byte & 0x1F)) {
                Some(Category::LV) if cp.wrapping_sub(0xAC00) % 28 != 0 => Category::LVT,
                Some(&category) => category,
                None => Category::Any,
            };
        }
        start += length;
    }
    Category::Any
}

/// The extended grapheme clusters of `text`.
pub fn count(text: &str) -> usize {
    use Category::*;
    let mut clusters = 0;
    let mut before: Option<Category> = None;
    // Regional indicators ending at `before` (GB12, GB13).
    let mut regional = 0usize;
    // Whether `ExtPict Extend*` (the first) or `ExtPict Extend* ZWJ` (the second) ends at `before`
    // (GB11).
    let mut pictographic = (false, false);
    // Since the last code point that is neither InCB=Linker nor InCB=Extend: whether that one
    // was InCB=Consonant, and whether a linker came after it (GB9c).
    let mut consonant = false;
    let mut linked = false;
    for c in text.chars() {
        let after = category(c);
        let joined = match (before, after) {
            (None, _) => false,
            (Some(CR), LF) => true, // GB3
            (Some(Control | CR | LF), _) | (_, Control | CR | LF) => false, // GB4, GB5
            (Some(L), L | V | LV | LVT) => true, // GB6
            (Some(LV | V), V | T) | (Some(LVT | T), T) => true, // GB7, GB8
            (_, Extend | ExtendInCB | Linker | ZWJ | SpacingMark) => true, // GB9, GB9a
            (Some(Prepend), _) => true, // GB9b
            (_, Consonant) => consonant && linked, // GB9c
            (Some(ZWJ), ExtendedPictographic) => pictographic.1, // GB11
            (Some(RegionalIndicator), RegionalIndicator) => regional % 2 == 1, // GB12, GB13
            _ => false,             // GB999
        };
        if !joined {
            clusters += 1;
        }
        regional = if after == RegionalIndicator {
            regional + 1
        } else {
            0
        };
        pictographic = match after {
            ExtendedPictographic => (true, false),
            Extend | ExtendInCB | Linker if pictographic.0 => (true, false),
            ZWJ if pictographic.0 => (false, true),
            _ => (false, false),
        };
        match after {
            Linker => linked = true,
            ExtendInCB | ZWJ => {}
            _ => {
                consonant = after == Consonant;
                linked = false;
            }
        }
        before = Some(after);
    }
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    /// One code point of each category.
    const SAMPLES: [char; 18] = [
        'a',
        '\r',
        '\n',
        '\u{1}',
        '\u{200C}',
        '\u{300}',
        '\u{94D}',
        '\u{200D}',
        '\u{1F600}',
        '\u{915}',
        '\u{1100}',
        '\u{1161}',
        '\u{11A8}',
        '\u{AC00}',
        '\u{AC01}',
        '\u{600}',
        '\u{1F1E6}',
        '\u{903}',
    ];

    fn theirs(text: &str) -> usize {
        text.graphemes(true).count()
    }

    #[test]
    fn the_table_is_for_the_crate_s_unicode_version() {
        assert_eq!(
            crate::grapheme_table::UNICODE_VERSION,
            unicode_segmentation::UNICODE_VERSION
        );
    }

    #[test]
    fn the_samples_are_of_their_categories() {
        use Category::*;
        let expected = [
            Any,
            CR,
            LF,
            Control,
            Extend,
            ExtendInCB,
            Linker,
            ZWJ,
            ExtendedPictographic,
            Consonant,
            L,
            V,
            T,
            LV,
            LVT,
            Prepend,
            RegionalIndicator,
            SpacingMark,
        ];
        for (c, category_) in SAMPLES.iter().zip(expected) {
            assert_eq!(category(*c), category_, "{c:?}");
        }
    }

    /// Texts around `c` whose cluster counts tell every category from every other under the
    /// crate's rules (checked by `the_probes_tell_the_categories_apart`).
    fn probes(c: char) -> [String; 16] {
        let [_, cr, _, _, _, _, linker, zwj, pict, cons, l, v, t, _, _, prepend, ri, _] = SAMPLES;
        [
            format!("{c}a"),
            format!("a{c}"),
            format!("\r{c}"),
            format!("{c}\n"),
            format!("{prepend}{c}"),
            format!("{l}{c}"),
            format!("{c}{t}"),
            format!("{c}{v}"),
            format!("{v}{c}"),
            format!("{ri}{c}"),
            format!("{pict}{zwj}{c}"),
            format!("{cons}{linker}{c}"),
            format!("{cons}{c}{cons}"),
            format!("{cons}{linker}{c}{cons}"),
            format!("{pict}{c}{pict}"),
            format!("{pict}{c}{zwj}{pict}{cr}"),
        ]
    }

    fn signature(c: char, count: fn(&str) -> usize) -> Vec<usize> {
        probes(c).iter().map(|p| count(p)).collect()
    }

    #[test]
    fn the_probes_tell_the_categories_apart() {
        for (i, a) in SAMPLES.iter().enumerate() {
            for b in SAMPLES.iter().skip(i + 1) {
                assert_ne!(signature(*a, theirs), signature(*b, theirs), "{a:?} {b:?}");
            }
        }
    }

    /// Every code point in every probe, against the crate (the code points at the edges of
    /// the table's runs always; all of them with `--ignored`, about a minute unoptimized).
    fn agrees_on_code_points(all: bool) {
        let mut edges = std::collections::BTreeSet::new();
        let mut previous = None;
        for cp in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let here = category(c);
            if previous != Some(here) {
                edges.insert(cp.saturating_sub(1));
                edges.insert(cp);
            }
            previous = Some(here);
            if all || cp % 97 == 0 {
                edges.insert(cp);
            }
        }
        edges.insert(0x10FFFF);
        for cp in edges {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(signature(c, count), signature(c, theirs), "U+{cp:04X}");
            }
        }
    }

    #[test]
    fn agrees_with_unicode_segmentation_at_the_table_s_edges() {
        agrees_on_code_points(false);
    }

    #[test]
    #[ignore = "every code point: about a minute unoptimized"]
    fn agrees_with_unicode_segmentation_on_every_code_point() {
        agrees_on_code_points(true);
    }

    #[test]
    fn agrees_with_unicode_segmentation_on_every_sequence_of_four() {
        let mut text = String::new();
        for a in SAMPLES {
            for b in SAMPLES {
                for c in SAMPLES {
                    for d in SAMPLES {
                        text.clear();
                        text.extend([a, b, c, d]);
                        assert_eq!(count(&text), theirs(&text), "{text:?}");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_unicode_segmentation_on_longer_texts(
            picks in proptest::collection::vec(0..SAMPLES.len(), 0..24)
        ) {
            let text: String = picks.iter().filter_map(|&i| SAMPLES.get(i)).collect();
            proptest::prop_assert_eq!(count(&text), theirs(&text), "{:?}", text);
        }

        #[test]
        fn agrees_with_unicode_segmentation_on_any_text(text in "\\PC{0,12}") {
            proptest::prop_assert_eq!(count(&text), theirs(&text), "{:?}", text);
        }
    }

    #[test]
    fn counts_symbols() {
        for (text, n) in [
            ("", 0),
            ("$", 1),
            ("€", 1),
            ("📸", 1),
            ("⭐", 1),
            ("🇫🇷", 1),
            ("👩‍💻", 1),
            ("é", 1),
            ("e\u{301}", 1),
            ("क्ष", 1),
            ("CR", 2),
            ("\r\n", 1),
            ("🇫🇷🇩", 2),
        ] {
            assert_eq!(count(text), n, "{text:?}");
            assert_eq!(theirs(text), n, "{text:?}");
        }
    }
}
