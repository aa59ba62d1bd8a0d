//! Small inline SVG charts for the HTML pack: no script, no fonts to fetch, scaled by their
//! viewBox so they print sharp at any size.

use std::fmt::Write;

use super::escape::html as esc;

pub const BLUE: &str = "#1f5fa8";
pub const GREEN: &str = "#2e7d32";
pub const RED: &str = "#c0392b";
pub const GREY: &str = "#b8bec6";
pub const PURPLE: &str = "#6a3d9a";
pub const AMBER: &str = "#d68910";

fn open(o: &mut String, w: u32, h: u32, title: &str) {
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = esc(title)
    );
}

fn legend(o: &mut String, series: &[(&str, &str)], x0: u32, y: u32) {
    let mut x = x0;
    for (name, color) in series {
        let _ = write!(
            o,
            r#"<rect x="{x}" y="{}" width="10" height="10" fill="{color}"/><text x="{}" y="{y}" class="s">{}</text>"#,
            y - 9,
            x + 14,
            esc(name)
        );
        x += 24 + 7 * name.chars().count() as u32;
    }
}

/// Horizontal bars stacked to 100 %, one row per label, with an optional marker (an upper
/// bound, say) drawn as a tick on the same 0–100 % scale.
pub fn stacked(
    title: &str,
    rows: &[(String, Vec<f64>, Option<f64>)],
    series: &[(&str, &str)],
) -> String {
    let (left, width, row_h) = (150u32, 460.0, 26u32);
    let h = 34 + row_h * rows.len() as u32;
    let mut o = String::new();
    open(&mut o, 640, h, title);
    legend(&mut o, series, left, 14);
    for (i, (label, parts, marker)) in rows.iter().enumerate() {
        let y = 26 + row_h * i as u32;
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" class="l">{}</text>"#,
            left - 8,
            y + 14,
            esc(label)
        );
        let mut x = left as f64;
        for (v, (_, color)) in parts.iter().zip(series) {
            let w = v.clamp(0.0, 1.0) * width;
            let _ = write!(
                o,
                r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="18" fill="{color}"/>"#
            );
            x += w;
        }
        if let Some(m) = marker {
            let mx = left as f64 + m.clamp(0.0, 1.0) * width;
            let _ = write!(
                o,
                r##"<line x1="{mx:.1}" x2="{mx:.1}" y1="{}" y2="{}" stroke="#000" stroke-width="2"/><text x="{:.1}" y="{}" class="s">≤ {:.0} %</text>"##,
                y - 3,
                y + 21,
                mx + 3.0,
                y + 13,
                m * 100.0
            );
        }
    }
    o.push_str("</svg>");
    o
}

/// Horizontal bars of counts, longest first as given.
pub fn hbars(title: &str, rows: &[(String, f64)], color: &str) -> String {
    // Sized for a half-width column, so its text prints at the page's size.
    let (left, width, row_h) = (120u32, 270.0, 22u32);
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1.0);
    let h = 8 + row_h * rows.len().max(1) as u32;
    let mut o = String::new();
    open(&mut o, 440, h, title);
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 4 + row_h * i as u32;
        let w = v / max * width;
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" class="l">{}</text><rect x="{left}" y="{y}" width="{w:.1}" height="15" fill="{color}"/><text x="{:.1}" y="{}" class="s">{v}</text>"#,
            left - 8,
            y + 12,
            esc(label),
            left as f64 + w + 4.0,
            y + 12
        );
    }
    o.push_str("</svg>");
    o
}

/// Vertical bars of counts with labels under them (a histogram).
pub fn vbars(title: &str, cols: &[(String, f64)], color: &str) -> String {
    let (top, plot_h, col_w) = (16.0, 140.0, 420.0 / cols.len().max(1) as f64);
    let max = cols.iter().map(|c| c.1).fold(0.0, f64::max).max(1.0);
    let mut o = String::new();
    open(&mut o, 440, 190, title);
    for (i, (label, v)) in cols.iter().enumerate() {
        let bh = v / max * plot_h;
        let x = 10.0 + col_w * i as f64;
        let _ = write!(
            o,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="{color}"/><text x="{:.1}" y="{:.1}" class="c">{v}</text><text x="{:.1}" y="182" class="c">{}</text>"#,
            x + 6.0,
            top + plot_h - bh,
            col_w - 12.0,
            x + col_w / 2.0,
            top + plot_h - bh - 4.0,
            x + col_w / 2.0,
            esc(label)
        );
    }
    o.push_str("</svg>");
    o
}

/// Bars of counts per period (left scale, named `bars_name`) with rate lines over them
/// (0–100 %, right scale).
pub fn trend(
    title: &str,
    labels: &[String],
    (bars_name, bars): (&str, &[f64]),
    lines: &[(&str, &str, Vec<Option<f64>>)],
) -> String {
    let (left, top, plot_w, plot_h) = (44.0, 26.0, 540.0, 150.0);
    let n = labels.len().max(1) as f64;
    let col = plot_w / n;
    let max = bars.iter().copied().fold(0.0, f64::max).max(1.0);
    let mut o = String::new();
    open(&mut o, 640, 214, title);
    let mut series = vec![(bars_name, GREY)];
    series.extend(lines.iter().map(|(name, color, _)| (*name, *color)));
    legend(&mut o, &series, left as u32, 14);
    let _ = write!(
        o,
        r#"<text x="{}" y="{:.1}" class="s">{max:.0}</text><text x="{:.1}" y="{:.1}" class="s">100 %</text>"#,
        4,
        top + 8.0,
        left + plot_w + 4.0,
        top + 8.0
    );
    for (i, (label, v)) in labels.iter().zip(bars).enumerate() {
        let bh = v / max * plot_h;
        let x = left + col * i as f64;
        let _ = write!(
            o,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="{GREY}"/><text x="{:.1}" y="{:.1}" class="c">{}</text>"#,
            x + col * 0.15,
            top + plot_h - bh,
            col * 0.7,
            x + col / 2.0,
            top + plot_h + 16.0,
            esc(label)
        );
    }
    for (_, color, values) in lines {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                v.map(|v| {
                    format!(
                        "{:.1},{:.1}",
                        left + col * (i as f64 + 0.5),
                        top + plot_h - v.clamp(0.0, 1.0) * plot_h
                    )
                })
            })
            .collect();
        let _ = write!(
            o,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2.5"/>"#,
            pts.join(" ")
        );
        for p in &pts {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(o, r#"<circle cx="{x}" cy="{y}" r="3" fill="{color}"/>"#);
        }
    }
    let _ = write!(
        o,
        r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#555"/></svg>"##,
        left + plot_w,
        top + plot_h,
        top + plot_h
    );
    o
}
