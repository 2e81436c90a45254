//! What the pages' tests share: records holding a script in every field a user can set, the
//! check that it stays inert, and, with `PAGE_SHOTS_DIR` set, the rendered pages written
//! there to look at in a browser.
use domain::email::Email;
use domain::ids::{EventId, InvitationId, SessionId, TenantId, UserId};
use domain::invitation::{Invitation, InvitationStatus};
use domain::time::Timestamp;
use domain::user::{Role, User, UserStatus};
use maud::Markup;
use store::audit::AuditEvent;
use web::auth::Caller;
use web::auth::caller::Via;
use web::pages::{Page, Viewer};

/// A script and both quotes: what a name, an organization or an audit detail may hold.
pub const XSS: &str = "<script>alert(1)</script>\"'";

const NOW: Timestamp = Timestamp::from_unix(1_795_600_800);

/// No script survives, and no double quote ends an attribute early: maud writes `"` as
/// `&quot;` and leaves `'` as it is, which is safe because it quotes every attribute with `"`.
pub fn assert_inert(html: &str) {
    assert!(!html.contains("<script"), "a raw script in {html}");
    assert!(!html.contains("\"'"), "a double quote broke out of an attribute in {html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;'"), "the payload, escaped, in {html}");
}

fn tenant() -> TenantId {
    TenantId::parse("ten_01jd0000000000000000000000").unwrap_or_else(|| TenantId::generate(NOW))
}

pub fn user(name: &str, email: &str, role: Role) -> User {
    User {
        id: UserId::generate(NOW),
        email: Email::parse(email).expect("a test address"),
        name: name.to_string(),
        role,
        tenant_id: Some(tenant()),
        status: UserStatus::Active,
        email_verified: true,
        password_hash: None,
        created_at: NOW,
        version: 1,
        mfa: Default::default(),
    }
}

/// `user` signed in with `role`, with a CSRF value that is itself a payload.
pub fn viewer(user: &User, role: Role) -> Viewer {
    Viewer {
        caller: Caller { user_id: user.id.clone(), tenant_id: Some(tenant()), role, session_id: SessionId::generate(NOW), via: Via::Cookie },
        name: user.name.clone(),
        email: user.email.to_string(),
        csrf: XSS.to_string(),
    }
}

pub fn invitation(email: &str) -> Invitation {
    Invitation {
        id: InvitationId::generate(NOW),
        tenant_id: Some(tenant()),
        email: Email::parse(email).expect("a test address"),
        name: None,
        role: Role::TenantMember,
        invited_by: "usr_01jd0000000000000000000000".into(),
        status: InvitationStatus::Pending,
        created_at: NOW,
        expires_at: NOW.plus_seconds(7 * 86_400),
        accepted_at: None,
        token_hash: "h".into(),
        version: 1,
    }
}

pub fn event(actor: &str, action: &str) -> AuditEvent {
    AuditEvent {
        id: EventId::generate(NOW),
        at: NOW,
        actor_id: actor.to_string(),
        tenant_id: Some(tenant()),
        action: action.to_string(),
        target: None,
        ip: "203.0.113.7".into(),
        request_id: None,
        details: serde_json::json!({}),
    }
}

/// A signed-out page's whole document.
pub fn card(title: &str, body: Markup) -> String {
    Page::card(title, body).render().into_string()
}

/// Writes `html` to `$PAGE_SHOTS_DIR/tenant-team-<name>.html` when that is set.
pub fn shot(name: &str, html: &str) {
    let Some(dir) = std::env::var_os("PAGE_SHOTS_DIR") else { return };
    let path = std::path::Path::new(&dir).join(["tenant-team-", name, ".html"].concat());
    std::fs::write(&path, html).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
