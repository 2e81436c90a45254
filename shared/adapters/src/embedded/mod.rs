//! The one-machine adapters: a SQLite file for the item store, and the queue, outbox and
//! clock built on it. Same semantics as AWS; not meant to serve more than one machine.
pub mod clock;
pub mod outbox;
pub mod queue;
pub mod store;

pub use clock::EmbeddedClock;
pub use outbox::Outbox;
pub use queue::EmbeddedQueue;
pub use store::EmbeddedStore;
