//! Why no profile reads a file's header: for each profile tried, the columns it lacks in the
//! line that comes closest to its header, and how to draft a profile that reads the file.

use std::path::Path;

use csv::ByteRecord;

use super::parse::reader;
use super::profile::{normalize_header, Profile};

/// Per profile, the required columns missing from the line of the file's start (within the
/// lines the profile searches, read with any of `delimiters`) that lacks the fewest.
pub(super) fn lacking<'p>(
    profiles: &'p [Profile],
    sample: &[u8],
    delimiters: &[u8],
    search: usize,
) -> Vec<(&'p str, Vec<&'p str>)> {
    let mut lines: Vec<(usize, Vec<String>)> = Vec::new();
    for &d in delimiters {
        let mut rdr = reader(sample, d);
        let mut rec = ByteRecord::new();
        while let Ok(true) = rdr.read_byte_record(&mut rec) {
            let line = rec.position().map_or(0, |p| p.line()) as usize;
            if line > search {
                break;
            }
            let names = rec
                .iter()
                .map(|f| normalize_header(&String::from_utf8_lossy(f)))
                .collect();
            lines.push((line, names));
        }
    }
    profiles
        .iter()
        .map(|p| {
            let required = p.required_columns();
            let within = |line: usize| {
                line > p.header.skip_lines && line <= p.header.skip_lines + p.header.search_lines
            };
            let missing = lines
                .iter()
                .filter(|(line, _)| within(*line))
                .map(|(_, names)| {
                    required
                        .iter()
                        .copied()
                        .filter(|c| !names.contains(&normalize_header(c)))
                        .collect::<Vec<&str>>()
                })
                .min_by_key(Vec::len)
                .unwrap_or_else(|| required.clone());
            (p.name.as_str(), missing)
        })
        .collect()
}

/// The message when no header matches: `given` when the profile was named with --profile,
/// `begins` the file's first line as shown.
pub(super) fn message(
    profiles: &[Profile],
    given: bool,
    sample: &[u8],
    delimiters: &[u8],
    search: usize,
    begins: &str,
    path: &Path,
) -> String {
    let lacks = lacking(profiles, sample, delimiters, search);
    let columns = |cols: &[&str]| {
        cols.iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let draft = format!(
        "draft a profile that reads it with `signoff profile draft {}`",
        path.display()
    );
    match (given, profiles, lacks.as_slice()) {
        (true, [p], [(_, missing)]) => format!(
            "line 1: the header does not match profile {}: it lacks the columns {} (it needs {}); the file begins {begins:?}. Check the profile, or {draft}",
            p.name,
            columns(missing),
            columns(&p.required_columns()),
        ),
        _ => {
            let mut m = format!(
                "line 1: no profile matches the header (tried {}); the file begins {begins:?}. Each profile lacks, in the line closest to its header:",
                profiles
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            for (name, missing) in &lacks {
                m.push_str(&format!("\n  {name}: {}", columns(missing)));
            }
            m.push_str(&format!("\nName one with --profile, or {draft}"));
            m
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::profile::all_profiles;

    #[test]
    fn each_profile_names_what_it_lacks_in_the_closest_line() {
        let profiles = all_profiles(None).expect("profiles");
        let sample = b"Export\nTicket ID;Created;Requester;Description;Public reply\n1;2;3;4;5\n";
        let lacks = lacking(&profiles, sample, b",;", 20);
        let helpdesk = lacks
            .iter()
            .find(|(n, _)| *n == "helpdesk")
            .expect("helpdesk");
        assert_eq!(helpdesk.1, ["Group"]);
        let m = message(
            &profiles,
            false,
            sample,
            b",;",
            20,
            "Export",
            Path::new("x.csv"),
        );
        assert!(
            m.starts_with("line 1: no profile matches the header (tried cfpb,"),
            "{m}"
        );
        assert!(m.contains("\n  helpdesk: \"Group\""), "{m}");
        assert!(m.contains("`signoff profile draft x.csv`"), "{m}");
        let one = &profiles[2..3];
        let m = message(one, true, sample, b";", 20, "Export", Path::new("x.csv"));
        assert!(
            m.contains("profile helpdesk: it lacks the columns \"Group\" (it needs"),
            "{m}"
        );
    }
}
