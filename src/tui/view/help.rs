//! `?`: every key of the person's role, from the same table the keys are read from, and the
//! saved views by name. Long lines wrap under their key; a box taller than the screen scrolls.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::{popup, Ctx};
use crate::tui::app::{views_digit, Action, App};
use crate::tui::bindings::{Browse, Shown};
use crate::tui::strings;

/// The box's widest.
const WIDTH: u16 = 72;

/// (keys, what they do), in the order of the footer and then the rest.
pub fn entries(app: &App, cx: &Ctx) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in cx
        .keys
        .bindings(Shown::Browse(Browse::everything(app.me.role)))
    {
        let Some((_, what)) = b.words else { continue };
        out.push((b.label(), what.to_string()));
        if matches!(b.action, Action::SavedView(_)) {
            for (i, v) in app.views.iter().enumerate() {
                if let Some(d) = views_digit(i) {
                    out.push((format!("  {d}"), format!("view: {}", v.name)));
                }
            }
            out.push(("  0".into(), strings::ALL_ITEMS.into()));
        }
    }
    out
}

/// Words of `text` in lines of at most `width` characters (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = vec![String::new()];
    for word in text.split_whitespace() {
        let word: String = word.chars().take(width).collect();
        let last = out.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + 1 + word.chars().count() > width {
            out.push(String::new());
        }
        if let Some(l) = out.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(&word);
        }
    }
    out
}

/// The help text for a box whose inside is `width` wide: the keys in a column and what they
/// do wrapped beside them, or on a narrow box the keys above, indented text below.
fn text(app: &App, cx: &Ctx, width: usize) -> Vec<String> {
    let items = entries(app, cx);
    let key_w = items
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(18);
    let mut out = Vec::new();
    for (keys, what) in items {
        if width >= key_w + 22 {
            for (i, l) in wrap(&what, width - key_w - 2).into_iter().enumerate() {
                let k = if i == 0 { keys.as_str() } else { "" };
                out.push(format!(" {k:<key_w$} {l}"));
            }
        } else {
            out.push(format!(" {keys}"));
            out.extend(
                wrap(&what, width.saturating_sub(3))
                    .into_iter()
                    .map(|l| format!("   {l}")),
            );
        }
    }
    out
}

/// The box in `area`, and the help text for it.
fn layout(app: &App, cx: &Ctx, area: Rect) -> (Rect, Vec<String>) {
    let w = WIDTH.min(area.width);
    let lines = text(app, cx, w.saturating_sub(2) as usize);
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    (r, lines)
}

/// How far the help box scrolls on a screen of `area`.
pub fn room(app: &App, cx: &Ctx, area: Rect) -> u16 {
    let Some(screen) = super::layout::screen(area) else {
        return 0;
    };
    let (r, lines) = layout(app, cx, screen.dialog());
    let inside = r.height.saturating_sub(2) as usize;
    u16::try_from(lines.len().saturating_sub(inside)).unwrap_or(u16::MAX)
}

pub fn draw(f: &mut Frame, app: &App, cx: &Ctx, area: Rect) {
    let (r, lines) = layout(app, cx, area);
    let r = popup(f, r, r.width, r.height);
    let inside = r.height.saturating_sub(2) as usize;
    let max = lines.len().saturating_sub(inside);
    let scroll = (app.help_scroll as usize).min(max);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(strings::HELP_TITLE)
        .border_style(cx.theme.accent);
    if scroll < max {
        block = block.title_bottom(Line::from(format!(" {} ", strings::HELP_MORE)).right_aligned());
    }
    let text: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(inside)
        .map(Line::from)
        .collect();
    f.render_widget(Paragraph::new(text).block(block), r);
}
