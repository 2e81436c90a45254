//! Contract suites every adapter of a port must pass, and test doubles. Compiled for tests
//! and with the `testing` feature only.
pub mod clock;
pub mod item_store;
pub mod queue;
