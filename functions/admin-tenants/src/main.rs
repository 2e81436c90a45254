//! The `admin-tenants` Lambda: the platform admin's tenant lifecycle routes.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::observability::init_logging();
    let state = web::AppState::from_aws_env().await?;
    lambda_http::run(admin_tenants::router(state)).await
}
