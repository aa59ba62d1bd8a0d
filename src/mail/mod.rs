//! What leaves signoff by e-mail: signed letters to customers, the executive's own letters and
//! notifications to people, built as complete MIME messages and delivered from the outbox over
//! SMTP so that none goes twice (`deliver`).

pub mod compose;
pub mod deliver;
pub mod outreach;
pub mod smtp;
