//! The small dialogs: the signature, a new draw over an unfinished sample, quitting with
//! unsaved text, and the search field. A dialog always shows its confirm key, on its last line,
//! however small the screen: its text gives way first.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::{popup, Ctx};
use crate::tui::app::{App, Mode};
use crate::tui::strings;

pub fn draw(f: &mut Frame, app: &App, mode: &Mode, cx: &Ctx, area: Rect) {
    match mode {
        Mode::ConfirmSign { statement, .. } => confirm(
            f,
            cx,
            area,
            strings::SIGN_TITLE,
            &format!("“{statement}”"),
            (strings::SIGN_KEYS, strings::SIGN_KEYS_SHORT),
        ),
        Mode::ConfirmDraw { unreviewed } => confirm(
            f,
            cx,
            area,
            strings::DRAW_TITLE,
            &strings::draw_over(*unreviewed),
            (strings::DRAW_KEYS, strings::DRAW_KEYS_SHORT),
        ),
        Mode::ConfirmQuit => confirm(
            f,
            cx,
            area,
            strings::QUIT_TITLE,
            if app.waiting.is_some() {
                strings::QUIT_WAITING
            } else {
                strings::QUIT_UNSAVED
            },
            (strings::QUIT_KEYS, strings::QUIT_KEYS_SHORT),
        ),
        Mode::SearchInput => {
            let r = popup(f, area, 60, 3);
            let room = r.width.saturating_sub(3) as usize;
            // The end of a long query stays in view: that is where the typing happens.
            let shown: String = {
                let n = app.query.chars().count();
                app.query.chars().skip(n.saturating_sub(room)).collect()
            };
            f.render_widget(
                Paragraph::new(format!("/{shown}▏")).block(boxed(strings::SEARCH_TITLE, cx)),
                r,
            );
        }
        _ => {}
    }
}

fn boxed<'a>(title: &'a str, cx: &Ctx) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(cx.theme.accent)
}

/// A question and the keys that answer it. The keys take the last line inside the box, in
/// their long form when it fits; the question wraps into what is left.
fn confirm(
    f: &mut Frame,
    cx: &Ctx,
    area: Rect,
    title: &str,
    question: &str,
    (keys, short): (&str, &str),
) {
    let w = 64.min(area.width);
    // On the smallest screens the frame gives way to the words: the title on a line of its own.
    let framed = area.height >= 6;
    let inner_w = w.saturating_sub(if framed { 4 } else { 0 });
    let question = Paragraph::new(question).wrap(Wrap { trim: true });
    let lines = question.line_count(inner_w) as u16;
    // Borders, a blank line above and between when there is room, the question, the keys.
    let roomy = area.height >= lines + 6;
    let h = if roomy {
        lines + 6
    } else {
        area.height.min(lines + 3)
    };
    let r = popup(f, area, w, h);
    let block = if framed {
        boxed(title, cx)
    } else {
        Block::default().title(Line::styled(title.trim(), cx.theme.accent))
    };
    let inner = block.inner(r);
    f.render_widget(block, r);
    let inner = if framed {
        Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(2),
            ..inner
        }
    } else {
        inner
    };
    if inner.height == 0 {
        return;
    }
    let keys = if keys.chars().count() <= inner.width as usize {
        keys
    } else {
        short
    };
    let keys_at = Rect {
        y: inner.bottom() - 1 - u16::from(roomy),
        height: 1,
        ..inner
    };
    f.render_widget(Paragraph::new(Line::styled(keys, cx.theme.dim)), keys_at);
    let text_at = Rect {
        y: inner.y + u16::from(roomy),
        height: keys_at
            .y
            .saturating_sub(inner.y + u16::from(roomy) + u16::from(roomy)),
        ..inner
    };
    f.render_widget(question.style(cx.theme.title), text_at);
}
