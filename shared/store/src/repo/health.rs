//! The health check's one read (`HEALTH` / `PROBE`, never written).
use crate::ports::item_store::{ItemStore, StoreError};
use crate::repo::keys;

/// One GetItem: it answers only if configuration, credentials and the network all work, and
/// the item's absence is the expected answer.
pub async fn probe(store: &dyn ItemStore) -> Result<(), StoreError> {
    store.get(&keys::health_probe()).await?;
    Ok(())
}
