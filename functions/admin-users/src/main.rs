//! The `admin-users` Lambda: platform admins' user management and the audit trails.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::observability::init_logging();
    let app = shared::AppState::from_aws_env().await?;
    lambda_http::run(admin_users::router(app)).await
}
