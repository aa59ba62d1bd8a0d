//! What a key means (`Action`) and what the loop must do for the app (`Effect`).

use crossterm::event::KeyEvent;

use crate::domain::decision::Kind;

/// What a key means; the keymap turns key presses into these.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextTab,
    PrevTab,
    Sign,
    PushBack,
    Answer(Kind),
    Undo,
    Help,
    Search,
    NextUnreviewed,
    SavedView(usize),
    Quit,
    ForceQuit,
    Confirm,
    Cancel,
    FocusNext,
    FocusPrev,
    Toggle,
    Save,
    /// Empty the text field in focus.
    ClearField,
    /// A key for a text field.
    Input(KeyEvent),
    /// A key that means nothing where it was pressed (its label, for the message).
    Unbound(String),
    /// A mouse click on a queue line (index into the visible rows).
    Click(usize),
    ScrollDetail(i16),
    DrawSample,
    /// List the customer's other complaints in the search view.
    Others,
    /// Write the signed item's letter to a file.
    Letter,
}

/// What the loop must do for the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    LoadDetail(i64),
    Sign {
        complaint_id: i64,
    },
    PushBack {
        complaint_id: i64,
        reasons: Vec<String>,
        note: String,
        due_days: u32,
    },
    Answer {
        complaint_id: i64,
        kind: Kind,
        body: String,
    },
    Retract {
        decision_id: i64,
    },
    Search(String),
    /// The customer's complaints other than this one, as search hits.
    Others {
        customer_key: String,
        complaint_id: i64,
    },
    LoadDashboard,
    DrawSample {
        confidence: f64,
        tolerable: f64,
    },
    /// Count the population a draw would start from, for the plan editor's preview.
    CountPopulation,
    /// Write the signed complaint's letter to a file.
    Letter {
        complaint_id: i64,
    },
    /// Put the executive's letter to the customer in the outbox.
    ReachOut {
        complaint_id: i64,
        text: String,
    },
    Quit,
}
