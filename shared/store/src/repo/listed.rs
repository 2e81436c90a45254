//! A page of records as a list that filters while it reads needs it: each record with the
//! cursor that continues right after it, so the list can stop anywhere in the page (a full
//! page of matches, a spent read budget) and resume from exactly there.
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::ports::item_store::{Cursor, Index, Item, Page, StoreError};

/// Records read from one index in its order (one Query's page).
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<T> {
    items: Vec<Item>,
    index: Index,
    /// Where the store stopped reading (None: nothing follows).
    pub next: Option<Cursor>,
    of: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Listed<T> {
    /// `page`, a page of `index`, to be read as `T`s.
    pub(crate) fn new(page: Page, index: Index) -> Listed<T> {
        Listed { items: page.items, index, next: page.next, of: PhantomData }
    }

    /// Each record with the cursor that continues after it, read as it is reached: a list
    /// that stops early never reads the records after the stop.
    pub fn records(&self) -> impl Iterator<Item = Result<(T, Cursor), StoreError>> + '_ {
        self.items.iter().map(|item| Ok((item.record()?, Cursor::after(item, self.index))))
    }
}
