//! The Lambda edge: helpers for SQS and EventBridge workers.
pub mod sqs;
