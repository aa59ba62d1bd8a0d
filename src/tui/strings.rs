//! What the review screen says, in one place: the words of its keys, dialogs, forms and
//! messages. Figures and names are filled in by the small functions below.

use crate::domain::decision::Kind;

// --- the keys: a footer word and the help line of each binding ---

pub const MOVE_DOWN: (&str, &str) = ("down", "next line");
pub const MOVE_UP: (&str, &str) = ("up", "previous line");
pub const TOP: (&str, &str) = ("top", "first line");
pub const BOTTOM: (&str, &str) = ("end", "last line");
pub const PAGE_DOWN: (&str, &str) = ("page down", "scroll the detail a page down");
pub const PAGE_UP: (&str, &str) = ("page up", "scroll the detail a page up");
pub const SWITCH_TAB: (&str, &str) = ("view", "switch view (queue, search, dashboard)");
pub const SEARCH: (&str, &str) = ("search", "search complaint and response text");
pub const JUMP: (&str, &str) = ("open in queue", "on a search hit: jump to it in the queue");
pub const OTHERS: (&str, &str) = ("others", "this customer's other complaints");
pub const VIEWS: (&str, &str) = ("views", "saved views (named at the top right); 0 shows all");
pub const SIGN: (&str, &str) = ("sign", "sign: I approve this message");
pub const PUSH_BACK: (&str, &str) = ("push back", "push back to the division");
pub const NEXT_UNREVIEWED: (&str, &str) = ("next", "next unreviewed item");
pub const NEXT_TO_ANSWER: (&str, &str) = ("next", "next push-back to answer");
pub const UNDO: (&str, &str) = ("undo", "undo your last decision (a retraction)");
pub const DRAW: (&str, &str) = ("draw", "draw a sample");
pub const REVISE: (&str, &str) = ("revise", "answer with a revised response");
pub const CORRECTIVE: (&str, &str) = ("corrective", "answer with a corrective action");
pub const DISPUTE: (&str, &str) = ("dispute", "dispute the push-back");
pub const LETTER: (&str, &str) = ("letter", "write a signed item's letter to a file");
pub const REACH_OUT: (&str, &str) = ("write", "write to the customer yourself (via the outbox)");
pub const HELP: (&str, &str) = ("help", "this help");
pub const QUIT: (&str, &str) = ("quit", "quit");
pub const FORCE_QUIT: (&str, &str) = ("quit now", "quit at once");
pub const GIVE_UP_WAIT: (&str, &str) = ("cancel save", "stop waiting to save (nothing is saved)");

pub const SCROLL: (&str, &str) = ("scroll", "scroll");
pub const CLOSE: (&str, &str) = ("close", "close");
pub const CANCEL: (&str, &str) = ("cancel", "cancel");
pub const CANCEL_OTHER: (&str, &str) = ("cancel", "any other key cancels");
pub const CONFIRM_SIGN: (&str, &str) = ("sign", "sign");
pub const CONFIRM_QUIT: (&str, &str) = ("quit", "quit");
pub const CONFIRM_DRAW: (&str, &str) = ("draw anew", "draw a new sample");
pub const RUN_SEARCH: (&str, &str) = ("search", "search");
pub const CLEAR: (&str, &str) = ("clear", "clear the field");
pub const NEXT_FIELD: (&str, &str) = ("next field", "next field");
pub const DRAW_NOW: (&str, &str) = ("draw", "draw the sample");
pub const SAVE: (&str, &str) = ("save", "save");
pub const TO_OUTBOX: (&str, &str) = ("to outbox", "put the letter in the outbox");
pub const TOGGLE: (&str, &str) = ("toggle", "tick or untick the reason");

// --- help ---

pub const HELP_TITLE: &str = " Keys ";
pub const HELP_MORE: &str = "↓ more";

// --- what the list says when it is empty ---

pub const NO_SAMPLE_DIVISION: &str = "Nothing of your divisions has been sampled yet.";
pub const NOTHING_HERE: &str = "Nothing here.";

pub fn no_sample(draw_key: &str) -> String {
    format!("No sample yet. Press {draw_key} to draw one.")
}

// --- a division head's groups ---

pub const GROUP_OVERDUE: &str = "Pushed back — overdue";
pub const GROUP_OPEN: &str = "Pushed back — open";
pub const GROUP_CHANGED: &str = "Signed, text changed since";
pub const GROUP_ANSWERED: &str = "Answered — awaiting re-review";
pub const GROUP_PENDING: &str = "Awaiting review";
pub const GROUP_SIGNED: &str = "Signed";

// --- dialogs ---

pub const SIGN_TITLE: &str = " Sign ";
pub const SIGN_KEYS: &str = "y / Enter: sign    any other key: cancel";
pub const SIGN_KEYS_SHORT: &str = "y / Enter: sign";
pub const QUIT_TITLE: &str = " Quit ";
pub const QUIT_WAITING: &str = "A decision is still waiting to be saved. Quit without it?";
pub const QUIT_UNSAVED: &str = "A form holds unsaved text. Quit anyway?";
pub const QUIT_KEYS: &str = "y / Enter: quit    any other key: stay";
pub const QUIT_KEYS_SHORT: &str = "y / Enter: quit";
pub const DRAW_TITLE: &str = " Draw a new sample? ";
pub const DRAW_KEYS: &str = "y / Enter: draw a new one    any other key: keep it";
pub const DRAW_KEYS_SHORT: &str = "y / Enter: draw";
pub const SEARCH_TITLE: &str = " Search (Enter) ";
pub const PLAN_TITLE: &str = " Draw a sample ";
pub const PLAN_EXPLAIN: [&str; 2] = [
    "Draw enough items that an unfit rate at or above the",
    "tolerable rate would show up, with this confidence:",
];
pub const PLAN_CONFIDENCE: &str = "confidence";
pub const PLAN_TOLERABLE: &str = "tolerable unfit rate";
pub const PLAN_COUNTING: &str = "counting the population…";
pub const PLAN_KEYS: &str = "Tab switches field · Enter draws · Esc cancels";
pub const PLAN_BAD: &str = "confidence and tolerable rate are percentages between 0 and 100";

pub fn draw_over(unreviewed: usize) -> String {
    format!(
        "The current sample has {unreviewed} unreviewed item{}: draw a new one?",
        if unreviewed == 1 { "" } else { "s" }
    )
}

pub fn plan_preview(n: u64, of: u64, proves: &str) -> String {
    format!("→ draws {n} of {of}; a clean review proves at most {proves} unfit")
}

// --- forms ---

pub const PUSH_BACK_TITLE: &str = " Push back ";
pub const REASONS: &str = "Reasons (space ticks, arrows move):";
pub const NOTE_TITLE: &str = " Note ";
pub const NOTE_PLACEHOLDER: &str = "What is wrong, and what should the division do?";
pub const DUE: &str = "Due in working days: ";
pub const NEED_REASON: &str = "choose at least one reason (space ticks)";
pub const NEED_NOTE: &str = "write a note: what is wrong?";
pub const BAD_DUE: &str = "the due date is a number of working days";
pub const REVISE_TITLE: &str = " Revised response ";
pub const CORRECTIVE_TITLE: &str = " Corrective action taken ";
pub const DISPUTE_TITLE: &str = " Dispute ";
pub const EMPTY_ANSWER: &str = "the answer is empty";
pub const DISCARD: &str = "unsaved text: Esc again discards it, Ctrl-S saves";
pub const PUSH_BACK_DISCARDED: &str = "push-back discarded";
pub const ANSWER_DISCARDED: &str = "answer discarded";
pub const LETTER_PLACEHOLDER: &str = "Write to the customer in your own words.";
pub const EMPTY_LETTER: &str = "the letter is empty";
pub const LETTER_DISCARDED: &str = "letter discarded";

pub fn reach_out_title(external_id: &str) -> String {
    format!(" Your letter to the customer of {external_id} ")
}

// --- messages ---

pub const NOT_SIGNED: &str = "not signed";
pub const ALL_REVIEWED: &str = "every item is reviewed";
pub const ALL_ANSWERED: &str = "every push-back is answered";
pub const NO_UNDO: &str = "nothing to undo in this session";
pub const KEPT_SAMPLE: &str = "kept the current sample";
pub const NOT_IN_QUEUE: &str = "this complaint is not in the queue";
pub const ALL_ITEMS: &str = "all items";
/// The digit 0 among the saved views.
pub const ALL_VIEW: &str = "all";

pub const NO_IDENTITY: &str = "no customer identity (e-mail, phone or handle) for this complaint";
pub const ONLY_EXEC_SIGNS: &str = "only an executive signs responses";
pub const ONLY_EXEC_PUSHES: &str = "only an executive pushes responses back";
pub const ONLY_HEAD_ANSWERS: &str = "only a division head answers push-backs";
pub const ONLY_EXEC_WRITES: &str = "only an executive writes to customers from here";
pub const ALREADY_SIGNED: &str = "already signed; its text has not changed since";
pub const NOTHING_TO_ANSWER: &str = "this item has no open push-back to answer";

pub const WAITING_SIGN: &str = "your signature";
pub const WAITING_PUSH_BACK: &str = "the push-back";
pub const WAITING_ANSWER: &str = "your answer";
pub const WAITING_UNDO: &str = "the undo";
pub const WAITING_DRAW: &str = "the draw";
pub const WAITING_OTHER: &str = "the change";

/// What a saved decision did, for the status line.
pub fn decided(kind: Kind, external_id: &str, division: &str, retracts: Option<i64>) -> String {
    match kind {
        Kind::Approve => format!("signed {external_id}"),
        Kind::PushBack => format!("pushed {external_id} back to {division}"),
        Kind::Retract => format!("retracted decision {}", retracts.unwrap_or_default()),
        Kind::Revise => format!("revised the response to {external_id}"),
        Kind::CorrectiveAction => format!("recorded the corrective action for {external_id}"),
        Kind::Dispute => format!("disputed the push-back on {external_id}"),
    }
}

/// The letter key wrote its file.
pub fn letter_written(external_id: &str, path: &str, code: &str) -> String {
    format!("letter for {external_id} written to {path} · verification code {code}")
}

pub fn letter_not_written(e: &str) -> String {
    format!("the letter was not written: {e}")
}

/// An executive's letter went to the outbox.
pub fn reached_out(to: &str) -> String {
    format!("your letter to {to} waits in the outbox; `signoff send` delivers it")
}

pub fn letter_not_saved(e: &str) -> String {
    format!("the letter was not saved: {e}")
}

pub fn matches(n: usize, query: &str) -> String {
    format!(
        "{n} match{} for \"{query}\"",
        if n == 1 { "" } else { "es" }
    )
}

pub fn view_chosen(n: usize, name: &str) -> String {
    format!("view {n}: {name}")
}

pub fn no_view(n: usize, count: usize) -> String {
    match count {
        0 => format!("no saved view {n}: none is configured (review.views)"),
        c => format!("no saved view {n}: the views are 1 to {c}"),
    }
}

pub fn unbound(key: &str, help: &str) -> String {
    format!("{key} does nothing here · {help} lists the keys")
}

/// The screen is smaller than the smallest layout.
pub fn enlarge(w: u16, h: u16) -> String {
    format!("enlarge the terminal (needs {w}×{h})")
}
