//! Where things go on a screen of a given size: the full layout with borders and tabs, a
//! compact one without them for small terminals, and nothing below the smallest. The views
//! draw here and mouse clicks are placed here, so the two cannot drift apart.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

use crate::tui::app::{App, Tab};

/// The smallest screen the compact layout works on: a header, two list lines and the footer.
pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 5;

/// Below these the layout drops the tabs line and the borders.
const COMPACT_BELOW_HEIGHT: u16 = 12;
const COMPACT_BELOW_WIDTH: u16 = 40;

/// The rows of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub area: Rect,
    pub header: Rect,
    /// None in the compact layout: the list's title names the tab.
    pub tabs: Option<Rect>,
    pub body: Rect,
    pub footer: Rect,
    pub compact: bool,
}

/// The layout of a screen of `area`, or None when it is too small for any.
pub fn screen(area: Rect) -> Option<Screen> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let compact = area.height < COMPACT_BELOW_HEIGHT || area.width < COMPACT_BELOW_WIDTH;
    let tabs_h = if compact { 0 } else { 1 };
    let [header, tabs, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(tabs_h),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Some(Screen {
        area,
        header,
        tabs: (!compact).then_some(tabs),
        body,
        footer,
        compact,
    })
}

impl Screen {
    /// Where dialogs and the help box go: the body, or in the compact layout everything but
    /// the footer (which names the dialog's keys).
    pub fn dialog(&self) -> Rect {
        if self.compact {
            Rect {
                height: self.area.height.saturating_sub(1),
                ..self.area
            }
        } else {
            self.body
        }
    }

    /// A pane's frame: borders and a title, or in the compact layout the title alone on the
    /// pane's first line.
    pub fn pane<'a>(&self, title: impl Into<ratatui::text::Line<'a>>) -> Block<'a> {
        let b = Block::default().title(title);
        if self.compact {
            b.borders(Borders::NONE)
        } else {
            b.borders(Borders::ALL)
        }
    }

    /// The list and the detail pane: side by side on a wide screen, stacked otherwise; the
    /// compact layout drops the detail when there is no room for both.
    pub fn panes(&self) -> (Rect, Option<Rect>) {
        let body = self.body;
        if self.compact {
            if body.height < 5 {
                return (body, None);
            }
            let h = (body.height / 2).max(3);
            let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Min(1)]).areas(body);
            return (a, Some(b));
        }
        if body.width >= 70 {
            let w = (body.width * 2 / 5).clamp(24, 60);
            let [a, b] =
                Layout::horizontal([Constraint::Length(w), Constraint::Min(10)]).areas(body);
            (a, Some(b))
        } else {
            let h = (body.height / 3).max(5).min(body.height);
            let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Min(1)]).areas(body);
            (a, Some(b))
        }
    }

    /// Where the list's lines are, inside its frame.
    pub fn list_lines(&self) -> Rect {
        self.pane("x").inner(self.panes().0)
    }
}

/// Which list line a mouse click at (x, y) lands on, as a position among the visible rows.
pub fn clicked(app: &App, area: Rect, x: u16, y: u16) -> Option<usize> {
    let s = screen(area)?;
    let lines = s.list_lines();
    if app.tab == Tab::Dashboard
        || x < lines.x
        || x >= lines.right()
        || y < lines.y
        || y >= lines.bottom()
    {
        return None;
    }
    let h = lines.height as usize;
    let line = (y - lines.y) as usize;
    if app.tab == Tab::Search {
        let offset = (app.hit_selected * 2 + 2).saturating_sub(h) / 2;
        return Some(offset + line / 2);
    }
    let entries = super::queue::entries(app);
    let at = entries
        .iter()
        .position(|e| *e == super::queue::Entry::Row(app.selected))
        .unwrap_or(0);
    let offset = (at + 1).saturating_sub(h);
    match entries.get(offset + line)? {
        super::queue::Entry::Row(p) => Some(*p),
        super::queue::Entry::Heading(..) => None,
    }
}
