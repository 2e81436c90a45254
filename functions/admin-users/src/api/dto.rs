//! Request and response bodies, and the query parameters of the lists. Requests refuse
//! unknown fields, so a `tenant_id` or `status` slipped into a `PATCH` is an error, never an
//! update.
use serde::{Deserialize, Serialize};
use domain::ids::{InvitationId, TenantId};
use domain::invitation::{Invitation, InvitationStatus};
use domain::time::Timestamp;
use domain::user::{Role, UserStatus};
use utoipa::{IntoParams, ToSchema};

/// `POST /api/v1/admin/users`: invite someone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    pub email: String,
    /// The name the account is created with.
    pub name: String,
    #[schema(value_type = Role)]
    pub role: String,
    /// Required for `tenant_admin` and `tenant_member` (an existing tenant); absent for
    /// `platform_admin` and `partner`.
    #[serde(default)]
    #[schema(value_type = Option<TenantId>)]
    pub tenant_id: Option<String>,
}

/// `PATCH /api/v1/admin/users/{id}`: every field optional. A role change ends every session
/// of the user at once.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    /// The `version` the change is based on (as `If-Match` does): 412 when it is no longer
    /// current.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A user as the API shows it everywhere (`/me` and the admin routes): one representation.
pub use web::dto::UserOut;

/// An invitation (never its token: that is only in the email).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: InvitationId,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub tenant_id: Option<TenantId>,
    pub status: InvitationStatus,
    /// The user who invited.
    pub invited_by: String,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
}

impl InvitationOut {
    pub fn new(i: &Invitation, now: Timestamp) -> Self {
        InvitationOut {
            id: i.id.clone(),
            email: i.email.to_string(),
            name: i.name.clone(),
            role: i.role,
            tenant_id: i.tenant_id.clone(),
            status: i.status_at(now),
            invited_by: i.invited_by.clone(),
            expires_at: i.expires_at,
            created_at: i.created_at,
        }
    }
}

/// One audit event, as the API shows it: the stored event itself.
pub use store::audit::AuditEvent as AuditEventOut;

/// Filters of `GET /api/v1/admin/users`, all optional, combined with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Part of the name or email, in any letter case.
    pub q: Option<String>,
    #[param(value_type = Option<Role>)]
    pub role: Option<String>,
    #[param(value_type = Option<TenantId>)]
    pub tenant_id: Option<String>,
    #[param(value_type = Option<UserStatus>)]
    pub status: Option<String>,
    /// How many users to return, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Filters of `GET /api/v1/admin/audit-events`, all optional, combined with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditListParams {
    /// A user id, `system` or `anonymous`.
    pub actor_id: Option<String>,
    #[param(value_type = Option<TenantId>)]
    pub tenant_id: Option<String>,
    /// An action name such as `user.disabled`.
    pub action: Option<String>,
    /// Events at or after this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<String>,
    /// Events at or before this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<String>,
    /// How many events to return, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Filters of `GET /api/v1/tenant/audit-events`: the caller's own tenant only.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantAuditListParams {
    /// A user id, `system` or `anonymous`.
    pub actor_id: Option<String>,
    /// An action name such as `user.disabled`.
    pub action: Option<String>,
    /// Events at or after this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<String>,
    /// Events at or before this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<String>,
    /// How many events to return, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
