//! The detail pane's flags, each fact once. The screen knows a few things at a glance (a
//! request for contact, a manager asked for, no response) and the stored checks say the same
//! things more exactly (the contact request went unanswered for 30 h, the response offers no
//! one to escalate to, nothing was sent after 9.9 days): a check's words replace the glance's.

/// What a flag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Contact,
    Manager,
    NoResponse,
    /// Anything only the checks say (a canned reply, a late answer, a CAR).
    Other,
}

/// The glance's flags, then the checks' flags not already said, each fact once; a check's
/// words take the place of the glance's on the same topic.
pub fn merge(glance: Vec<(Topic, String)>, checks: Vec<(Topic, String)>) -> Vec<String> {
    let mut checks: Vec<Option<(Topic, String)>> = checks.into_iter().map(Some).collect();
    let mut out: Vec<String> = Vec::new();
    for (topic, text) in glance {
        let exact = checks.iter_mut().find(|c| {
            c.as_ref()
                .is_some_and(|c| c.0 == topic && topic != Topic::Other)
        });
        let text = match exact {
            Some(c) => c.take().map_or(text, |c| c.1),
            None => text,
        };
        out.push(text);
    }
    out.extend(checks.into_iter().flatten().map(|c| c.1));
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert(t.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(topic: Topic, s: &str) -> (Topic, String) {
        (topic, s.to_string())
    }

    #[test]
    fn a_check_says_once_what_the_glance_says_vaguely() {
        let glance = vec![
            t(Topic::Manager, "asked for a manager"),
            t(Topic::Contact, "asked to be contacted"),
            t(Topic::NoResponse, "no response sent"),
        ];
        let checks = vec![
            t(Topic::Other, "a canned reply"),
            t(
                Topic::Contact,
                "asked to be contacted; no reply or call within 24 h",
            ),
            t(
                Topic::NoResponse,
                "no response after 9.9 days; the target is 24 h",
            ),
        ];
        assert_eq!(
            merge(glance, checks),
            [
                "asked for a manager",
                "asked to be contacted; no reply or call within 24 h",
                "no response after 9.9 days; the target is 24 h",
                "a canned reply",
            ]
        );
    }

    #[test]
    fn the_same_words_twice_are_shown_once() {
        let checks = vec![t(Topic::Other, "CAR 3 open"), t(Topic::Other, "CAR 3 open")];
        assert_eq!(merge(vec![], checks), ["CAR 3 open"]);
    }
}
