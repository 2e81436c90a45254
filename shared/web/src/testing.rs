//! Test doubles for the HTTP layer: an `AppState` on embedded adapters in memory. Compiled
//! for tests and with the `testing` feature only.
use std::sync::Arc;

use adapters::embedded::{EmbeddedQueue, EmbeddedStore, Outbox};
use store::testing::clock;
use store::ports::clock::Clock;
use crate::{AppState, Config};

/// An `AppState` on embedded adapters in memory, with a clock the test moves by hand.
pub fn state() -> (AppState, Arc<clock::ManualClock>) {
    let manual = Arc::new(clock::ManualClock::starting_now());
    let clock: Arc<dyn Clock> = manual.clone();
    let store = match EmbeddedStore::in_memory(clock.clone()) {
        Ok(store) => Arc::new(store),
        Err(e) => panic!("an in-memory store always opens: {e}"),
    };
    let state = AppState {
        queue: Arc::new(EmbeddedQueue::new(store.clone(), clock.clone())),
        mailer: Arc::new(Outbox::new(store.clone(), clock.clone())),
        tokens: crate::auth::jwt::TokenVerifier::new(store.clone()),
        store,
        clock,
        config: Arc::new(Config { public_url: "http://127.0.0.1:8080".into(), cursor_key: vec![7; 32], csrf_key: vec![9; 32] }),
    };
    (state, manual)
}
