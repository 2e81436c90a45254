//! What the storage tests run on: the embedded store in memory and a clock moved by hand.
use std::sync::Arc;

use adapters::embedded::EmbeddedStore;
use store::ports::clock::Clock;
use store::ports::item_store::ItemStore;
use store::testing::clock::ManualClock;

/// The ports a repository test needs.
pub struct Ports {
    pub store: Arc<dyn ItemStore>,
}

/// A fresh in-memory store and the clock it reads TTLs against.
pub fn ports() -> (Ports, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::starting_now());
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    match EmbeddedStore::in_memory(dyn_clock) {
        Ok(store) => (Ports { store: Arc::new(store) }, clock),
        Err(e) => panic!("an in-memory store always opens: {e}"),
    }
}
