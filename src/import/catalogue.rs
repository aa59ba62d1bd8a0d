//! The profiles available, as `import` sees them, with where each comes from and its text:
//! the built-ins, replaced or extended by the profiles folder's *.toml files.

use std::path::{Path, PathBuf};

use super::profile::{Profile, ProfileError, BUILT_IN};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    File(PathBuf),
}

impl Origin {
    pub fn label(&self) -> String {
        match self {
            Origin::BuiltIn => "built in".into(),
            Origin::File(p) => p.display().to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub description: String,
    pub origin: Origin,
    /// The profile of the same name this one replaces, by origin.
    pub replaces: Option<String>,
    /// The TOML as written.
    pub text: String,
    /// Why the file is not a profile `import` can use (then `name` is the file's stem).
    pub problem: Option<String>,
}

/// Every profile, in the order `import` tries them; a folder's file that is not a valid
/// profile is listed with its problem rather than hiding the others.
pub fn catalogue(dir: Option<&Path>) -> Result<Vec<Entry>, ProfileError> {
    let mut out = Vec::new();
    for (name, text) in BUILT_IN {
        let p = Profile::parse(text, &format!("{name} (built in)"))?;
        out.push(Entry {
            name: p.name,
            description: p.description,
            origin: Origin::BuiltIn,
            replaces: None,
            text: text.to_string(),
            problem: None,
        });
    }
    let Some(dir) = dir else {
        return Ok(out);
    };
    let entries = std::fs::read_dir(dir).map_err(|e| ProfileError::Read {
        origin: dir.display().to_string(),
        error: e,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let origin = path.display().to_string();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let read = crate::files::read_small(&path, crate::files::SMALL_FILE_LIMIT);
        let entry = match read {
            Err(e) => Entry {
                name: stem,
                description: String::new(),
                origin: Origin::File(path),
                replaces: None,
                text: String::new(),
                problem: Some(e.to_string()),
            },
            Ok(text) => match Profile::parse(&text, &origin) {
                Err(e) => Entry {
                    name: stem,
                    description: String::new(),
                    origin: Origin::File(path),
                    replaces: None,
                    text,
                    problem: Some(e.to_string()),
                },
                Ok(p) => {
                    let replaces = out
                        .iter()
                        .position(|o: &Entry| o.problem.is_none() && o.name == p.name)
                        .map(|i| out.remove(i).origin.label());
                    Entry {
                        name: p.name,
                        description: p.description,
                        origin: Origin::File(path),
                        replaces,
                        text,
                        problem: None,
                    }
                }
            },
        };
        out.push(entry);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_replaces_and_extends_the_built_ins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mine = BUILT_IN[0]
            .1
            .replace("description = \"", "description = \"Ours: ");
        std::fs::write(dir.path().join("a-cfpb.toml"), mine).expect("write");
        std::fs::write(dir.path().join("broken.toml"), "name = 1").expect("write");
        std::fs::write(dir.path().join("notes.txt"), "not a profile").expect("write");
        let all = catalogue(Some(dir.path())).expect("catalogue");
        let names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cfpb-legacy",
                "helpdesk",
                "social",
                "messages",
                "generic",
                "cfpb",
                "broken"
            ]
        );
        let cfpb = &all[5];
        assert_eq!(cfpb.replaces.as_deref(), Some("built in"));
        assert!(cfpb.description.starts_with("Ours: "));
        assert!(all[6].problem.is_some());
        assert!(all[..5].iter().all(|e| e.origin == Origin::BuiltIn));
    }
}
