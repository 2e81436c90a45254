//! Seeds the first platform admin, verified, when the store has none yet.
use web::AppState;
use domain::email::Email;
use domain::ids::UserId;
use domain::password;
use domain::user::{Role, User, UserStatus};
use store::ports::item_store::{Cond, Item, StoreError, Write};
use store::repo::{keys, users};

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("DOTMAC_ADMIN_EMAIL: {0}")]
    Email(#[from] domain::email::InvalidEmail),
    #[error("DOTMAC_ADMIN_PASSWORD {0}")]
    Password(#[from] password::PasswordError),
    #[error("seeding the admin: {0}")]
    Repo(#[from] users::UserRepoError),
    #[error("seeding the admin: {0}")]
    Store(#[from] StoreError),
}

/// What `seed_admin` did, for the start-up banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    /// Created now; the password is shown when it was generated.
    Created { email: String, generated_password: Option<String> },
    AlreadyThere { email: String },
}

fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

pub async fn seed_admin(state: &AppState, email: &str, password: Option<&str>) -> Result<Seeded, SeedError> {
    let email = Email::parse(email)?;
    if let Some(marker) = state.store.get(&keys::platform_seed()).await? {
        let email = marker.get_str("email").unwrap_or_default().to_string();
        return Ok(Seeded::AlreadyThere { email });
    }
    let generated = password.is_none().then(generate_password);
    let chosen = password.map(str::to_string).or_else(|| generated.clone()).unwrap_or_default();
    let hash = tokio::task::spawn_blocking(move || password::hash(&chosen, password::MIN_LENGTH))
        .await
        .map_err(|e| password::PasswordError::Hash(e.to_string()))??;
    let now = state.clock.now();
    let admin = User {
        id: UserId::generate(now),
        email: email.clone(),
        name: "Platform admin".into(),
        role: Role::PlatformAdmin,
        tenant_id: None,
        status: UserStatus::Active,
        email_verified: true,
        password_hash: Some(hash),
        created_at: now,
        version: 1,
        mfa: Default::default(),
    };
    let marker = Item::new(keys::platform_seed()).with("email", email.as_str()).with("user_id", admin.id.as_str());
    match users::create(state.store.as_ref(), &admin, vec![Write::put(marker).when(Cond::Absent)]).await {
        // Another process seeded first between our read and our write.
        Err(users::UserRepoError::Store(StoreError::ConditionFailed { index: Some(2) })) => {
            Ok(Seeded::AlreadyThere { email: email.to_string() })
        }
        Err(e) => Err(e.into()),
        Ok(()) => Ok(Seeded::Created { email: email.to_string(), generated_password: generated }),
    }
}
