//! The `admin-users` Lambda: platform admins' user management and the audit trails.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::observability::init_logging();
    let app = web::AppState::from_aws_env().await?;
    lambda_http::run(admin_users::router(app)).await
}
