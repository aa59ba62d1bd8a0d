//! Exit statuses and the error that carries one: what a command returns and what the review
//! screen refuses with, so that both end the program the same way.

use crate::config::ConfigError;

/// An error that carries its exit status: 1 failure, 2 usage or configuration, 3 refused.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub code: i32,
    pub message: String,
}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Exit {
        code: 2,
        message: message.into(),
    }
    .into()
}

pub fn refused(message: impl Into<String>) -> anyhow::Error {
    Exit {
        code: 3,
        message: message.into(),
    }
    .into()
}

pub fn failed(message: impl Into<String>) -> anyhow::Error {
    Exit {
        code: 1,
        message: message.into(),
    }
    .into()
}

/// The exit status for an error returned by a command.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if let Some(e) = err.downcast_ref::<Exit>() {
        return e.code;
    }
    if err.downcast_ref::<ConfigError>().is_some() {
        return 2;
    }
    1
}
