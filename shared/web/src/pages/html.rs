//! A page as an HTTP response: its markup (built with the kit, `crate::kit`), the frame
//! around it (the centred card of the signed-out pages, or the app shell of a portal), its
//! status, cookies and the headers every page carries.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;

use super::Viewer;
use super::nav;
use crate::kit::{self, PageHead, Shell, Width};

/// What surrounds a page's body.
#[derive(Debug)]
enum Frame {
    /// The brand above a centred card: sign-in, sign-up, reset, invitations, errors.
    Card(Width),
    /// A portal's app shell: side navigation, breadcrumbs, the user's menu.
    App(Box<AppFrame>),
}

#[derive(Debug)]
struct AppFrame {
    portal: kit::Portal,
    section: &'static str,
    user_name: String,
    user_email: String,
    role_label: &'static str,
    csrf: String,
    subtitle: Option<String>,
    breadcrumbs: Vec<(String, String)>,
    actions: Option<Markup>,
    badge: Option<Markup>,
}

/// A rendered page: status, title, body markup, frame and cookies to set.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub title: String,
    pub body: Markup,
    frame: Frame,
    pub cookies: Vec<HeaderValue>,
    /// Seconds, sent as `Retry-After` (429 pages).
    pub retry_after: Option<u64>,
}

impl Page {
    /// A signed-out page in the narrow card.
    pub fn card(title: impl Into<String>, body: Markup) -> Page {
        Page { status: StatusCode::OK, title: title.into(), body, frame: Frame::Card(Width::Narrow), cookies: Vec::new(), retry_after: None }
    }

    /// A signed-in page in the app shell of the viewer's portal, with `section` marked in
    /// the side navigation (a key of `nav`).
    pub fn app(viewer: &Viewer, section: &'static str, title: impl Into<String>, body: Markup) -> Page {
        let frame = AppFrame {
            portal: nav::portal_of(viewer.caller.role),
            section,
            user_name: viewer.name.clone(),
            user_email: viewer.email.clone(),
            role_label: super::role_label(viewer.caller.role),
            csrf: viewer.csrf.clone(),
            subtitle: None,
            breadcrumbs: Vec::new(),
            actions: None,
            badge: None,
        };
        Page { status: StatusCode::OK, title: title.into(), body, frame: Frame::App(Box::new(frame)), cookies: Vec::new(), retry_after: None }
    }

    pub fn status(mut self, status: StatusCode) -> Page {
        self.status = status;
        self
    }

    /// A wider card (card pages only).
    pub fn wide(mut self) -> Page {
        if let Frame::Card(_) = self.frame {
            self.frame = Frame::Card(Width::Wide);
        }
        self
    }

    /// The widest card (card pages only).
    pub fn full(mut self) -> Page {
        if let Frame::Card(_) = self.frame {
            self.frame = Frame::Card(Width::Full);
        }
        self
    }

    /// The line under an app page's title.
    pub fn subtitle(mut self, subtitle: impl Into<String>) -> Page {
        if let Frame::App(app) = &mut self.frame {
            app.subtitle = Some(subtitle.into());
        }
        self
    }

    /// The trail above an app page's title: `(label, href)` from the portal's home down to
    /// the parent of this page (the page itself is the title).
    pub fn crumbs(mut self, crumbs: impl IntoIterator<Item = (String, String)>) -> Page {
        if let Frame::App(app) = &mut self.frame {
            app.breadcrumbs.extend(crumbs);
        }
        self
    }

    /// Buttons beside an app page's title.
    pub fn actions(mut self, actions: Markup) -> Page {
        if let Frame::App(app) = &mut self.frame {
            app.actions = Some(actions);
        }
        self
    }

    /// A status badge beside an app page's title.
    pub fn badge(mut self, badge: Markup) -> Page {
        if let Frame::App(app) = &mut self.frame {
            app.badge = Some(badge);
        }
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

    /// The whole document.
    pub fn render(&self) -> Markup {
        match &self.frame {
            Frame::Card(width) => kit::card_page(&self.title, *width, self.body.clone()),
            Frame::App(app) => {
                let crumbs: Vec<(&str, &str)> = app.breadcrumbs.iter().map(|(l, h)| (l.as_str(), h.as_str())).collect();
                let shell = Shell {
                    portal: app.portal,
                    nav: nav::sections(app.portal),
                    current: app.section,
                    user_name: &app.user_name,
                    user_email: &app.user_email,
                    role_label: app.role_label,
                    csrf_name: super::form::CSRF_FIELD,
                    csrf_value: &app.csrf,
                };
                let head = PageHead { title: &self.title, subtitle: app.subtitle.as_deref(), breadcrumbs: &crumbs, actions: app.actions.clone(), badge: app.badge.clone() };
                kit::app_page(&shell, &head, self.body.clone())
            }
        }
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
        let html = self.render().into_string();
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
