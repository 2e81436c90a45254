//! The clock port. Every rule that reads time reads it from here, so the local server can
//! move the platform forward (`POST /dev/clock`) and tests can pin it.
use domain::time::Timestamp;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The machine's clock, as used in AWS.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_system(std::time::SystemTime::now())
    }
}
