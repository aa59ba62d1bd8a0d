//! A signed letter as the customer reads it: plain text, Markdown and a printable HTML page,
//! from `domain::letter::Letter` only.

use crate::domain::letter::Letter;

use super::escape::html as esc;
use super::time::{long_date, long_time};

/// The sentence under the code, for every format.
fn check_line(l: &Letter) -> String {
    format!(
        "This letter carries the signature of {}, {}, made on {}. Its verification code {} names \
         that signature: anyone at the company can check it.",
        l.signer,
        l.signer_title,
        long_time(l.signed_at),
        l.code
    )
}

fn greeting(l: &Letter) -> String {
    match &l.customer {
        Some(n) if !n.trim().is_empty() => format!("Dear {},", n.trim()),
        _ => "Dear customer,".into(),
    }
}

fn about(l: &Letter) -> String {
    format!(
        "About your complaint {} of {}{}.",
        l.external_id,
        long_date(l.received_at),
        l.subject
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| format!(" (“{}”)", s.trim()))
            .unwrap_or_default()
    )
}

/// The plain-text letter: the e-mail's text part.
pub fn text(l: &Letter) -> String {
    let mut out = format!("{}\n\n{}\n\n", greeting(l), about(l));
    out.push_str("This is the response you received from us:\n\n");
    for p in &l.response {
        if let Some(at) = p.at {
            out.push_str(&format!("[{}]\n", long_time(at)));
        }
        out.push_str(&p.text);
        out.push_str("\n\n");
    }
    out.push_str("--\n");
    out.push_str(&l.statement);
    out.push_str(&format!(
        "\n\nVerification code: {}\n{}\n",
        l.code,
        check_line(l)
    ));
    out
}

/// The letter in Markdown; the response's own text is kept as it was written, indented as a
/// block so that nothing in it is read as Markdown.
pub fn markdown(l: &Letter) -> String {
    let mut out = format!(
        "# {}\n\n{}\n\n{}\n\nThis is the response you received from us:\n\n",
        l.title(),
        greeting(l),
        about(l)
    );
    for p in &l.response {
        if let Some(at) = p.at {
            out.push_str(&format!("*{}*\n\n", long_time(at)));
        }
        for line in p.text.lines() {
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "---\n\n**{}**\n\nVerification code: `{}`\n\n{}\n",
        l.statement,
        l.code,
        check_line(l)
    ));
    out
}

/// The letter as one HTML page: the e-mail's HTML part, and a page to print. No scripts, no
/// fetched resources, and no wider than an A4 page.
pub fn html(l: &Letter) -> String {
    let mut body = String::new();
    for p in &l.response {
        body.push_str("<section class=\"message\">");
        if let Some(at) = p.at {
            body.push_str(&format!("<p class=\"when\">{}</p>", esc(&long_time(at))));
        }
        for para in p.text.split("\n\n") {
            body.push_str(&format!(
                "<p>{}</p>",
                esc(para.trim()).replace('\n', "<br>")
            ));
        }
        body.push_str("</section>\n");
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Georgia, "Times New Roman", serif; color: #1a1a1a; background: #fff;
  max-width: 170mm; margin: 0 auto; padding: 12mm 10mm; line-height: 1.5; overflow-wrap: anywhere; }}
h1 {{ font-size: 1.3em; margin: 0 0 1em; }}
.message {{ border-left: 3px solid #c8c8c8; padding: 0 0 0 1em; margin: 1em 0; overflow-wrap: anywhere; }}
.when {{ color: #555; font-size: 0.9em; margin: 0; }}
.signature {{ border-top: 1px solid #999; margin-top: 2em; padding-top: 1em; }}
.statement {{ font-weight: bold; font-size: 1.1em; }}
.code {{ font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 1.2em; letter-spacing: 0.1em; }}
.check {{ color: #555; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{greeting}</p>
<p>{about}</p>
<p>This is the response you received from us:</p>
{body}<div class="signature">
<p class="statement">{statement}</p>
<p>Verification code: <span class="code">{code}</span></p>
<p class="check">{check}</p>
</div>
</body>
</html>
"#,
        title = esc(&l.title()),
        greeting = esc(&greeting(l)),
        about = esc(&about(l)),
        statement = esc(&l.statement),
        code = esc(&l.code),
        check = esc(&check_line(l)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::letter::Paragraph;

    fn sample() -> Letter {
        Letter {
            external_id: "T-1".into(),
            customer: Some("Ana <Ruiz>".into()),
            to: Some("ana@example.com".into()),
            received_at: 0,
            subject: Some("Charged twice".into()),
            response: vec![Paragraph {
                at: Some(3600),
                text: "Sorry & thank you.\n\n# Refund sent".into(),
            }],
            statement: "I, Dana Reyes, Chief Executive, approve this message.".into(),
            signer: "Dana Reyes".into(),
            signer_title: "Chief Executive".into(),
            signed_at: 7200,
            decision_id: 4,
            record_hash: "ab".repeat(32),
            code: "NANA-NANA-NANA".into(),
        }
    }

    #[test]
    fn every_format_carries_the_response_statement_and_code() {
        let l = sample();
        for out in [text(&l), markdown(&l), html(&l)] {
            assert!(out.contains("I, Dana Reyes, Chief Executive, approve this message."));
            assert!(out.contains("NANA-NANA-NANA"));
            assert!(out.contains("Refund sent"));
        }
        let h = html(&l);
        assert!(h.contains("Dear Ana &lt;Ruiz&gt;,"), "escaped");
        assert!(h.contains("Sorry &amp; thank you."));
        assert!(!h.contains("<script") && !h.contains("src="));
        assert!(
            markdown(&l).contains("    # Refund sent"),
            "the response is a block, not Markdown"
        );
    }
}
