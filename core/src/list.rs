//! A list that keeps its first element inline.
//!
//! A quote's totals and a fee's dimensions almost always hold one entry (one asset charged, one
//! billable dimension), and allocating a vector for it cost more than the arithmetic of a whole
//! unit quote. This keeps one element without allocating and spills to a `Vec` from the second.
//! It reads as a slice (`Deref`), so callers iterate, index and search it like one.

use std::ops::{Deref, DerefMut};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum List<T> {
    #[default]
    Empty,
    One(T),
    Many(Vec<T>),
}

impl<T> List<T> {
    pub fn new() -> List<T> {
        List::Empty
    }

    pub fn push(&mut self, item: T) {
        *self = match std::mem::take(self) {
            List::Empty => List::One(item),
            List::One(first) => List::Many(vec![first, item]),
            List::Many(mut all) => {
                all.push(item);
                List::Many(all)
            }
        };
    }

    pub fn as_slice(&self) -> &[T] {
        self
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            List::Empty => &[],
            List::One(item) => std::slice::from_ref(item),
            List::Many(all) => all,
        }
    }
}

impl<T> DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            List::Empty => &mut [],
            List::One(item) => std::slice::from_mut(item),
            List::Many(all) => all,
        }
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> List<T> {
        let mut list = List::Empty;
        for item in iter {
            list.push(item);
        }
        list
    }
}

impl<'l, T> IntoIterator for &'l List<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(all: Vec<T>) -> List<T> {
        all.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_the_vector_it_replaces() {
        for n in 0..5 {
            let list: List<i32> = (0..n).collect();
            let vec: Vec<i32> = (0..n).collect();
            assert_eq!(list.as_slice(), vec.as_slice());
            assert_eq!(list.len(), vec.len());
            assert_eq!((&list).into_iter().sum::<i32>(), vec.iter().sum::<i32>());
        }
        let mut list = List::from(vec![1, 2]);
        list.push(3);
        for x in list.iter_mut() {
            *x *= 10;
        }
        assert_eq!(&*list, &[10, 20, 30]);
        assert!(matches!(List::from(vec![7]), List::One(7)));
    }
}
