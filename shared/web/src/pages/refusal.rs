//! The page face of the one refusal type, `ApiError`: the same status, code, message and
//! field the API answers, shown to a person as a banner, a message beside the field it is
//! about, or a page that only explains the problem. There is no second mapping: every
//! layer's error becomes an `ApiError` once (`From<…> for ApiError`), and pages render it.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::html::Page;
use crate::ApiError;
use crate::kit::{self, NoticeKind};

/// What a person reads for a failure on our side.
pub const INTERNAL: &str = "Something went wrong on our side. Please try again in a moment.";

impl ApiError {
    /// The message for the form field `name`, if this refusal is about it.
    pub fn on(&self, name: &str) -> Option<&str> {
        (self.detail.field.as_deref() == Some(name)).then_some(self.detail.message.as_str())
    }

    /// The message as a page shows it: API messages quote names in backticks for programs;
    /// a refusal from our side never shows its cause.
    pub fn message_for_people(&self) -> String {
        match self.code() {
            "internal" => INTERNAL.to_string(),
            "invalid_cursor" => "That page link is no longer valid. Start again from the first page.".to_string(),
            _ => self.detail.message.replace('`', ""),
        }
    }
}

/// `e` as a page shows it (see `ApiError::message_for_people`), keeping status, code,
/// field and wait.
pub fn for_people(e: ApiError) -> ApiError {
    let message = e.message_for_people();
    ApiError { detail: crate::error::ErrorDetail { message, ..e.detail }, ..e }
}

/// The banner above a form: the message itself, or, when the refusal is about a field
/// shown beside it, a pointer to that field.
pub fn banner(e: &ApiError) -> Markup {
    match e.detail.field {
        Some(_) => kit::notice(NoticeKind::Error, "Please correct the field marked below."),
        None => kit::notice(NoticeKind::Error, e.message_for_people().as_str()),
    }
}

/// A page that only explains a refusal, with its status and a way on.
pub fn error_page(e: &ApiError) -> Response {
    let body = html! {
        h1 { "Something is not right" }
        (kit::notice(NoticeKind::Error, e.message_for_people().as_str()))
        p.alt { a href="/auth/login" { "Go to sign in" } }
    };
    let status = if e.status.is_client_error() || e.status.is_server_error() { e.status } else { StatusCode::INTERNAL_SERVER_ERROR };
    Page::card("Error", body).status(status).retry_after(e.retry_after).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_refusal_is_shown_beside_its_field_and_pointed_at_from_the_banner() {
        let e = ApiError::invalid_field("email", "Enter a valid email address.");
        assert_eq!(e.on("email"), Some("Enter a valid email address."));
        assert_eq!(e.on("name"), None);
        assert!(banner(&e).into_string().contains("correct the field"));
    }

    #[test]
    fn a_failure_on_our_side_never_shows_its_cause() {
        let e = ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "table dotmac missing");
        assert_eq!(for_people(e).detail.message, INTERNAL);
    }

    #[test]
    fn markup_in_a_message_is_escaped() {
        let e = ApiError::conflict("conflict", "<script>alert(1)</script>\"'");
        let html = banner(&e).into_string();
        assert!(!html.contains("<script>"), "{html}");
    }
}
