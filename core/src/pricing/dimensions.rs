//! Dimensional prices: which values of a price apply to an event's data.
//!
//! A dimensional price matches when each of its keys is `"*"` or equals the event's value
//! (numbers and booleans compared by their text: `5`, `true`); `"*"` also matches a missing
//! value. The match with the most exact keys wins.
//!
//! Two dimensional prices *tie* when some event matches both with the same number of exact keys
//! and no more specific price covers every such event: the fee would then depend on list order,
//! so validation refuses it (the pairs: [`ties`]). The check groups prices by the set of keys they
//! match exactly (a catalog has few such sets: `model`, `model + quality`, ...), so it compares
//! only prices that can meet, through hash lookups, in time near-linear in the list.

use super::price::PriceValue;
use crate::event::{Event, Scalar};
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DimValue {
    Any,
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionalPrice {
    pub name: Option<String>,
    pub pattern: Vec<(String, DimValue)>,
    pub values: Vec<PriceValue>,
    pub path: String,
    exact: usize,
    /// The exact keys as `(index into the list's keys, value)`, set by [`Values::dimensional`].
    slots: Vec<(usize, String)>,
}

impl DimensionalPrice {
    pub fn new(
        name: Option<String>,
        pattern: Vec<(String, DimValue)>,
        values: Vec<PriceValue>,
        path: String,
    ) -> Self {
        let exact = pattern
            .iter()
            .filter(|(_, v)| matches!(v, DimValue::Exact(_)))
            .count();
        DimensionalPrice {
            name,
            pattern,
            values,
            path,
            exact,
            slots: Vec::new(),
        }
    }

    /// How many keys must equal a value exactly.
    pub fn specificity(&self) -> usize {
        self.exact
    }

    fn exact_keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pattern.iter().filter_map(|(k, v)| match v {
            DimValue::Exact(x) => Some((k.as_str(), x.as_str())),
            DimValue::Any => None,
        })
    }

    /// Whether the event's values (resolved once per list, by key index) fit this price.
    fn matches(&self, resolved: &[Option<Cow<'_, str>>]) -> bool {
        self.slots.iter().all(|(i, want)| {
            resolved
                .get(*i)
                .and_then(Option::as_deref)
                .is_some_and(|have| have == want)
        })
    }

    /// The exact keys an event must have to match both.
    pub fn merged(&self, other: &DimensionalPrice) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .exact_keys()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in other.exact_keys() {
            if !out.iter().any(|(k2, _)| k2 == k) {
                out.push((k.to_string(), v.to_string()));
            }
        }
        out
    }

    /// `model=gen4, quality=*`
    pub fn describe(&self) -> String {
        self.pattern
            .iter()
            .map(|(k, v)| match v {
                DimValue::Any => format!("{k}=*"),
                DimValue::Exact(x) => format!("{k}={x}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    Plain(Vec<PriceValue>),
    Dimensional {
        prices: Vec<DimensionalPrice>,
        /// Every key the prices match exactly on, so an event's values are looked up once.
        keys: Vec<String>,
    },
}

impl Values {
    /// Dimensional values, with each price's exact keys indexed into one shared key list.
    pub fn dimensional(mut prices: Vec<DimensionalPrice>) -> Values {
        let mut keys: Vec<String> = Vec::new();
        for price in &mut prices {
            let mut slots = Vec::with_capacity(price.exact);
            for (k, v) in &price.pattern {
                let DimValue::Exact(v) = v else { continue };
                let i = match keys.iter().position(|x| x == k) {
                    Some(i) => i,
                    None => {
                        keys.push(k.clone());
                        keys.len() - 1
                    }
                };
                slots.push((i, v.clone()));
            }
            price.slots = slots;
        }
        Values::Dimensional { prices, keys }
    }

    /// The values that apply to `event`, and the dimensional price that supplied them.
    pub fn select<'v>(
        &'v self,
        event: &Event<'_>,
    ) -> Option<(&'v [PriceValue], Option<&'v DimensionalPrice>)> {
        match self {
            Values::Plain(list) => Some((list, None)),
            Values::Dimensional { prices, keys } => {
                // A few keys on the stack: this runs once per price per event.
                let mut small: [Option<Cow<'_, str>>; 4] = Default::default();
                let spilled: Vec<Option<Cow<'_, str>>>;
                let resolved: &[Option<Cow<'_, str>>] = if keys.len() <= small.len() {
                    for (slot, k) in small.iter_mut().zip(keys) {
                        *slot = event.dimension(k);
                    }
                    small.get(..keys.len()).unwrap_or_default()
                } else {
                    spilled = keys.iter().map(|k| event.dimension(k)).collect();
                    &spilled
                };
                let mut best: Option<&DimensionalPrice> = None;
                for d in prices {
                    if d.matches(resolved) && best.is_none_or(|b| d.specificity() > b.specificity())
                    {
                        best = Some(d);
                    }
                }
                best.map(|d| (d.values.as_slice(), Some(d)))
            }
        }
    }
}

impl<'a> Event<'a> {
    /// The event's value for a dimension key, as text; absent or null is `None`.
    pub fn dimension(&self, key: &str) -> Option<Cow<'_, str>> {
        match self.get(key)? {
            Scalar::Str(s) => Some(Cow::Borrowed(s.as_ref())),
            Scalar::Num(d) => Some(Cow::Owned(d.to_string())),
            Scalar::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Scalar::Null | Scalar::Invalid(_) => None,
        }
    }
}

/// One set of exact keys (sorted) and the prices that match on exactly those keys, by their
/// values in key order (each list of indices ascending).
struct Group<'p> {
    keys: Vec<&'p str>,
    members: HashMap<Vec<&'p str>, Vec<usize>>,
}

impl<'p> Group<'p> {
    /// The first price (lowest index) with these values on the group's keys, if any.
    fn first(&self, values: &[&'p str]) -> Option<usize> {
        self.members.get(values).and_then(|m| m.first().copied())
    }
}

/// Where each key of a union of two key sets takes its value: from the first price's values
/// (`Left(i)`) or the second's (`Right(i)`).
#[derive(Clone, Copy)]
enum Side {
    Left(usize),
    Right(usize),
}

/// Every pair of dimensional prices that tie (see the module docs), as `(earlier, later)`
/// indices in list order. A price whose exact keys and values repeat an earlier one's ties
/// with the first only. `budget` counts the pairs examined (across a catalog): `None` when the
/// prices could meet in more ways than it allows, rather than a long stall.
pub fn ties(prices: &[DimensionalPrice], budget: &mut usize) -> Option<Vec<(usize, usize)>> {
    let mut index: HashMap<Vec<&str>, usize> = HashMap::new();
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (i, price) in prices.iter().enumerate() {
        let mut exact: Vec<(&str, &str)> = price.exact_keys().collect();
        exact.sort_unstable();
        let keys: Vec<&str> = exact.iter().map(|(k, _)| *k).collect();
        let values: Vec<&str> = exact.iter().map(|(_, v)| *v).collect();
        let g = *index.entry(keys.clone()).or_insert_with(|| {
            groups.push(Group {
                keys,
                members: HashMap::new(),
            });
            groups.len() - 1
        });
        if let Some(group) = groups.get_mut(g) {
            group.members.entry(values).or_default().push(i);
        }
    }
    let mut ties: Vec<(usize, usize)> = Vec::new();
    // The same keys: prices meet only when their values are equal too.
    for group in &groups {
        for members in group.members.values() {
            if let Some((first, rest)) = members.split_first() {
                ties.extend(rest.iter().map(|b| (*first, *b)));
            }
        }
    }
    // Different keys, as many of them: prices meet when they agree on the keys they share.
    for (gi, g1) in groups.iter().enumerate() {
        for g2 in groups.iter().skip(gi + 1) {
            if !spend(budget, 1) {
                return None;
            }
            if g1.keys.len() != g2.keys.len() {
                continue;
            }
            if !meet(g1, g2, &groups, &mut ties, budget) {
                return None;
            }
        }
    }
    ties.sort_unstable();
    Some(ties)
}

fn spend(budget: &mut usize, n: usize) -> bool {
    match budget.checked_sub(n) {
        Some(left) => {
            *budget = left;
            true
        }
        None => false,
    }
}

/// The ties between two groups of equally many keys: pairs that agree on the shared keys and
/// that no group of more keys, all among theirs, covers. `false` when the budget ran out.
fn meet<'p>(
    g1: &Group<'p>,
    g2: &Group<'p>,
    groups: &[Group<'p>],
    ties: &mut Vec<(usize, usize)>,
    budget: &mut usize,
) -> bool {
    // The union of the two key sets, each key with where its value comes from.
    let mut union: Vec<(&str, Side)> = g1
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, Side::Left(i)))
        .collect();
    let mut shared: Vec<(usize, usize)> = Vec::new();
    for (j, k) in g2.keys.iter().enumerate() {
        match g1.keys.iter().position(|x| x == k) {
            Some(i) => shared.push((i, j)),
            None => union.push((k, Side::Right(j))),
        }
    }
    // Groups that could cover a merged pair: more keys, all among the union's.
    let coverers: Vec<(&Group<'p>, Vec<Side>)> = groups
        .iter()
        .filter(|g| g.keys.len() > g1.keys.len())
        .filter_map(|g| {
            let sides = g
                .keys
                .iter()
                .map(|k| union.iter().find(|(u, _)| u == k).map(|(_, s)| *s))
                .collect::<Option<Vec<Side>>>()?;
            Some((g, sides))
        })
        .collect();
    // The second group's prices by their values on the shared keys.
    let mut by_shared: HashMap<Vec<&str>, Vec<(&Vec<&str>, usize)>> = HashMap::new();
    for (values, members) in &g2.members {
        let key: Vec<&str> = shared
            .iter()
            .filter_map(|(_, j)| values.get(*j).copied())
            .collect();
        if let Some(first) = members.first() {
            by_shared.entry(key).or_default().push((values, *first));
        }
    }
    for (left, members) in &g1.members {
        let Some(a) = members.first().copied() else {
            continue;
        };
        let key: Vec<&str> = shared
            .iter()
            .filter_map(|(i, _)| left.get(*i).copied())
            .collect();
        let Some(partners) = by_shared.get(&key) else {
            continue;
        };
        if !spend(budget, partners.len().saturating_mul(coverers.len().max(1))) {
            return false;
        }
        for (right, b) in partners {
            let covered = coverers.iter().any(|(g, sides)| {
                let values: Vec<&str> = sides
                    .iter()
                    .filter_map(|s| match s {
                        Side::Left(i) => left.get(*i).copied(),
                        Side::Right(j) => right.get(*j).copied(),
                    })
                    .collect();
                g.first(&values).is_some()
            });
            if !covered {
                ties.push((a.min(*b), a.max(*b)));
            }
        }
    }
    true
}
