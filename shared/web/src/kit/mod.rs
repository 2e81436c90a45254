//! The page kit: typed HTML for every page of the three portals, rendered with maud.
//!
//! A page is a function of its data that returns [`maud::Markup`]: [`layout::card_page`] for
//! the signed-out pages, [`layout::app_page`] for the signed-in ones, and the components in
//! between. maud escapes every interpolated value in text and attributes alike; the kit
//! never writes raw markup from data, and never a `style` attribute (the stylesheet in
//! [`style`] is the only look, sent inline because the Content-Security-Policy allows inline
//! styles and nothing else).
//!
//! The kit knows nothing of HTTP: whoever serves a page turns the markup into a response
//! with its status, headers and cookies.
//!
//! Modules name what they hold and refer to each other through `super::`, so this directory
//! can live as a module of a larger crate.
pub mod badge;
pub mod chart;
pub mod confirm;
pub mod form;
pub mod kpi;
pub mod layout;
pub mod notice;
pub mod progress;
pub mod style;
pub mod table;
pub mod tabs;
pub mod url;

pub use badge::{Tone, status_badge};
pub use chart::{Chart, ChartSeries, bar_chart, grouped, line_chart, nice_ticks};
pub use confirm::{Confirm, confirm_step};
pub use form::{
    ButtonStyle, Input, InputMode, InputType, Select, TextArea, checkbox_field, field, hidden, link_button, post_form, select_field,
    submit, textarea_field,
};
pub use kpi::{kpi_card, kpi_grid};
pub use layout::{NavItem, PageHead, Portal, Shell, Width, app_page, card_page};
pub use notice::{NoticeKind, facts, notice};
pub use progress::{checklist, progress_bar, progress_bar_toned};
pub use table::{Back, Column, ColumnKind, Pager, data_table, page_href, pager};
pub use tabs::tabs;
pub use url::{encode_query_value, with_param};

#[cfg(test)]
mod gallery;
