//! The review screen driven in tmux, for the end-to-end and concurrency tests.

use std::process::Command;
use std::time::{Duration, Instant};

use super::Env;

/// A `signoff review` running in a detached tmux session, read back with capture-pane.
pub struct Tmux {
    name: String,
}

impl Tmux {
    pub fn start(env: &Env, user: &str, name: &str) -> Tmux {
        let bin = assert_cmd::cargo::cargo_bin("signoff");
        let cmd = format!(
            "env SIGNOFF_DB='{}' SIGNOFF_CONFIG='{}' SIGNOFF_USER={user} SIGNOFF_NOW=2026-11-21T12:00:00Z HOME='{}' '{}' review; echo EXITED $?; sleep 30",
            env.db.display(),
            env.config.display(),
            env.dir.path().display(),
            bin.display()
        );
        let name = format!("signoff-test-{name}-{}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "120",
                "-y",
                "36",
                &cmd,
            ])
            .status()
            .expect("tmux must be installed for the screen tests (apt-get install tmux)");
        assert!(ok.success(), "tmux new-session failed");
        Tmux { name }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits for `text`, checking every screen on the way with `each`.
    pub fn wait_for_checking(
        &self,
        text: &str,
        limit: Duration,
        each: &mut dyn FnMut(&str),
    ) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            each(&s);
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < limit,
                "timed out waiting for {text:?}; the screen shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_checking(text, Duration::from_secs(20), &mut |_| {})
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = Command::new("tmux")
                .args(["send-keys", "-t", &self.name, k])
                .status()
                .expect("send-keys");
            assert!(ok.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types `text` literally.
    pub fn text(&self, text: &str) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.name, "-l", text])
            .status()
            .expect("send-keys");
        assert!(ok.success());
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}
