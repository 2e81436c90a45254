//! Access tokens: EdDSA (Ed25519) JWTs, 15 minutes, naming user, tenant, role and session.
//!
//! Only the auth function holds the private key (`TokenSigner`). It publishes the public
//! key in the table under its key id on first use (the local server at start); every function
//! verifies with `TokenVerifier`, which trusts one key id only, the one the deployment
//! configures (`DOTMAC_TOKEN_KEY_ID`), and loads that key from the table on first sight. A key
//! id is a hash of its public key, and a loaded key must hash to it, so an item written under
//! `JWTKEY` by anyone else is never trusted. The algorithm is pinned, `typ` must be
//! `at+jwt` (RFC 9068), and `iss`, `aud`, `exp`, `nbf` are checked against the platform clock
//! (not the machine's), so `POST /dev/clock` expires tokens as real time would.
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use domain::ids::{SessionId, TenantId, UserId};
use domain::time::Timestamp;
use domain::user::Role;
use store::ports::item_store::{Cond, Item, ItemStore, Key, StoreError};

pub const ISSUER: &str = "dotmac";
pub const AUDIENCE: &str = "dotmac-api";
pub const TYP: &str = "at+jwt";
pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: UserId,
    pub tid: Option<TenantId>,
    pub role: Role,
    pub sid: SessionId,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

impl AccessClaims {
    pub fn new(user: UserId, tenant: Option<TenantId>, role: Role, session: SessionId, now: Timestamp) -> Self {
        AccessClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user,
            tid: tenant,
            role,
            sid: session,
            iat: now.unix(),
            nbf: now.unix(),
            exp: now.unix() + ACCESS_TTL_SECONDS,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed or its signature does not verify")]
    Invalid,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the signing key is unusable: {0}")]
    Key(String),
    #[error("the key store failed: {0}")]
    Store(String),
}

fn key_item(kid: &str) -> Key {
    Key::new("JWTKEY", format!("KID#{kid}"))
}

/// The key id of a public key: the first 16 base64url characters of its SHA-256.
pub fn kid_of(public: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    URL_SAFE_NO_PAD.encode(Sha256::digest(public))[..16].to_string()
}

/// The private half, for the auth function only.
pub struct TokenSigner {
    key: EncodingKey,
    kid: String,
    public: Vec<u8>,
}

impl TokenSigner {
    /// The key pair derived from a 32-byte seed (itself derived from the deployment's
    /// auth secret), so every auth instance signs with the same key without storing it.
    pub fn from_seed(seed: &[u8]) -> Result<Self, TokenError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|e| TokenError::Key(e.to_string()))?;
        let pkcs8 = pair.to_pkcs8().map_err(|e| TokenError::Key(e.to_string()))?;
        let public = pair.public_key().as_ref().to_vec();
        Ok(TokenSigner { key: EncodingKey::from_ed_der(pkcs8.as_ref()), kid: kid_of(&public), public })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Makes the public key findable by every function (idempotent).
    pub async fn publish(&self, store: &dyn ItemStore) -> Result<(), TokenError> {
        let item = Item::new(key_item(&self.kid)).with("public_key", URL_SAFE_NO_PAD.encode(&self.public));
        match store.put(item, Some(Cond::Absent)).await {
            Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(TokenError::Store(e.to_string())),
        }
    }

    pub fn sign(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TYP.into());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| TokenError::Key(e.to_string()))
    }
}

/// Whether `kid` has the shape of a key id: 16 base64url characters.
pub fn is_key_id(kid: &str) -> bool {
    kid.len() == 16 && kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Verifies access tokens with the deployment's public key.
#[derive(Clone)]
pub struct TokenVerifier {
    store: Arc<dyn ItemStore>,
    /// The one key id this deployment trusts. `None` only in test doubles (`new`), which
    /// trust whatever key is published, as the tests' many signers need.
    trusted: Option<Arc<str>>,
    keys: Arc<RwLock<HashMap<String, DecodingKey>>>,
}

impl TokenVerifier {
    /// A verifier that trusts the key `kid` names and no other, whatever else is published
    /// under `JWTKEY`. `kid` comes from the deployment (`DOTMAC_TOKEN_KEY_ID`), never from
    /// the table.
    pub fn pinned(store: Arc<dyn ItemStore>, kid: &str) -> Result<Self, TokenError> {
        if !is_key_id(kid) {
            return Err(TokenError::Key(format!("`{kid}` is not a key id (16 base64url characters)")));
        }
        Ok(TokenVerifier { store, trusted: Some(kid.into()), keys: Arc::new(RwLock::new(HashMap::new())) })
    }

    /// Tests only: a verifier that trusts any key published in the table. Never compiled
    /// into a function (the `testing` feature is a dev-dependency only).
    #[cfg(any(test, feature = "testing"))]
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        TokenVerifier { store, trusted: None, keys: Arc::new(RwLock::new(HashMap::new())) }
    }

    /// The one key id this verifier trusts (`None` only in test doubles).
    pub fn trusted_kid(&self) -> Option<&str> {
        self.trusted.as_deref()
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, TokenError> {
        // Another key id is refused before the cache or the store are consulted: an item
        // under `JWTKEY` for it proves nothing.
        if self.trusted.as_deref().is_some_and(|trusted| trusted != kid) {
            return Err(TokenError::Invalid);
        }
        if let Some(key) = self.keys.read().map_err(|_| TokenError::Invalid)?.get(kid) {
            return Ok(key.clone());
        }
        // Key ids are 16 base64url characters; anything else is not ours and never hits the store.
        if !is_key_id(kid) {
            return Err(TokenError::Invalid);
        }
        let item = self.store.get(&key_item(kid)).await.map_err(|e| TokenError::Store(e.to_string()))?;
        let public = item
            .and_then(|i| i.get_str("public_key").map(String::from))
            .and_then(|b| URL_SAFE_NO_PAD.decode(b).ok())
            .ok_or(TokenError::Invalid)?;
        // The kid is the hash of the key: an item whose key does not hash to its kid was not
        // written by our signer, and is not trusted.
        if kid_of(&public) != kid {
            tracing::error!(kid, "the published key does not match its key id; refusing it");
            return Err(TokenError::Invalid);
        }
        let key = DecodingKey::from_ed_der(&public);
        if let Ok(mut keys) = self.keys.write() {
            keys.insert(kid.to_string(), key.clone());
        }
        Ok(key)
    }

    pub async fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some(TYP) {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::Invalid)?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        // Time is checked below against the platform clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        if now.unix() >= claims.exp {
            return Err(TokenError::Expired);
        }
        if now.unix() < claims.nbf {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use adapters::embedded::EmbeddedStore;
    use store::testing::clock::ManualClock;

    async fn setup() -> (TokenSigner, TokenVerifier, Timestamp) {
        let clock = Arc::new(ManualClock::starting_now());
        let now = store::ports::clock::Clock::now(clock.as_ref());
        let store: Arc<dyn ItemStore> = Arc::new(EmbeddedStore::in_memory(clock).unwrap());
        let signer = TokenSigner::from_seed(&[7u8; 32]).unwrap();
        signer.publish(store.as_ref()).await.unwrap();
        let verifier = TokenVerifier::pinned(store, signer.kid()).unwrap();
        (signer, verifier, now)
    }

    fn claims(now: Timestamp) -> AccessClaims {
        AccessClaims::new(UserId::generate(now), None, Role::PlatformAdmin, SessionId::generate(now), now)
    }

    #[tokio::test]
    async fn a_signed_token_verifies_until_it_expires() {
        let (signer, verifier, now) = setup().await;
        let c = claims(now);
        let token = signer.sign(&c).unwrap();
        assert_eq!(verifier.verify(&token, now).await, Ok(c));
        assert_eq!(verifier.verify(&token, now.plus_seconds(ACCESS_TTL_SECONDS)).await, Err(TokenError::Expired));
        assert_eq!(verifier.verify(&token, now.plus_seconds(-1)).await, Err(TokenError::NotYetValid));
    }

    #[tokio::test]
    async fn a_token_signed_by_another_key_is_refused() {
        let (_, verifier, now) = setup().await;
        let other = TokenSigner::from_seed(&[8u8; 32]).unwrap();
        assert_eq!(verifier.verify(&other.sign(&claims(now)).unwrap(), now).await, Err(TokenError::Invalid));
    }

    #[tokio::test]
    async fn a_key_published_under_another_kid_is_not_trusted() {
        let (signer, verifier, now) = setup().await;
        let other = TokenSigner::from_seed(&[8u8; 32]).unwrap();
        other.publish(verifier.store.as_ref()).await.unwrap();
        assert_eq!(verifier.verify(&other.sign(&claims(now)).unwrap(), now).await, Err(TokenError::Invalid));
        assert!(verifier.verify(&signer.sign(&claims(now)).unwrap(), now).await.is_ok());
    }

    #[tokio::test]
    async fn an_item_whose_key_does_not_hash_to_its_kid_is_not_trusted() {
        let clock = Arc::new(ManualClock::starting_now());
        let now = store::ports::clock::Clock::now(clock.as_ref());
        let store: Arc<dyn ItemStore> = Arc::new(EmbeddedStore::in_memory(clock).unwrap());
        let signer = TokenSigner::from_seed(&[7u8; 32]).unwrap();
        let other = TokenSigner::from_seed(&[8u8; 32]).unwrap();
        // Someone with write access to the table puts their key under the trusted kid.
        let item = Item::new(key_item(signer.kid())).with("public_key", URL_SAFE_NO_PAD.encode(&other.public));
        store.put(item, None).await.unwrap();
        let verifier = TokenVerifier::pinned(store, signer.kid()).unwrap();
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TYP.into());
        header.kid = Some(signer.kid().into());
        let spliced = jsonwebtoken::encode(&header, &claims(now), &other.key).unwrap();
        assert_eq!(verifier.verify(&spliced, now).await, Err(TokenError::Invalid));
    }

    #[test]
    fn a_pinned_verifier_needs_a_key_id() {
        let clock = Arc::new(ManualClock::starting_now());
        let store: Arc<dyn ItemStore> = Arc::new(EmbeddedStore::in_memory(clock).unwrap());
        assert!(TokenVerifier::pinned(store.clone(), "").is_err());
        assert!(TokenVerifier::pinned(store, "not a kid").is_err());
    }

    #[tokio::test]
    async fn alg_none_and_tampered_claims_are_refused() {
        let (signer, verifier, now) = setup().await;
        let token = signer.sign(&claims(now)).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt","kid":"x"}"#);
        assert_eq!(verifier.verify(&format!("{none_header}.{}.", parts[1]), now).await, Err(TokenError::Invalid));
        let mut forged: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        forged["role"] = "platform_admin".into();
        forged["exp"] = (now.unix() + 999_999).into();
        let forged = URL_SAFE_NO_PAD.encode(forged.to_string());
        assert_eq!(verifier.verify(&format!("{}.{forged}.{}", parts[0], parts[2]), now).await, Err(TokenError::Invalid));
        assert_eq!(verifier.verify("not.a.jwt", now).await, Err(TokenError::Invalid));
    }
}
