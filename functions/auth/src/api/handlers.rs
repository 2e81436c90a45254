//! Handlers: extract → use case → respond. Rules live in `crate::service`.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use web::auth::Caller;
use web::auth::cookies;
use domain::ids::SessionId;
use web::client::ClientMeta;
use web::error::ErrorBody;
use web::{ApiError, Json, List, ListParams, PageRequest, Path, Query};

use super::dto::*;
use crate::service::login::{LoginOutcome, SecondFactor};
use crate::service::{AuthError, SignedIn, account, login, mfa, sessions};
use crate::state::AuthState;

fn with_cookies(mut response: Response, cookies: Vec<http::HeaderValue>) -> Response {
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    // Responses that carry credentials are never cached.
    response.headers_mut().insert(header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    response
}

fn signed_in(user: &domain::user::User, signed: &SignedIn) -> Response {
    with_cookies(Json(UserBody { user: user.into() }).into_response(), signed.cookies())
}

/// Create an account and its organisation
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = SignupResponse), (status = 409, description = "`email_taken`", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "`rate_limited`: 20 sign-ups per IP per hour, with `Retry-After`", body = ErrorBody)))]
pub async fn signup(State(s): State<AuthState>, meta: ClientMeta, Json(body): Json<SignupRequest>) -> Result<Response, ApiError> {
    let cmd = account::Signup {
        email: body.email,
        password: body.password,
        name: body.name,
        organization: body.organization,
        referral_code: body.referral_code,
    };
    let (user, tenant) = account::signup(&s, cmd, &meta).await?;
    Ok((StatusCode::CREATED, Json(SignupResponse { user: (&user).into(), tenant })).into_response())
}

/// Verify an email address (signs the user in, or with 2FA on starts the second step)
#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", request_body = TokenRequest,
    responses((status = 200, description = "Verified and signed in (cookies set), or with 2FA on `{mfa_required, mfa_token}` and no cookies", body = UserBody),
        (status = 400, description = "`invalid_token`: used, expired, superseded (another link of the user was used) or for an address already verified", body = ErrorBody),
        (status = 403, description = "`account_disabled`, or `mfa_locked` (2FA on and locked: `Retry-After` says for how long)", body = ErrorBody)))]
pub async fn verify_email(State(s): State<AuthState>, meta: ClientMeta, Json(body): Json<TokenRequest>) -> Result<Response, ApiError> {
    match account::verify_email(&s, &body.token, &meta).await? {
        LoginOutcome::SignedIn(user, signed) => Ok(signed_in(&user, &signed)),
        LoginOutcome::MfaRequired { mfa_token } => Ok(Json(MfaRequired { mfa_required: true, mfa_token }).into_response()),
    }
}

/// Send the verification link again
#[utoipa::path(post, path = "/api/v1/auth/resend-verification", tag = "auth", request_body = EmailRequest,
    responses((status = 202, description = "Whether or not the address has an account, over its limit, or when the email could not be sent", body = Accepted),
        (status = 422, description = "`invalid_field`: not an email address", body = ErrorBody)))]
pub async fn resend_verification(State(s): State<AuthState>, Json(body): Json<EmailRequest>) -> Result<Response, ApiError> {
    account::resend_verification(&s, &body.email).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { status: "accepted" })).into_response())
}

/// Sign in with email and password
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "Signed in (cookies set), or `{mfa_required, mfa_token}`", body = UserBody),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 403, description = "`email_not_verified`, `account_disabled`, or `mfa_locked` (right password, but too many wrong second-factor codes: `Retry-After` says for how long)", body = ErrorBody),
        (status = 429, description = "`rate_limited` (failed logins per account or per IP), with `Retry-After`", body = ErrorBody)))]
pub async fn login(State(s): State<AuthState>, meta: ClientMeta, Json(body): Json<LoginRequest>) -> Result<Response, ApiError> {
    match login::login(&s, &body.email, body.password, &meta).await? {
        LoginOutcome::SignedIn(user, signed) => Ok(signed_in(&user, &signed)),
        LoginOutcome::MfaRequired { mfa_token } => Ok(Json(MfaRequired { mfa_required: true, mfa_token }).into_response()),
    }
}

/// Second step of sign-in: a TOTP code or a backup code
#[utoipa::path(post, path = "/api/v1/auth/login/mfa", tag = "auth", request_body = MfaLoginRequest,
    responses((status = 200, body = UserBody),
        (status = 401, description = "`invalid_code`, or `invalid_token` (a used, dead or expired `mfa_token`)", body = ErrorBody),
        (status = 403, description = "`mfa_locked`: too many wrong codes for this account; `Retry-After` says for how long", body = ErrorBody),
        (status = 422, description = "`invalid_field`: neither or both of `code` and `backup_code`", body = ErrorBody)))]
pub async fn login_mfa(State(s): State<AuthState>, meta: ClientMeta, Json(body): Json<MfaLoginRequest>) -> Result<Response, ApiError> {
    let factor = match (body.code, body.backup_code) {
        (Some(code), None) => SecondFactor::Code(code),
        (None, Some(code)) => SecondFactor::BackupCode(code),
        _ => return Err(ApiError::invalid_field("code", "Send either `code` or `backup_code`.")),
    };
    let (user, signed) = login::login_mfa(&s, &body.mfa_token, factor, &meta).await.map_err(|e| match e {
        // A challenge that does not work is a failed authentication (401), as the contract says.
        AuthError::InvalidToken => ApiError::unauthenticated("invalid_token", "This sign-in attempt has expired or was ended; sign in again."),
        other => other.into(),
    })?;
    Ok(signed_in(&user, &signed))
}

/// Rotate the refresh token and get a new access token
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body(content = Option<RefreshRequest>, description = "Optional: programs send `refresh_token`; browsers send the `dm_refresh` cookie"),
    responses((status = 200, body = Refreshed),
        (status = 401, description = "`invalid_token`, `refresh_token_reused` (the session is ended), or `session_expired` (30 days after sign-in)", body = ErrorBody),
        (status = 403, description = "`csrf_failed`", body = ErrorBody)))]
pub async fn refresh(State(s): State<AuthState>, meta: ClientMeta, headers: HeaderMap, body: axum::body::Bytes) -> Result<Response, ApiError> {
    // The body is optional here: browsers send nothing but the cookie.
    let request: RefreshRequest = if body.is_empty() { RefreshRequest::default() } else { web::json::parse_json(&body)? };
    // A refresh token that does not work is a failed authentication (401), not bad input.
    let refused = |e: AuthError| match e {
        AuthError::InvalidToken => ApiError::unauthenticated("invalid_token", "The refresh token is not valid; sign in again."),
        other => other.into(),
    };
    if let Some(token) = request.refresh_token {
        let signed = login::refresh(&s, &token, &meta).await.map_err(refused)?;
        let body = Refreshed { expires_in: web::auth::jwt::ACCESS_TTL_SECONDS, access_token: Some(signed.access), refresh_token: Some(signed.refresh) };
        return Ok(with_cookies(Json(body).into_response(), Vec::new()));
    }
    let token = cookies::read(&headers, cookies::REFRESH)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthenticated("authentication_required", "No refresh token."))?;
    // The refresh cookie authenticates this POST, so it needs the CSRF header too: the value
    // derived from the session the token names, never whatever a `dm_csrf` cookie says (a
    // planted cookie echoed in the header proves nothing). A token naming no session is
    // refused by the refresh itself (401).
    let csrf_header = headers.get(cookies::CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if let Some(session) = login::session_of_refresh(token) {
        let expected = cookies::csrf_value(&s.app.config.csrf_key, &session);
        if !domain::secrets::same(csrf_header, &expected) {
            return Err(ApiError::forbidden("csrf_failed", "Missing or wrong X-CSRF-Token header."));
        }
    }
    match login::refresh(&s, token, &meta).await {
        Ok(signed) => {
            let body = Refreshed { expires_in: web::auth::jwt::ACCESS_TTL_SECONDS, access_token: None, refresh_token: None };
            Ok(with_cookies(Json(body).into_response(), signed.cookies()))
        }
        Err(e) => Ok(with_cookies(refused(e).into_response(), cookies::sign_out())),
    }
}

/// End the current session
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("cookie" = []), ("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, description = "`csrf_failed`", body = ErrorBody)))]
pub async fn logout(State(s): State<AuthState>, caller: Caller, meta: ClientMeta) -> Result<Response, ApiError> {
    login::logout(&s, &caller.user_id, &caller.session_id, &meta).await?;
    Ok(with_cookies(StatusCode::NO_CONTENT.into_response(), cookies::sign_out()))
}

/// Ask for a password-reset link
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = EmailRequest,
    responses((status = 202, description = "Whether or not the address has an account, over its limit, or when the email could not be sent", body = Accepted),
        (status = 422, description = "`invalid_field`: not an email address", body = ErrorBody)))]
pub async fn forgot_password(State(s): State<AuthState>, meta: ClientMeta, Json(body): Json<EmailRequest>) -> Result<Response, ApiError> {
    account::forgot_password(&s, &body.email, &meta).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { status: "accepted" })).into_response())
}

/// Choose a new password with a reset token (ends every session)
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetRequest,
    responses((status = 200, body = PasswordReset),
        (status = 400, description = "`invalid_token`: used, expired, superseded (another reset link of the user was used), or the user is disabled", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reset_password(State(s): State<AuthState>, meta: ClientMeta, Json(body): Json<ResetRequest>) -> Result<Response, ApiError> {
    account::reset_password(&s, &body.token, body.password, &meta).await?;
    Ok(Json(PasswordReset { password_reset: true }).into_response())
}

/// The caller's profile
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody)))]
pub async fn get_me(State(s): State<AuthState>, caller: Caller) -> Result<Json<UserOut>, ApiError> {
    Ok(Json((&account::me(&s, &caller.user_id).await?).into()))
}

/// Change the caller's own profile (name only)
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = UpdateMeRequest, security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 400, description = "an unknown field such as `role`", body = ErrorBody)))]
pub async fn patch_me(State(s): State<AuthState>, caller: Caller, meta: ClientMeta, Json(body): Json<UpdateMeRequest>) -> Result<Json<UserOut>, ApiError> {
    Ok(Json((&account::update_me(&s, &caller.user_id, body.name, &meta).await?).into()))
}

/// The caller's sessions
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "me", params(ListParams), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = List<SessionOut>)))]
pub async fn list_sessions(State(s): State<AuthState>, caller: Caller, Query(params): Query<ListParams>) -> Result<Json<List<SessionOut>>, ApiError> {
    let scope = format!("sessions:{}", caller.user_id);
    let key = &s.app.config.cursor_key;
    let page = PageRequest::from_params(&params, key, &scope)?;
    let (list, next) = sessions::list(&s, &caller.user_id, page.limit, page.after).await?;
    let data = list.iter().map(|x| SessionOut::new(x, &caller.session_id)).collect();
    Ok(Json(List::from_page(data, next, key, &scope)))
}

/// End one of the caller's sessions
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "me", params(("id" = String, Path)), security(("cookie" = []), ("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_session(State(s): State<AuthState>, caller: Caller, meta: ClientMeta, Path(id): Path<SessionId>) -> Result<StatusCode, ApiError> {
    sessions::revoke(&s, &caller.user_id, &id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Start TOTP setup (needs the account's password)
#[utoipa::path(post, path = "/api/v1/me/mfa/totp", tag = "me", request_body = PasswordRequest, security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The new secret; sent with `Cache-Control: no-store`", body = TotpSetup),
        (status = 401, description = "`invalid_credentials`: a wrong password", body = ErrorBody),
        (status = 403, description = "`mfa_locked`: too many wrong passwords or codes for this account; `Retry-After` says for how long", body = ErrorBody),
        (status = 409, description = "`conflict`: 2FA is already on", body = ErrorBody)))]
pub async fn start_totp(State(s): State<AuthState>, caller: Caller, meta: ClientMeta, Json(body): Json<PasswordRequest>) -> Result<Response, ApiError> {
    let setup = mfa::start(&s, &caller.user_id, body.password, &meta).await?;
    // The answer carries the secret: never cached.
    Ok(with_cookies(Json(TotpSetup { secret: setup.secret, otpauth_uri: setup.otpauth_uri, qr_svg: setup.qr_svg }).into_response(), Vec::new()))
}

/// Confirm TOTP setup with the password and a code; 2FA is on and backup codes are shown once
#[utoipa::path(post, path = "/api/v1/me/mfa/totp/confirm", tag = "me", request_body = PasswordCodeRequest, security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = BackupCodes),
        (status = 401, description = "`invalid_credentials`: a wrong password or a wrong code (one answer for both)", body = ErrorBody),
        (status = 403, description = "`mfa_locked`: too many wrong passwords or codes for this account; `Retry-After` says for how long", body = ErrorBody),
        (status = 409, description = "`conflict`: 2FA is already on, or its setup was not started", body = ErrorBody)))]
pub async fn confirm_totp(State(s): State<AuthState>, caller: Caller, meta: ClientMeta, Json(body): Json<PasswordCodeRequest>) -> Result<Response, ApiError> {
    let codes = mfa::confirm(&s, &caller.user_id, body.password, &body.code, &meta).await?;
    Ok(with_cookies(Json(BackupCodes { backup_codes: codes }).into_response(), Vec::new()))
}

/// Turn 2FA off with the password and a code (or a backup code); the user is emailed
#[utoipa::path(delete, path = "/api/v1/me/mfa", tag = "me", request_body = PasswordCodeRequest, security(("cookie" = []), ("bearer" = [])),
    responses((status = 204),
        (status = 401, description = "`invalid_credentials`: a wrong password or a wrong code (one answer for both)", body = ErrorBody),
        (status = 403, description = "`mfa_locked`: too many wrong passwords or codes for this account; `Retry-After` says for how long", body = ErrorBody),
        (status = 409, description = "`conflict`: 2FA is not on", body = ErrorBody)))]
pub async fn disable_mfa(State(s): State<AuthState>, caller: Caller, meta: ClientMeta, Json(body): Json<PasswordCodeRequest>) -> Result<StatusCode, ApiError> {
    mfa::disable(&s, &caller.user_id, body.password, &body.code, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A fresh set of backup codes for the password and an authenticator code (the old set stops working); the user is emailed
#[utoipa::path(post, path = "/api/v1/me/mfa/backup-codes", tag = "me", request_body = PasswordCodeRequest, security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = BackupCodes),
        (status = 401, description = "`invalid_credentials`: a wrong password or a wrong code (one answer for both; a backup code is a wrong code here)", body = ErrorBody),
        (status = 403, description = "`mfa_locked`: too many wrong passwords or codes for this account; `Retry-After` says for how long", body = ErrorBody),
        (status = 409, description = "`conflict`: 2FA is not on", body = ErrorBody)))]
pub async fn regenerate_backup_codes(State(s): State<AuthState>, caller: Caller, meta: ClientMeta, Json(body): Json<PasswordCodeRequest>) -> Result<Response, ApiError> {
    let codes = mfa::regenerate(&s, &caller.user_id, body.password, &body.code, &meta).await?;
    Ok(with_cookies(Json(BackupCodes { backup_codes: codes }).into_response(), Vec::new()))
}
