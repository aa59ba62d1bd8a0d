//! Imported text shown to people: control characters and escape sequences made inert.

/// A character that acts instead of showing: a control character (ANSI escapes begin with
/// one) or a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), which reorders
/// the text around it on screen and in a document, so that what is read is not what is there.
pub fn is_hidden_control(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Replaces control characters (ANSI escapes included) and bidirectional overrides with
/// visible stand-ins, keeping line breaks and tabs, so imported text can never drive the
/// terminal or reorder what is shown.
pub fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    if !s
        .chars()
        .any(|c| is_hidden_control(c) && c != '\n' && c != '\t')
    {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\n' | '\t' => c,
                c => stand_in(c),
            })
            .collect(),
    )
}

/// A visible stand-in for a control character (line breaks and tabs included); any other
/// character is itself.
pub fn stand_in(c: char) -> char {
    match c {
        // U+2400 block: ␀ ␁ … ␛ …; others become the replacement character.
        c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        c if is_hidden_control(c) => '\u{fffd}',
        c => c,
    }
}

/// JSON text with DEL, the C1 control characters and bidirectional overrides written as `\u`
/// escapes, as the other control characters already are: JSON printed to a terminal cannot
/// drive it or reorder it either.
pub fn json_inert(json: String) -> String {
    let raw = |c: char| c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) || is_bidi_control(c);
    if !json.chars().any(raw) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A value from a file, quoted for a message: escaped, and cut short when long, so that a
/// huge field does not make a huge message.
pub fn quoted(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        None => format!("{s:?}"),
        Some((cut, _)) => format!("{:?}… ({} characters)", &s[..cut], s.chars().count()),
    }
}

/// One line for lists: inert, whitespace folded, cut to `max` characters with an ellipsis.
pub fn one_line(s: &str, max: usize) -> String {
    let folded: String = inert(s).split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let mut out: String = folded.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_become_visible() {
        assert_eq!(
            inert("a\u{202e}cba\u{2066}x\u{2069}"),
            "a\u{fffd}cba\u{fffd}x\u{fffd}"
        );
        assert_eq!(json_inert("\"a\u{202e}b\"".into()), "\"a\\u202eb\"");
        assert_eq!(inert("\u{200f}shalom"), "\u{200f}shalom");
    }

    #[test]
    fn escapes_become_visible() {
        assert_eq!(inert("a\u{1b}[31mRED\u{1b}[0m\u{7}"), "a␛[31mRED␛[0m␇");
        assert_eq!(inert("line\nnext\tcol"), "line\nnext\tcol");
        assert!(matches!(inert("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(one_line("a\n b   c", 10), "a b c");
        assert_eq!(one_line("abcdefghijkl", 5), "abcd…");
        assert_eq!(quoted("a\u{1b}b"), "\"a\\u{1b}b\"");
        let j = json_inert(serde_json::json!({"t": "a\u{9b}b\u{7f}"}).to_string());
        assert_eq!(j, r#"{"t":"a\u009bb\u007f"}"#);
        let back: serde_json::Value = serde_json::from_str(&j).expect("json");
        assert_eq!(back["t"], "a\u{9b}b\u{7f}");
        assert_eq!(
            quoted(&"x".repeat(100)),
            format!("{:?}… (100 characters)", "x".repeat(60))
        );
    }
}

/// `one_line`, cut to `cells` terminal columns: wide characters (CJK, emoji) count two.
pub fn fit(s: &str, cells: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let folded = one_line(s, usize::MAX);
    let mut out = String::new();
    let mut used = 0;
    let total: usize = folded.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= cells {
        return folded;
    }
    for c in folded.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > cells {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod fit_tests {
    use super::fit;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(fit("李明李明李明", 7), "李明李…");
        assert!(fit("李明李明李明", 7).width() <= 7);
        assert_eq!(fit("ok 👍", 10), "ok 👍");
        assert_eq!(fit("e\u{301}cole", 10), "e\u{301}cole");
    }
}
