//! The pages' HTML: one shared layout with its stylesheet inline (no build step, no other
//! request), escaping, form fields and the response a page becomes.
//!
//! Every dynamic value goes through [`escape`] before it touches the markup; the only raw HTML
//! a page embeds is what this crate generates itself (the TOTP QR code SVG).
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How wide the card is: forms read best narrow, tables need room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    Narrow,
    Wide,
    /// Wider still: admin tables with many columns.
    Full,
}

/// A rendered page: status, title, body markup (already escaped) and cookies to set.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub title: String,
    pub body: String,
    pub width: Width,
    pub cookies: Vec<HeaderValue>,
    /// Seconds, sent as `Retry-After` (429 pages).
    pub retry_after: Option<u64>,
}

impl Page {
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> Page {
        Page { status: StatusCode::OK, title: title.into(), body: body.into(), width: Width::Narrow, cookies: Vec::new(), retry_after: None }
    }

    pub fn status(mut self, status: StatusCode) -> Page {
        self.status = status;
        self
    }

    pub fn wide(mut self) -> Page {
        self.width = Width::Wide;
        self
    }

    pub fn full(mut self) -> Page {
        self.width = Width::Full;
        self
    }

    pub fn cookies(mut self, cookies: impl IntoIterator<Item = HeaderValue>) -> Page {
        self.cookies.extend(cookies);
        self
    }

    pub fn retry_after(mut self, seconds: Option<u64>) -> Page {
        self.retry_after = seconds;
        self
    }
}

/// Headers every page and redirect carries. Pages show secrets (CSRF tokens, backup codes,
/// a TOTP secret) and are personal, so nothing is cached; tokens ride in the URLs of emailed
/// links, so no Referer leaves; nothing may frame a sign-in form (clickjacking), and the
/// policy allows no script at all: the pages work without it by design.
fn harden(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
}

fn append_cookies(response: &mut Response, cookies: Vec<HeaderValue>) {
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let html = layout(&self.title, &self.body, self.width);
        let mut response = (self.status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], html).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        harden(&mut response);
        append_cookies(&mut response, self.cookies);
        response
    }
}

/// 303 See Other to `location` (a path of this site), setting `cookies`: the answer to
/// every successful form POST, so a reload never posts twice.
pub fn see_other(location: &str, cookies: Vec<HeaderValue>) -> Response {
    let location = HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/auth/login"));
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    harden(&mut response);
    append_cookies(&mut response, cookies);
    response
}

/// An error banner (`role=alert`, so screen readers announce it).
pub fn error_banner(message: &str) -> String {
    format!(r#"<div class="banner error" role="alert">{}</div>"#, escape(message))
}

/// A success or information banner.
pub fn notice_banner(message: &str) -> String {
    format!(r#"<div class="banner notice" role="status">{}</div>"#, escape(message))
}

/// A hidden form field.
pub fn hidden(name: &str, value: &str) -> String {
    format!(r#"<input type="hidden" name="{}" value="{}">"#, escape(name), escape(value))
}

/// A labelled input with an optional hint and inline error.
pub struct Input<'a> {
    label: &'a str,
    name: &'a str,
    kind: &'a str,
    value: &'a str,
    autocomplete: &'a str,
    attrs: &'static str,
    hint: Option<&'a str>,
    error: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn new(label: &'a str, name: &'a str, kind: &'a str) -> Input<'a> {
        Input { label, name, kind, value: "", autocomplete: "off", attrs: "", hint: None, error: None }
    }

    pub fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }

    pub fn autocomplete(mut self, token: &'a str) -> Self {
        self.autocomplete = token;
        self
    }

    /// Fixed attributes written by this module (`required`, `inputmode`, `pattern`…); never
    /// user input, hence `'static`.
    pub fn attrs(mut self, attrs: &'static str) -> Self {
        self.attrs = attrs;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn error(mut self, error: Option<&'a str>) -> Self {
        self.error = error;
        self
    }

    pub fn render(&self) -> String {
        let id = format!("f-{}", escape(self.name));
        let mut described = Vec::new();
        let hint = match self.hint {
            Some(h) => {
                described.push(format!("{id}-hint"));
                format!(r#"<p class="hint" id="{id}-hint">{}</p>"#, escape(h))
            }
            None => String::new(),
        };
        let error = match self.error {
            Some(e) => {
                described.push(format!("{id}-error"));
                format!(r#"<p class="field-error" id="{id}-error">{}</p>"#, escape(e))
            }
            None => String::new(),
        };
        let invalid = if self.error.is_some() { r#" aria-invalid="true""# } else { "" };
        let describedby = if described.is_empty() { String::new() } else { format!(r#" aria-describedby="{}""#, described.join(" ")) };
        // Passwords are never written back into a page.
        let value = if self.kind == "password" { "" } else { self.value };
        format!(
            r#"<div class="field{cls}"><label for="{id}">{label}</label><input id="{id}" name="{name}" type="{kind}" value="{value}" autocomplete="{ac}"{invalid}{describedby} {attrs}>{hint}{error}</div>"#,
            cls = if self.error.is_some() { " has-error" } else { "" },
            label = escape(self.label),
            name = escape(self.name),
            kind = escape(self.kind),
            value = escape(value),
            ac = escape(self.autocomplete),
            attrs = self.attrs,
        )
    }
}

/// The whole document around a page's body.
pub fn layout(title: &str, body: &str, width: Width) -> String {
    let class = match width {
        Width::Narrow => "card",
        Width::Wide => "card wide",
        Width::Full => "card wide full",
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} · DotMac</title>
<style>{STYLE}</style>
</head>
<body>
<header class="top"><a class="brand" href="/auth/login"><span class="mark" aria-hidden="true">D</span>DotMac</a></header>
<main class="{class}">
{body}
</main>
<footer class="foot">DotMac Platform · <a href="/auth/security">Security</a></footer>
</body>
</html>
"#,
        title = escape(title),
    )
}

const STYLE: &str = r#"
:root{--ink:#172033;--muted:#5b6478;--line:#d6dbe6;--bg:#f3f5fa;--card:#fff;--brand:#2f5be7;--brand-dark:#2448bd;--focus:#9db6ff;--danger:#c62828;--ok:#1b7f4c}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;background:var(--bg);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--brand);text-underline-offset:2px}
a:hover{color:var(--brand-dark)}
.top{width:100%;max-width:760px;padding:32px 20px 16px;display:flex;justify-content:center}
.brand{display:inline-flex;align-items:center;gap:10px;font-weight:700;font-size:1.35rem;letter-spacing:-.01em;color:var(--ink);text-decoration:none}
.mark{display:inline-grid;place-items:center;width:34px;height:34px;border-radius:9px;background:linear-gradient(135deg,#3b6cf6,#2242b3);color:#fff;font-size:1.05rem}
.card{width:100%;max-width:440px;background:var(--card);border:1px solid #e3e7ef;border-radius:14px;box-shadow:0 1px 2px rgba(16,24,40,.05),0 10px 30px rgba(16,24,40,.08);padding:32px 36px}
.card.wide{max-width:860px}
.card.full{max-width:1160px}
.card.wide form .field{max-width:420px}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 6px;letter-spacing:-.015em}
h2{font-size:1.1rem;margin:30px 0 10px}
h3{font-size:.95rem;margin:22px 0 8px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ua{max-width:260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
p{margin:0 0 14px}
.lead{color:var(--muted);margin-bottom:22px}
.muted{color:var(--muted)}
.small{font-size:.875rem}
.field{margin:0 0 16px}
label{display:block;font-weight:600;font-size:.92rem;margin:0 0 6px}
input[type=text],input[type=email],input[type=password]{display:block;width:100%;height:44px;padding:0 12px;font:inherit;color:inherit;background:#fff;border:1px solid var(--line);border-radius:8px}
input:hover{border-color:#b7c0d3}
input[aria-invalid=true]{border-color:var(--danger)}
input.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.2rem;letter-spacing:.25em}
.hint{font-size:.85rem;color:var(--muted);margin:6px 0 0}
.field-error{font-size:.875rem;color:var(--danger);margin:6px 0 0;font-weight:500}
button,.button{white-space:nowrap;display:inline-flex;align-items:center;justify-content:center;min-height:44px;padding:0 18px;font:inherit;font-weight:600;border-radius:8px;border:1px solid transparent;cursor:pointer;text-decoration:none}
.primary{width:100%;background:var(--brand);color:#fff}
.primary:hover{background:var(--brand-dark);color:#fff}
.secondary{background:#fff;color:var(--ink);border-color:var(--line)}
.secondary:hover{background:#f5f7fb;color:var(--ink)}
.danger{background:#fff;color:var(--danger);border-color:#efc1c1}
.danger:hover{background:#fdf2f2}
.link{background:none;border:none;padding:0;min-height:0;color:var(--brand);font-weight:500;text-decoration:underline;text-underline-offset:2px}
a:focus-visible,button:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
input:focus-visible{border-color:var(--brand)}
.banner{border-radius:8px;padding:12px 14px;margin:0 0 20px;font-size:.95rem;border:1px solid}
.banner.error{background:#fdecec;border-color:#f3c0c0;color:#8a1c1c}
.banner.notice{background:#eaf6ef;border-color:#b8e0c8;color:#175c39}
.banner.warn{background:#fff7e6;border-color:#f4d58d;color:#6b4a00}
.resend{margin:0 0 22px}
.auto{width:auto}
.alt{margin:22px 0 0;padding-top:18px;border-top:1px solid #edf0f5;font-size:.95rem;color:var(--muted);text-align:center}
.row{display:flex;gap:12px;flex-wrap:wrap;align-items:center}
.between{display:flex;justify-content:space-between;align-items:baseline;gap:12px}
details{margin:18px 0 0;border:1px solid #e6e9f0;border-radius:8px;padding:10px 14px}
details[open]{padding-bottom:16px}
summary{cursor:pointer;font-weight:600;color:var(--brand)}
details form{margin-top:14px}
/* A table wider than a small screen scrolls inside the card, never past it. */
.table{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.93rem}
th{white-space:nowrap;text-align:left;font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;padding:8px 10px;border-bottom:1px solid var(--line)}
td{padding:12px 10px;border-bottom:1px solid #edf0f5;vertical-align:middle}
td.actions{text-align:right}
td time,td.ip{white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.75rem;font-weight:600;background:#e8eefc;color:#2448bd;margin-left:6px;vertical-align:1px}
.badge.on{background:#e3f4ea;color:#1b7f4c}
.badge.off{background:#f1f2f5;color:#5b6478}
.section{border-top:1px solid #edf0f5;margin-top:28px;padding-top:4px}
.qr{display:flex;justify-content:center;margin:8px 0 16px}
.qr svg{width:208px;height:208px;border:1px solid #e3e7ef;border-radius:8px}
.secret{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1rem;letter-spacing:.08em;background:#f5f7fb;border:1px solid #e3e7ef;border-radius:8px;padding:10px 12px;overflow-wrap:anywhere;text-align:center}
.codes{display:grid;grid-template-columns:repeat(2,1fr);gap:8px 16px;list-style:none;padding:16px;margin:0 0 18px;background:#f5f7fb;border:1px solid #e3e7ef;border-radius:8px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.02rem}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:8px 18px;margin:18px 0 22px}
.facts dt{color:var(--muted)}
.facts dd{margin:0;font-weight:500}
.foot{margin:auto 0 0;padding:28px 20px;font-size:.85rem;color:var(--muted)}
.foot a{color:var(--muted)}
@media (max-width:560px){
 .top{padding:20px 16px 12px}
 .card{border-radius:0;border-left:0;border-right:0;box-shadow:none;padding:24px 20px}
 thead{display:none}
 table,tbody,tr,td{display:block;width:100%}
 tr{border-bottom:1px solid var(--line);padding:8px 0}
 td{border:0;padding:4px 0}
 td.actions{text-align:left;padding-top:8px}
 .codes{grid-template-columns:1fr}
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup_in_text_and_attributes() {
        assert_eq!(escape(r#"<script>alert('x')</script> & "q""#), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    }

    #[test]
    fn a_password_input_never_echoes_its_value() {
        let html = Input::new("Password", "password", "password").value("hunter22").render();
        assert!(!html.contains("hunter22"));
    }

    #[test]
    fn an_input_with_an_error_is_marked_invalid_and_described() {
        let html = Input::new("Email", "email", "email").value("a\"b").error(Some("Enter <an> email")).render();
        assert!(html.contains(r#"aria-invalid="true""#));
        assert!(html.contains("value=\"a&quot;b\""));
        assert!(html.contains("Enter &lt;an&gt; email"));
    }
}
