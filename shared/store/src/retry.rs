//! Starting a change over when it lost an optimistic-concurrency race.
//!
//! A change reads what it depends on, decides, and writes with conditions on what it read (a
//! `version`, an absent item). When another writer got there first, a condition fails and the
//! change is worth trying again from fresh reads, a few times at most: under real contention
//! it answers a conflict rather than spin. Only the caller knows which of its failures mean
//! "someone else won" (a failed condition on a version-guarded write) and which mean "no" (a
//! stale `If-Match`, a taken email address), so the attempt's error says so through
//! [`LostRace`].
use crate::ports::item_store::StoreError;

/// A failure that may mean a concurrent writer won the race the attempt relied on.
pub trait LostRace {
    /// Whether starting again from fresh reads may succeed.
    fn lost_race(&self) -> bool;
}

/// Any failed condition or transaction conflict: for a caller whose every condition guards
/// against a concurrent writer. A caller with conditions that mean "no" (a uniqueness claim,
/// a precondition the client named) classifies with [`lost_race_on`] instead.
impl LostRace for StoreError {
    fn lost_race(&self) -> bool {
        matches!(self, StoreError::ConditionFailed { .. } | StoreError::TransactionConflict)
    }
}

/// Whether `e`, the failure of a transaction, lost the race on one of the `guarded` writes
/// (their positions in the transaction), or collided with a concurrent transaction.
pub fn lost_race_on(e: &StoreError, guarded: &[usize]) -> bool {
    match e {
        StoreError::ConditionFailed { index: Some(i) } => guarded.contains(i),
        StoreError::TransactionConflict => true,
        _ => false,
    }
}

/// Runs `attempt` until it succeeds, fails with an error that is not a lost race, or has run
/// `max_attempts` times (at least once); answers its last result. Each attempt must read
/// afresh what it depends on: running it again is the whole point.
///
/// `attempt` is a closure that makes a future (`|| async move { … }`, capturing references)
/// rather than an async closure: the futures of async closures cannot yet be proven `Send`,
/// which every request handler needs.
pub async fn on_conflict<T, E, F, Fut>(max_attempts: usize, mut attempt: F) -> Result<T, E>
where
    E: LostRace,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut tried = 1;
    loop {
        match attempt().await {
            Err(e) if e.lost_race() && tried < max_attempts => tried += 1,
            done => return done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Failure {
        Raced,
        Refused,
    }

    impl LostRace for Failure {
        fn lost_race(&self) -> bool {
            *self == Failure::Raced
        }
    }

    #[tokio::test]
    async fn a_lost_race_is_tried_again_up_to_the_limit_and_answers_the_last_failure() {
        let mut runs = 0;
        let r: Result<(), Failure> = on_conflict(3, || {
            runs += 1;
            async { Err(Failure::Raced) }
        })
        .await;
        assert_eq!((r, runs), (Err(Failure::Raced), 3));
    }

    #[tokio::test]
    async fn any_other_failure_and_success_end_at_once() {
        let mut runs = 0;
        let r: Result<(), Failure> = on_conflict(3, || {
            runs += 1;
            async { Err(Failure::Refused) }
        })
        .await;
        assert_eq!((r, runs), (Err(Failure::Refused), 1));
        let mut runs = 0;
        let r: Result<usize, Failure> = on_conflict(3, || {
            runs += 1;
            let r = if runs < 2 { Err(Failure::Raced) } else { Ok(runs) };
            async move { r }
        })
        .await;
        assert_eq!(r, Ok(2));
    }

    #[tokio::test]
    async fn no_attempt_count_means_one_attempt() {
        let mut runs = 0;
        let _: Result<(), Failure> = on_conflict(0, || {
            runs += 1;
            async { Err(Failure::Raced) }
        })
        .await;
        assert_eq!(runs, 1);
    }

    #[test]
    fn a_race_is_a_failed_condition_on_a_guarded_write_or_a_conflict() {
        assert!(lost_race_on(&StoreError::ConditionFailed { index: Some(1) }, &[0, 1]));
        assert!(!lost_race_on(&StoreError::ConditionFailed { index: Some(2) }, &[0, 1]));
        assert!(!lost_race_on(&StoreError::ConditionFailed { index: None }, &[0, 1]));
        assert!(lost_race_on(&StoreError::TransactionConflict, &[]));
        assert!(!lost_race_on(&StoreError::Unavailable("down".into()), &[0]));
        assert!(StoreError::ConditionFailed { index: None }.lost_race() && StoreError::TransactionConflict.lost_race());
        assert!(!StoreError::Corrupt("x".into()).lost_race());
    }
}
