//! The review screen. `runner` owns the terminal and the loop, `keymap` turns keys into
//! actions, `app` is the state and its update, `effects` performs what an update asks of the
//! store, `data` and `rows` read what the screen shows, `view` draws it.

pub mod app;
pub mod bindings;
pub mod data;
pub mod effects;
pub mod figures;
pub mod flag_list;
pub mod keymap;
pub mod runner;
pub mod session;
pub mod strings;
mod tables;
pub mod theme;
pub mod view;

pub use effects::{perform_all, retry_waiting, SEARCH_PAGE};
pub use runner::{run, ATTEMPT};
pub use session::{prepare, saved_views, Open, Session};
