//! The review screen's state and its one entry point, `App::update(Action) -> Effect`.
//! No terminal, no store, no clock here: the loop performs effects and reports back.

use crossterm::event::KeyEvent;
use tui_textarea::TextArea;

use super::data::{Dashboard, Detail, Hit, Row, SampleInfo};
use crate::config::{Person, Role};
use crate::domain::decision::{Decision, Kind, Status};

mod letters;
pub use letters::ReachOutForm;

/// The tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Queue,
    Search,
    Dashboard,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Queue, Tab::Search, Tab::Dashboard];

    pub fn title(self, role: Role) -> &'static str {
        match (self, role) {
            (Tab::Queue, Role::DivisionHead) => "Division",
            (Tab::Queue, _) => "Queue",
            (Tab::Search, _) => "Search",
            (Tab::Dashboard, _) => "Dashboard",
        }
    }
}

/// What a key means; the keymap turns key presses into these.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Up,
    Down,
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
    Toggle,
    Save,
    /// A key for a text field.
    Input(KeyEvent),
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

/// A named filter over the queue, from the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedView {
    pub name: String,
    pub division: Option<String>,
    pub status: Option<String>,
    pub likelihood_max: Option<u8>,
    pub wants_contact: Option<bool>,
}

impl SavedView {
    pub fn matches(&self, r: &Row) -> bool {
        self.division
            .as_ref()
            .is_none_or(|d| d.eq_ignore_ascii_case(&r.division))
            && self
                .likelihood_max
                .is_none_or(|m| r.likelihood.is_some_and(|l| l <= m))
            && self
                .wants_contact
                .is_none_or(|w| r.wants_contact == Some(w))
            && self
                .status
                .as_deref()
                .is_none_or(|s| status_matches(s, &r.status))
    }
}

fn status_matches(want: &str, s: &Status) -> bool {
    match want {
        "pending" => matches!(s, Status::Pending),
        "signed" => matches!(s, Status::Signed { .. }),
        "pushed_back" | "pushed-back" => matches!(s, Status::PushedBack { .. }),
        "overdue" => matches!(s, Status::PushedBack { overdue: true, .. }),
        "answered" => matches!(s, Status::Answered { .. }),
        "changed" => matches!(s, Status::SignedTextChanged { .. }),
        _ => true,
    }
}

/// The push-back form.
pub struct PushBackForm {
    pub complaint_id: i64,
    pub reasons: Vec<(String, bool)>,
    pub cursor: usize,
    pub note: TextArea<'static>,
    pub due_days: String,
    /// 0 reasons, 1 note, 2 due.
    pub focus: usize,
    pub error: Option<String>,
}

/// The division head's answer form.
pub struct AnswerForm {
    pub complaint_id: i64,
    pub kind: Kind,
    pub body: TextArea<'static>,
    pub error: Option<String>,
}

/// The plan editor, offered when there is no sample yet.
pub struct PlanForm {
    /// The population a draw would start from, once counted.
    pub population: Option<u64>,
    pub confidence: String,
    pub tolerable: String,
    pub focus: usize,
    pub error: Option<String>,
}

pub enum Mode {
    Normal,
    Help,
    ConfirmSign {
        complaint_id: i64,
        statement: String,
    },
    PushBack(Box<PushBackForm>),
    Answer(Box<AnswerForm>),
    ReachOut(Box<ReachOutForm>),
    SearchInput,
    ConfirmQuit,
    Plan(PlanForm),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// A decision (or a draw) that found the store busy, most likely held by an import: the loop
/// tries it again until the store is free, and the screen keeps working meanwhile.
pub struct Waiting {
    pub effect: Effect,
    /// The form it came from, given back if the wait is given up.
    pub form: Option<Mode>,
    /// When the first attempt found the store busy (set by the loop).
    pub since: std::time::Instant,
}

impl Waiting {
    /// What is waiting, for the status line: "your signature", "the push-back", ...
    pub fn what(&self) -> &'static str {
        match &self.effect {
            Effect::Sign { .. } => "your signature",
            Effect::PushBack { .. } => "the push-back",
            Effect::Answer { .. } => "your answer",
            Effect::Retract { .. } => "the undo",
            Effect::DrawSample { .. } => "the draw",
            _ => "the change",
        }
    }
}

pub struct App {
    pub me: Person,
    pub tab: Tab,
    pub mode: Mode,
    pub sample: Option<SampleInfo>,
    pub rows: Vec<Row>,
    /// Indices into `rows` that the active saved view lets through.
    pub visible: Vec<usize>,
    pub selected: usize,
    pub detail: Option<Detail>,
    pub scroll: u16,
    /// The furthest the detail pane scrolls on the screen last drawn (see `set_detail_room`).
    pub scroll_max: u16,
    pub query: String,
    pub hits: Vec<Hit>,
    pub hit_selected: usize,
    pub dashboard: Option<Dashboard>,
    pub message: Option<(Level, String)>,
    /// Decisions made in this session, newest last: `u` retracts the last.
    pub session: Vec<Decision>,
    pub views: Vec<SavedView>,
    pub active_view: Option<usize>,
    pub reasons: Vec<String>,
    pub due_days: u32,
    pub plan_defaults: (f64, f64),
    pub page: u16,
    /// A form whose save is under way: given back if the save fails, so no text is lost.
    pub pending: Option<Mode>,
    /// A save waiting for the store to be free.
    pub waiting: Option<Waiting>,
}

impl App {
    pub fn new(me: Person, reasons: Vec<String>, due_days: u32, views: Vec<SavedView>) -> App {
        App {
            me,
            tab: Tab::Queue,
            mode: Mode::Normal,
            sample: None,
            rows: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            detail: None,
            scroll: 0,
            scroll_max: u16::MAX,
            query: String::new(),
            hits: Vec::new(),
            hit_selected: 0,
            dashboard: None,
            message: None,
            session: Vec::new(),
            views,
            active_view: None,
            reasons,
            due_days,
            plan_defaults: (95.0, 5.0),
            page: 10,
            pending: None,
            waiting: None,
        }
    }

    /// New queue rows (a sample loaded or reloaded); keeps the selection on the same complaint.
    pub fn set_rows(&mut self, rows: Vec<Row>) -> Effect {
        let keep = self.current_id();
        self.rows = rows;
        self.refilter();
        if let Some(id) = keep {
            if let Some(pos) = self
                .visible
                .iter()
                .position(|&i| self.rows[i].complaint_id == id)
            {
                self.selected = pos;
            }
        }
        self.load_selected()
    }

    /// What the last frame left room for: the furthest the detail scrolls, and a page of it.
    pub fn set_detail_room(&mut self, max: u16, page: u16) {
        self.scroll_max = max;
        self.page = page.max(1);
        self.scroll = self.scroll.min(max);
    }

    fn refilter(&mut self) {
        let view = self.active_view.and_then(|v| self.views.get(v));
        self.visible = (0..self.rows.len())
            .filter(|&i| view.is_none_or(|v| v.matches(&self.rows[i])))
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn current(&self) -> Option<&Row> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    pub fn current_id(&self) -> Option<i64> {
        match self.tab {
            Tab::Search => self.hits.get(self.hit_selected).map(|h| h.complaint_id),
            _ => self.current().map(|r| r.complaint_id),
        }
    }

    fn load_selected(&mut self) -> Effect {
        self.scroll = 0;
        match self.current_id() {
            Some(id) if self.detail.as_ref().is_none_or(|d| d.complaint_id != id) => {
                Effect::LoadDetail(id)
            }
            Some(_) => Effect::None,
            None => {
                self.detail = None;
                Effect::None
            }
        }
    }

    /// (reviewed, items, pushed back) as the roll-up counts them (`domain::rollup`).
    pub fn reviewed(&self) -> (usize, usize, usize) {
        let items: Vec<_> = self.rows.iter().map(Row::item).collect();
        let t = crate::domain::rollup::total(&items);
        (
            t.reviewed as usize,
            t.sampled as usize,
            t.pushed_back as usize,
        )
    }

    /// Whether a form holds text, or a save is waiting, that quitting would lose.
    pub fn unsaved(&self) -> bool {
        if self.waiting.is_some() {
            return true;
        }
        match &self.mode {
            Mode::PushBack(f) => !f.note.is_empty(),
            Mode::Answer(f) => !f.body.is_empty(),
            Mode::ReachOut(f) => !f.body.is_empty(),
            _ => false,
        }
    }

    fn info(&mut self, m: impl Into<String>) {
        self.message = Some((Level::Info, m.into()));
    }

    fn error(&mut self, m: impl Into<String>) {
        self.message = Some((Level::Error, m.into()));
    }

    fn move_by(&mut self, delta: i64) -> Effect {
        let (len, sel) = match self.tab {
            Tab::Search => (self.hits.len(), &mut self.hit_selected),
            _ => (self.visible.len(), &mut self.selected),
        };
        if len == 0 {
            return Effect::None;
        }
        let next = (*sel as i64 + delta).clamp(0, len as i64 - 1) as usize;
        if next == *sel {
            return Effect::None;
        }
        *sel = next;
        self.load_selected()
    }

    pub fn update(&mut self, action: Action) -> Effect {
        if action == Action::ForceQuit {
            return Effect::Quit;
        }
        if self.waiting.is_some() && matches!(self.mode, Mode::Normal) {
            match action {
                // Esc gives up waiting: nothing is saved, and the form comes back.
                Action::Cancel => {
                    if let Some(w) = self.waiting.take() {
                        self.error(format!("{} was not saved", w.what()));
                        if let Some(form) = w.form {
                            self.mode = form;
                        }
                    }
                    return Effect::None;
                }
                Action::Sign
                | Action::PushBack
                | Action::Answer(_)
                | Action::Undo
                | Action::DrawSample => {
                    let what = self.waiting.as_ref().map_or("", |w| w.what());
                    self.error(format!(
                        "{what} is still waiting to be saved; one at a time (Esc cancels it)"
                    ));
                    return Effect::None;
                }
                _ => {}
            }
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Normal => self.normal(action),
            Mode::Help => {
                if !matches!(
                    action,
                    Action::Help | Action::Cancel | Action::Confirm | Action::Quit
                ) {
                    self.mode = Mode::Help;
                }
                Effect::None
            }
            Mode::ConfirmSign {
                complaint_id,
                statement,
            } => match action {
                Action::Confirm | Action::Save | Action::Sign => Effect::Sign { complaint_id },
                Action::Input(k)
                    if matches!(k.code, crossterm::event::KeyCode::Char('y' | 'Y')) =>
                {
                    Effect::Sign { complaint_id }
                }
                Action::Cancel | Action::Quit => {
                    self.info("not signed");
                    Effect::None
                }
                _ => {
                    self.mode = Mode::ConfirmSign {
                        complaint_id,
                        statement,
                    };
                    Effect::None
                }
            },
            Mode::PushBack(form) => self.push_back_form(*form, action),
            Mode::Answer(form) => self.answer_form(*form, action),
            Mode::ReachOut(form) => self.reach_out_form(*form, action),
            Mode::SearchInput => self.search_input(action),
            Mode::ConfirmQuit => match action {
                Action::Confirm | Action::Quit => Effect::Quit,
                Action::Input(k)
                    if matches!(k.code, crossterm::event::KeyCode::Char('y' | 'Y')) =>
                {
                    Effect::Quit
                }
                _ => Effect::None,
            },
            Mode::Plan(form) => self.plan_form(form, action),
        }
    }

    fn normal(&mut self, action: Action) -> Effect {
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::Top => self.move_by(i64::MIN / 2),
            Action::Bottom => self.move_by(i64::MAX / 2),
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(self.page);
                Effect::None
            }
            Action::PageDown => {
                self.scroll = self.scroll.saturating_add(self.page).min(self.scroll_max);
                Effect::None
            }
            Action::ScrollDetail(d) => {
                self.scroll =
                    (self.scroll as i32 + d as i32).clamp(0, self.scroll_max as i32) as u16;
                Effect::None
            }
            Action::NextTab | Action::PrevTab => {
                let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                let n = Tab::ALL.len();
                let j = if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.tab = Tab::ALL[j];
                match self.tab {
                    Tab::Dashboard => Effect::LoadDashboard,
                    _ => {
                        self.detail = None;
                        self.load_selected()
                    }
                }
            }
            Action::Click(i) if self.tab != Tab::Dashboard => {
                let len = if self.tab == Tab::Search {
                    self.hits.len()
                } else {
                    self.visible.len()
                };
                if i < len {
                    let delta = i as i64
                        - if self.tab == Tab::Search {
                            self.hit_selected
                        } else {
                            self.selected
                        } as i64;
                    self.move_by(delta)
                } else {
                    Effect::None
                }
            }
            Action::Help => {
                self.mode = Mode::Help;
                Effect::None
            }
            Action::Search => {
                self.mode = Mode::SearchInput;
                Effect::None
            }
            Action::Others => self.others(),
            Action::Quit => {
                if self.unsaved() {
                    self.mode = Mode::ConfirmQuit;
                    Effect::None
                } else {
                    Effect::Quit
                }
            }
            Action::Sign => self.start_sign(),
            Action::PushBack => self.start_push_back(),
            // One key writes: a division head's revised response, an executive's own letter.
            Action::Answer(Kind::Revise) if self.me.role == Role::Executive => {
                self.start_reach_out()
            }
            Action::Answer(kind) => self.start_answer(kind),
            Action::Letter => self.letter(),
            Action::Undo => match self.session.last() {
                Some(d) => Effect::Retract { decision_id: d.id },
                None => {
                    self.info("nothing to undo in this session");
                    Effect::None
                }
            },
            Action::NextUnreviewed => {
                let start = self.selected + 1;
                let n = self.visible.len();
                let found = (0..n)
                    .map(|k| (start + k) % n.max(1))
                    .find(|&p| p < n && !self.rows[self.visible[p]].status.reviewed());
                match found {
                    Some(p) => {
                        self.tab = Tab::Queue;
                        self.selected = p;
                        self.load_selected()
                    }
                    None => {
                        self.info("every item is reviewed");
                        Effect::None
                    }
                }
            }
            Action::SavedView(n) => {
                if n == 0 {
                    self.active_view = None;
                    self.info("all items");
                } else if n <= self.views.len() {
                    self.active_view = Some(n - 1);
                    self.info(format!("view: {}", self.views[n - 1].name));
                } else {
                    self.error(format!("no saved view {n}"));
                    return Effect::None;
                }
                self.selected = 0;
                self.refilter();
                self.load_selected()
            }
            Action::DrawSample if self.me.role == Role::Executive => {
                self.mode = Mode::Plan(PlanForm {
                    population: None,
                    confidence: format!("{}", self.plan_defaults.0),
                    tolerable: format!("{}", self.plan_defaults.1),
                    focus: 0,
                    error: None,
                });
                Effect::CountPopulation
            }
            Action::Confirm if self.tab == Tab::Search => {
                if let Some(h) = self.hits.get(self.hit_selected) {
                    let id = h.complaint_id;
                    if let Some(pos) = self
                        .visible
                        .iter()
                        .position(|&i| self.rows[i].complaint_id == id)
                    {
                        self.tab = Tab::Queue;
                        self.selected = pos;
                        return self.load_selected();
                    }
                }
                Effect::None
            }
            _ => Effect::None,
        }
    }

    fn others(&mut self) -> Effect {
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        let key = self
            .detail
            .as_ref()
            .filter(|d| d.complaint_id == id)
            .and_then(|d| d.customer_key.clone());
        let Some(key) = key else {
            self.info("no customer identity (e-mail, phone or handle) for this complaint");
            return Effect::None;
        };
        self.query = format!("customer {key}");
        self.tab = Tab::Search;
        self.hit_selected = 0;
        Effect::Others {
            customer_key: key,
            complaint_id: id,
        }
    }

    fn start_sign(&mut self) -> Effect {
        if self.me.role != Role::Executive {
            self.error("only an executive signs responses");
            return Effect::None;
        }
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        if let Some(Status::Signed { .. }) = self
            .detail
            .as_ref()
            .filter(|d| d.complaint_id == id)
            .map(|d| &d.status)
        {
            self.info("already signed; its text has not changed since");
            return Effect::None;
        }
        self.mode = Mode::ConfirmSign {
            complaint_id: id,
            statement: crate::domain::decision::signature_statement(&self.me.name, &self.me.title),
        };
        Effect::None
    }

    fn start_push_back(&mut self) -> Effect {
        if self.me.role != Role::Executive {
            self.error("only an executive pushes responses back");
            return Effect::None;
        }
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        let mut note = TextArea::default();
        note.set_placeholder_text("What is wrong, and what should the division do?");
        self.mode = Mode::PushBack(Box::new(PushBackForm {
            complaint_id: id,
            reasons: self.reasons.iter().map(|r| (r.clone(), false)).collect(),
            cursor: 0,
            note,
            due_days: self.due_days.to_string(),
            focus: 0,
            error: None,
        }));
        Effect::None
    }

    fn start_answer(&mut self, kind: Kind) -> Effect {
        if self.me.role != Role::DivisionHead {
            self.error("only a division head answers push-backs");
            return Effect::None;
        }
        let Some(id) = self.current_id() else {
            return Effect::None;
        };
        let open = self
            .detail
            .as_ref()
            .filter(|d| d.complaint_id == id)
            .is_some_and(|d| matches!(d.status, Status::PushedBack { .. }));
        if !open {
            self.error("this item has no open push-back to answer");
            return Effect::None;
        }
        let mut body = TextArea::default();
        if kind == Kind::Revise {
            if let Some(r) = self.detail.as_ref().and_then(|d| d.response_text.clone()) {
                body = TextArea::new(r.lines().map(str::to_string).collect());
            }
        }
        self.mode = Mode::Answer(Box::new(AnswerForm {
            complaint_id: id,
            kind,
            body,
            error: None,
        }));
        Effect::None
    }

    fn push_back_form(&mut self, mut f: PushBackForm, action: Action) -> Effect {
        let cancel = matches!(action, Action::Cancel);
        match action {
            Action::Cancel => {
                if f.note.is_empty() {
                    return Effect::None;
                }
                // Esc on a form with text asks first: a second Esc discards.
                if f.error.as_deref() == Some(DISCARD) {
                    self.info("push-back discarded");
                    return Effect::None;
                }
                f.error = Some(DISCARD.into());
            }
            Action::FocusNext => f.focus = (f.focus + 1) % 3,
            Action::Save => {
                let reasons: Vec<String> = f
                    .reasons
                    .iter()
                    .filter(|r| r.1)
                    .map(|r| r.0.clone())
                    .collect();
                let note = f.note.lines().join("\n").trim().to_string();
                let due: Option<u32> = f.due_days.trim().parse().ok();
                f.error = match (reasons.is_empty(), note.is_empty(), due) {
                    (true, _, _) => Some("choose at least one reason (space toggles)".into()),
                    (_, true, _) => Some("write a note: what is wrong?".into()),
                    (_, _, None) => Some("the due date is a number of working days".into()),
                    (false, false, Some(d)) => {
                        let complaint_id = f.complaint_id;
                        self.pending = Some(Mode::PushBack(Box::new(f)));
                        return Effect::PushBack {
                            complaint_id,
                            reasons,
                            note,
                            due_days: d,
                        };
                    }
                };
            }
            a => match f.focus {
                0 => {
                    use crossterm::event::KeyCode;
                    let a = match a {
                        Action::Input(k) => match k.code {
                            KeyCode::Up | KeyCode::Char('k') => Action::Up,
                            KeyCode::Down | KeyCode::Char('j') => Action::Down,
                            KeyCode::Char(' ') | KeyCode::Enter => Action::Toggle,
                            _ => Action::Input(k),
                        },
                        a => a,
                    };
                    match a {
                        Action::Up => f.cursor = f.cursor.saturating_sub(1),
                        Action::Down => {
                            f.cursor = (f.cursor + 1).min(f.reasons.len().saturating_sub(1))
                        }
                        Action::Toggle | Action::Confirm => {
                            if let Some(r) = f.reasons.get_mut(f.cursor) {
                                r.1 = !r.1;
                            }
                        }
                        _ => {}
                    }
                }
                1 => {
                    if let Some(k) = key_of(&a) {
                        f.note.input(k);
                    }
                }
                _ => {
                    if let Action::Input(k) = a {
                        use crossterm::event::KeyCode;
                        match k.code {
                            KeyCode::Char(c) if c.is_ascii_digit() && f.due_days.len() < 3 => {
                                f.due_days.push(c)
                            }
                            KeyCode::Backspace => {
                                f.due_days.pop();
                            }
                            _ => {}
                        }
                    }
                }
            },
        }
        if f.error.as_deref() == Some(DISCARD) && !cancel {
            f.error = None;
        }
        self.mode = Mode::PushBack(Box::new(f));
        Effect::None
    }

    fn answer_form(&mut self, mut f: AnswerForm, action: Action) -> Effect {
        match action {
            Action::Cancel => {
                if f.body.is_empty() || f.error.as_deref() == Some(DISCARD) {
                    self.info("answer discarded");
                    return Effect::None;
                }
                f.error = Some(DISCARD.into());
            }
            Action::Save => {
                let body = f.body.lines().join("\n").trim().to_string();
                if body.is_empty() {
                    f.error = Some("the answer is empty".into());
                } else {
                    let (complaint_id, kind) = (f.complaint_id, f.kind);
                    self.pending = Some(Mode::Answer(Box::new(f)));
                    return Effect::Answer {
                        complaint_id,
                        kind,
                        body,
                    };
                }
            }
            a => {
                if let Some(k) = key_of(&a) {
                    f.body.input(k);
                    f.error = None;
                }
            }
        }
        self.mode = Mode::Answer(Box::new(f));
        Effect::None
    }

    fn search_input(&mut self, action: Action) -> Effect {
        use crossterm::event::KeyCode;
        match action {
            Action::Cancel => return Effect::None,
            Action::Confirm | Action::Save => {
                self.tab = Tab::Search;
                self.hit_selected = 0;
                return Effect::Search(self.query.clone());
            }
            Action::Input(k) => match k.code {
                KeyCode::Char(c) => self.query.push(c),
                KeyCode::Backspace => {
                    self.query.pop();
                }
                _ => {}
            },
            _ => {}
        }
        self.mode = Mode::SearchInput;
        Effect::None
    }

    fn plan_form(&mut self, mut f: PlanForm, action: Action) -> Effect {
        use crossterm::event::KeyCode;
        match action {
            Action::Cancel => return Effect::None,
            Action::FocusNext | Action::Down | Action::Up => f.focus = 1 - f.focus,
            Action::Confirm | Action::Save => {
                match (
                    f.confidence.trim().parse::<f64>(),
                    f.tolerable.trim().parse::<f64>(),
                ) {
                    (Ok(c), Ok(t)) if c > 0.0 && c < 100.0 && t > 0.0 && t < 100.0 => {
                        return Effect::DrawSample {
                            confidence: c,
                            tolerable: t,
                        };
                    }
                    _ => {
                        f.error = Some(
                            "confidence and tolerable rate are percentages between 0 and 100"
                                .into(),
                        )
                    }
                }
            }
            Action::Input(k) => {
                let field = if f.focus == 0 {
                    &mut f.confidence
                } else {
                    &mut f.tolerable
                };
                match k.code {
                    KeyCode::Char(c) if (c.is_ascii_digit() || c == '.') && field.len() < 6 => {
                        field.push(c)
                    }
                    KeyCode::Backspace => {
                        field.pop();
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        self.mode = Mode::Plan(f);
        Effect::None
    }

    // --- reports from the loop ---

    pub fn detail_loaded(&mut self, d: Detail) {
        if let Some(i) = self
            .rows
            .iter()
            .position(|r| r.complaint_id == d.complaint_id)
        {
            self.rows[i].status = d.status.clone();
            self.rows[i].pushed_back = crate::domain::decision::ever_pushed_back(&d.decisions);
        }
        self.detail = Some(d);
    }

    /// A decision was committed: record it, show it, move on to the next unreviewed item.
    pub fn decision_saved(&mut self, d: Decision, detail: Detail) -> Effect {
        let what = match d.kind {
            Kind::Approve => format!("signed {}", detail.external_id),
            Kind::PushBack => format!("pushed {} back to {}", detail.external_id, detail.division),
            Kind::Retract => format!("retracted decision {}", d.retracts.unwrap_or_default()),
            Kind::Revise => format!("revised the response to {}", detail.external_id),
            Kind::CorrectiveAction => {
                format!("recorded the corrective action for {}", detail.external_id)
            }
            Kind::Dispute => format!("disputed the push-back on {}", detail.external_id),
        };
        self.info(format!("{what} · saved"));
        if d.kind == Kind::Retract {
            self.session.retain(|s| Some(s.id) != d.retracts);
        } else {
            self.session.push(d.clone());
        }
        let kind = d.kind;
        self.detail_loaded(detail);
        if matches!(kind, Kind::Approve | Kind::PushBack) && self.tab == Tab::Queue {
            return self.normal(Action::NextUnreviewed);
        }
        Effect::None
    }

    /// A decision could not be saved; the form (if any) is given back so nothing typed is lost.
    pub fn decision_failed(&mut self, message: String, form: Option<Mode>) {
        self.error(message);
        if let Some(m) = form {
            self.mode = m;
        }
    }

    pub fn search_done(&mut self, hits: Vec<Hit>) -> Effect {
        self.info(format!(
            "{} match{} for \"{}\"",
            hits.len(),
            if hits.len() == 1 { "" } else { "es" },
            self.query
        ));
        self.hits = hits;
        self.hit_selected = 0;
        self.detail = None;
        self.load_selected()
    }
}

const DISCARD: &str = "unsaved text: Esc again discards it, Ctrl-S saves";

fn key_of(a: &Action) -> Option<KeyEvent> {
    use crossterm::event::{KeyCode, KeyModifiers};
    let code = match a {
        Action::Input(k) => return Some(*k),
        Action::Up => KeyCode::Up,
        Action::Down => KeyCode::Down,
        Action::Confirm => KeyCode::Enter,
        _ => return None,
    };
    Some(KeyEvent::new(code, KeyModifiers::NONE))
}
