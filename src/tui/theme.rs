//! Colours: dark, light, or none at all (NO_COLOR, or a terminal without colour).

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub base: Style,
    pub dim: Style,
    pub title: Style,
    pub selected: Style,
    pub accent: Style,
    pub ok: Style,
    pub bad: Style,
    pub warn: Style,
    pub border: Style,
}

impl Theme {
    pub fn named(name: &str, no_color: bool) -> Theme {
        if no_color {
            return Theme::plain();
        }
        match name {
            "light" => Theme {
                base: Style::default().fg(Color::Black),
                dim: Style::default().fg(Color::DarkGray),
                title: Style::default()
                    .fg(Color::Blue)
                    .add_modifier(Modifier::BOLD),
                selected: Style::default().bg(Color::LightBlue).fg(Color::Black),
                accent: Style::default().fg(Color::Blue),
                ok: Style::default().fg(Color::Green),
                bad: Style::default().fg(Color::Red),
                warn: Style::default().fg(Color::Magenta),
                border: Style::default().fg(Color::Gray),
            },
            _ => Theme {
                base: Style::default(),
                dim: Style::default().fg(Color::DarkGray),
                title: Style::default()
                    .fg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
                selected: Style::default()
                    .bg(Color::Rgb(40, 60, 90))
                    .add_modifier(Modifier::BOLD),
                accent: Style::default().fg(Color::Cyan),
                ok: Style::default().fg(Color::Green),
                bad: Style::default().fg(Color::LightRed),
                warn: Style::default().fg(Color::Yellow),
                border: Style::default().fg(Color::DarkGray),
            },
        }
    }

    /// No colour at all: emphasis by bold and reverse video only.
    pub fn plain() -> Theme {
        let s = Style::default();
        Theme {
            base: s,
            dim: s,
            title: s.add_modifier(Modifier::BOLD),
            selected: s.add_modifier(Modifier::REVERSED),
            accent: s.add_modifier(Modifier::BOLD),
            ok: s,
            bad: s.add_modifier(Modifier::BOLD),
            warn: s.add_modifier(Modifier::BOLD),
            border: s,
        }
    }
}
