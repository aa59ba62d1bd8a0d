//! The review screen's state and its one entry point, `App::update(Action) -> Effect`.
//! No terminal, no store, no clock here: the loop performs effects and reports back.
//!
//! `normal` handles the lists, `forms` the dialogs and forms, `reports` what the loop reports
//! back, `division` a division head's grouped list, `views` the saved views and `letters` what
//! reaches the customer from the screen (a signed item's letter, an executive's own letter).

mod actions;
mod dialogs;
mod division;
mod forms;
mod letters;
mod normal;
mod reports;
mod views;

pub use actions::{Action, Effect};
pub use division::Group;
pub use forms::{AnswerForm, PlanField, PlanForm, PushBackForm, PushFocus};
pub use letters::ReachOutForm;
pub use reports::Waiting;
pub use views::{digit as views_digit, SavedView};

use super::data::{Dashboard, Detail, Hit, Row, SampleInfo};
use crate::config::{Person, Role};
use crate::domain::decision::{Decision, Status};

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

pub enum Mode {
    Normal,
    Help,
    ConfirmSign {
        complaint_id: i64,
        statement: String,
    },
    /// `s` over a sample with unreviewed items asks before the plan editor opens.
    ConfirmDraw {
        unreviewed: usize,
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
    /// How far the help box is scrolled, and how far it can be on the screen last drawn.
    pub help_scroll: u16,
    pub help_max: u16,
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
            help_scroll: 0,
            help_max: u16::MAX,
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
    /// A division head's rows are grouped by status, the most urgent first.
    pub fn set_rows(&mut self, mut rows: Vec<Row>) -> Effect {
        let keep = self.current_id();
        if self.me.role == Role::DivisionHead {
            division::sort(&mut rows);
        }
        self.rows = rows;
        self.refilter();
        if let Some(id) = keep {
            self.select_complaint(id);
        }
        self.load_selected()
    }

    /// Where the work is on opening: the first unreviewed item for an executive, the first
    /// push-back to answer for a division head (the first item when there is none).
    pub fn open_on_work(&mut self) -> Effect {
        let first = (0..self.visible.len()).find(|&p| self.needs_work(p));
        self.selected = first.unwrap_or(0);
        self.load_selected()
    }

    /// Whether the item at a visible position waits for this person.
    fn needs_work(&self, pos: usize) -> bool {
        let status = &self.rows[self.visible[pos]].status;
        match self.me.role {
            Role::DivisionHead => matches!(status, Status::PushedBack { .. }),
            _ => !status.reviewed(),
        }
    }

    /// Moves the selection to a complaint if the visible rows hold it.
    fn select_complaint(&mut self, id: i64) -> bool {
        match self
            .visible
            .iter()
            .position(|&i| self.rows[i].complaint_id == id)
        {
            Some(pos) => {
                self.selected = pos;
                true
            }
            None => false,
        }
    }

    /// What the last frame left room for: the furthest the detail scrolls, and a page of it.
    pub fn set_detail_room(&mut self, max: u16, page: u16) {
        self.scroll_max = max;
        self.page = page.max(1);
        self.scroll = self.scroll.min(max);
    }

    /// How far the help box scrolls on the screen last drawn.
    pub fn set_help_room(&mut self, max: u16) {
        self.help_max = max;
        self.help_scroll = self.help_scroll.min(max);
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

    /// The complaint the keys act on: the selected line of the list on screen (none on the
    /// dashboard).
    pub fn current_id(&self) -> Option<i64> {
        match self.tab {
            Tab::Search => self.hits.get(self.hit_selected).map(|h| h.complaint_id),
            Tab::Queue => self.current().map(|r| r.complaint_id),
            Tab::Dashboard => None,
        }
    }

    /// The loaded detail, when it is the current complaint's.
    pub fn current_detail(&self) -> Option<&Detail> {
        let id = self.current_id()?;
        self.detail.as_ref().filter(|d| d.complaint_id == id)
    }

    fn load_selected(&mut self) -> Effect {
        self.scroll = 0;
        match self.current_id() {
            Some(id) if self.detail.as_ref().is_none_or(|d| d.complaint_id != id) => {
                Effect::LoadDetail(id)
            }
            Some(_) => Effect::None,
            None => {
                if self.tab != Tab::Dashboard {
                    self.detail = None;
                }
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

    /// Items of the sample on screen that nobody has decided yet.
    pub fn unreviewed(&self) -> usize {
        self.rows.iter().filter(|r| !r.status.reviewed()).count()
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

    pub fn update(&mut self, action: Action) -> Effect {
        if action == Action::ForceQuit {
            return Effect::Quit;
        }
        if self.waiting.is_some() && matches!(self.mode, Mode::Normal) {
            if let Some(eff) = self.while_waiting(&action) {
                return eff;
            }
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Normal => self.normal(action),
            Mode::Help => self.help(action),
            Mode::ConfirmSign {
                complaint_id,
                statement,
            } => self.confirm_sign(complaint_id, statement, action),
            Mode::ConfirmDraw { unreviewed } => self.confirm_draw(unreviewed, action),
            Mode::PushBack(form) => self.push_back_form(*form, action),
            Mode::Answer(form) => self.answer_form(*form, action),
            Mode::ReachOut(form) => self.reach_out_form(*form, action),
            Mode::SearchInput => self.search_input(action),
            Mode::ConfirmQuit => match action {
                Action::Confirm => Effect::Quit,
                _ => Effect::None,
            },
            Mode::Plan(form) => self.plan_form(form, action),
        }
    }
}
