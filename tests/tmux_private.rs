//! The screen tests drive tmux on a server of their own (`tmux -L`), never the default one, so
//! nothing else using tmux on the machine can disturb them or be disturbed. Every tmux call in
//! tests/ and scripts/ goes through `common::tmux`, which names its server.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name()
                .is_some_and(|n| n != "fixtures" && n != "snapshots")
            {
                files(&p, out);
            }
        } else if p
            .extension()
            .is_some_and(|x| x == "rs" || x == "sh" || x == "bash")
        {
            out.push(p);
        }
    }
}

#[test]
fn every_tmux_call_names_a_private_server() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    files(&root.join("tests"), &mut all);
    files(&root.join("scripts"), &mut all);
    let helper = root.join("tests/common/tmux.rs");
    let this = root.join("tests/tmux_private.rs");
    for path in all.iter().filter(|p| **p != this) {
        let text = std::fs::read_to_string(path).expect("read");
        let rs = path.extension().is_some_and(|x| x == "rs");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let calls = if rs {
                code.contains("Command::new(\"tmux\")")
            } else {
                let code = line.split('#').next().unwrap_or("");
                code.split_whitespace().any(|w| w == "tmux")
            };
            if !calls {
                continue;
            }
            let ok = if *path == helper {
                // The helper's one constructor adds -L and the server's name to every call.
                text.contains(".args([\"-L\", name])")
            } else {
                !rs && code.contains(" -L ")
            };
            assert!(
                ok,
                "{}:{}: tmux without a private server (-L): {line}",
                path.display(),
                n + 1
            );
        }
    }
    let helper_text = std::fs::read_to_string(&helper).expect("helper");
    assert_eq!(
        helper_text.matches("Command::new(\"tmux\")").count(),
        1,
        "one constructor, which names the server"
    );
}
