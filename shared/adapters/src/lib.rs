//! Adapters: the ports' (`store::ports`) implementations. `embedded` runs the platform on one machine; the
//! others talk to AWS. Item mapping lives inside each adapter, nowhere else.
pub mod dynamodb;
#[cfg(any(test, feature = "embedded"))]
pub mod embedded;
pub mod ses;
pub mod sqs;
