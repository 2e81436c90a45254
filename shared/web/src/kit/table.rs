//! Data tables with an empty state and a cursor pager.
//!
//! A table sits in `div.table` so a wide one scrolls inside its card; under 560px its rows
//! become blocks, each cell led by its column's label (`data-label`), since the header row
//! is hidden there.
use maud::{Markup, html};

use super::url::with_param;

/// The query parameter that carries a page's cursor.
pub const CURSOR_PARAM: &str = "cursor";

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// Right-aligned, with digits of equal width, so amounts compare down the column.
    Numeric,
    /// Row buttons at the end; the label is for screen readers only.
    Actions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column<'a> {
    pub label: &'a str,
    pub kind: ColumnKind,
}

impl<'a> Column<'a> {
    pub const fn text(label: &'a str) -> Column<'a> {
        Column { label, kind: ColumnKind::Text }
    }

    pub const fn numeric(label: &'a str) -> Column<'a> {
        Column { label, kind: ColumnKind::Numeric }
    }

    pub const fn actions(label: &'a str) -> Column<'a> {
        Column { label, kind: ColumnKind::Actions }
    }

    fn class(self) -> Option<&'static str> {
        match self.kind {
            ColumnKind::Text => None,
            ColumnKind::Numeric => Some("num"),
            ColumnKind::Actions => Some("actions"),
        }
    }
}

/// The way back from a page past the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Back<'a> {
    /// On the first page: no link.
    #[default]
    None,
    /// Cursors only go forward: "First page" starts over.
    First,
    /// The cursor of the previous page, for lists that keep one.
    Previous(&'a str),
}

/// Links to the pages around this one. `base` is the list's path with its filters
/// (`/dashboard/users?role=admin`), without a cursor; the cursors are opaque strings from
/// the API and are percent-encoded into the links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager<'a> {
    pub base: &'a str,
    pub next: Option<&'a str>,
    pub back: Back<'a>,
    /// A word on what is shown ("25 users shown").
    pub status: Option<&'a str>,
}

impl Pager<'_> {
    fn is_empty(&self) -> bool {
        self.next.is_none() && self.back == Back::None && self.status.is_none()
    }
}

/// The address of the page at `cursor` of the list at `base`.
pub fn page_href(base: &str, cursor: &str) -> String {
    with_param(base, CURSOR_PARAM, cursor)
}

/// "Previous"/"First page" and "Next page" links; nothing when there is nowhere to go.
pub fn pager(pager: &Pager<'_>) -> Markup {
    if pager.is_empty() {
        return html! {};
    }
    html! {
        nav.between.pager aria-label="Pages" {
            span.small.muted { @if let Some(status) = pager.status { (status) } }
            span.row {
                @match pager.back {
                    Back::None => {},
                    Back::First => a.button.secondary href=(pager.base) { "First page" },
                    Back::Previous(cursor) => a.button.secondary rel="prev" href=(page_href(pager.base, cursor)) { "← Previous page" },
                }
                @if let Some(cursor) = pager.next {
                    a.button.secondary rel="next" href=(page_href(pager.base, cursor)) { "Next page →" }
                }
            }
        }
    }
}

/// A table of `rows` (one `Markup` per cell, in the order of `columns`), or `empty` in its
/// place when there is no row; the pager follows either way, since an empty page past the
/// first still needs its way back. `caption` names the table for screen readers.
pub fn data_table(caption: &str, columns: &[Column<'_>], rows: &[Vec<Markup>], empty: &str, pager: Option<&Pager<'_>>) -> Markup {
    html! {
        @if rows.is_empty() {
            p.empty { (empty) }
        } @else {
            div.table {
                table {
                    caption.sr { (caption) }
                    thead {
                        tr {
                            @for column in columns {
                                th scope="col" class=[column.class()] {
                                    @if column.kind == ColumnKind::Actions { span.sr { (column.label) } } @else { (column.label) }
                                }
                            }
                        }
                    }
                    tbody {
                        @for row in rows {
                            tr {
                                @for (i, cell) in row.iter().enumerate() {
                                    @let column = columns.get(i);
                                    @let label = column.filter(|c| c.kind != ColumnKind::Actions).map(|c| c.label);
                                    td class=[column.and_then(|c| c.class())] data-label=[label] { (cell) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(pager) = pager { (self::pager(pager)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XSS: &str = "<script>alert(1)</script>\"'";
    const COLUMNS: [Column<'static>; 3] = [Column::text("Name"), Column::numeric("Amount"), Column::actions("Actions")];

    fn rows() -> Vec<Vec<Markup>> {
        vec![vec![html! { "Acme" }, html! { "12.00" }, html! { a href="/x" { "Open" } }]]
    }

    #[test]
    fn an_empty_table_shows_its_empty_state_instead() {
        let html = data_table("Users", &COLUMNS, &[], "No users yet.", None).into_string();
        assert_eq!(html, r#"<p class="empty">No users yet.</p>"#);
    }

    #[test]
    fn cells_follow_their_column_kind() {
        let html = data_table("Invoices", &COLUMNS, &rows(), "None", None).into_string();
        assert!(html.starts_with(r#"<div class="table"><table><caption class="sr">Invoices</caption>"#));
        assert!(html.contains(r#"<th scope="col" class="num">Amount</th>"#));
        assert!(html.contains(r#"<th scope="col" class="actions"><span class="sr">Actions</span></th>"#));
        assert!(html.contains(r#"<td class="num" data-label="Amount">12.00</td>"#));
        assert!(html.contains(r#"<td class="actions"><a href="/x">Open</a></td>"#));
        assert!(html.contains(r#"<td data-label="Name">Acme</td>"#));
    }

    #[test]
    fn the_pager_percent_encodes_the_cursor() {
        let pager = Pager { base: "/dashboard/users?role=admin", next: Some("a b&c=d/é"), back: Back::First, status: None };
        let html = data_table("Users", &COLUMNS, &rows(), "None", Some(&pager)).into_string();
        assert!(html.contains(r#"href="/dashboard/users?role=admin&amp;cursor=a%20b%26c%3Dd%2F%C3%A9""#), "{html}");
        assert!(html.contains(r#"<a class="button secondary" href="/dashboard/users?role=admin">First page</a>"#));
    }

    #[test]
    fn a_previous_link_carries_its_own_cursor() {
        let pager = Pager { base: "/portal/activity", next: None, back: Back::Previous("p#1"), status: Some("25 shown") };
        let html = pager_markup(&pager);
        assert!(html.contains(r#"rel="prev" href="/portal/activity?cursor=p%231""#));
        assert!(!html.contains("Next page"));
        assert!(html.contains("25 shown"));
    }

    #[test]
    fn no_pager_when_there_is_nowhere_to_go() {
        let pager = Pager { base: "/x", next: None, back: Back::None, status: None };
        assert_eq!(pager_markup(&pager), "");
    }

    #[test]
    fn an_empty_page_past_the_first_keeps_its_way_back() {
        let pager = Pager { base: "/x", next: None, back: Back::First, status: None };
        let html = data_table("Users", &COLUMNS, &[], "No more users.", Some(&pager)).into_string();
        assert!(html.contains("No more users."));
        assert!(html.contains("First page"));
    }

    #[test]
    fn table_text_is_escaped() {
        let columns = [Column::text(XSS), Column::actions(XSS)];
        let rows = vec![vec![html! { (XSS) }, html! { (XSS) }]];
        let pager = Pager { base: XSS, next: Some(XSS), back: Back::Previous(XSS), status: Some(XSS) };
        for html in [data_table(XSS, &columns, &rows, XSS, Some(&pager)), data_table(XSS, &columns, &[], XSS, None)] {
            let html = html.into_string();
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("\"'"), "{html}");
        }
    }

    fn pager_markup(pager: &Pager<'_>) -> String {
        super::pager(pager).into_string()
    }
}
