//! The AWS adapters (`DynamoDbStore`, `SqsQueue`, `SesMailer`) against the moto emulator.
//!
//! They need a running `moto_server` named by `DOTMAC_TEST_AWS_ENDPOINT`; `infra/test` starts
//! one. Without it every test fails (never passes silently): an adapter that was never run
//! against the AWS API is not tested.
mod dynamodb;
mod emulator;
mod ses;
mod sqs;
