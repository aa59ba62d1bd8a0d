//! People as the workflow sees them: a role, and for a division head the divisions they answer
//! for.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Executive,
    DivisionHead,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Executive => "executive",
            Role::DivisionHead => "division_head",
            Role::Admin => "admin",
        }
    }
}

/// The person behind a decision: who they are, as the record names them, and what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub login: String,
    pub name: String,
    pub title: String,
    pub role: Role,
    pub divisions: Vec<String>,
}
