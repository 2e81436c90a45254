//! Ports: what the domain needs from the outside world, as traits. Adapters live in
//! the `adapters` crate; the domain never sees an AWS type.
pub mod clock;
pub mod item_store;
pub mod mailer;
pub mod queue;
