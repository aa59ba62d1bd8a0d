//! The review screen driven in tmux, for the end-to-end and concurrency tests.

use std::process::Command;
use std::time::{Duration, Instant};

use super::Env;

/// A `signoff review` running in a detached tmux session on a tmux server of its own (`-L`),
/// read back with capture-pane: nothing else using tmux on the machine can disturb it.
pub struct Tmux {
    name: String,
}

/// tmux on the session's own server.
fn tmux(name: &str) -> Command {
    let mut c = Command::new("tmux");
    c.args(["-L", name]);
    c
}

impl Tmux {
    pub fn start(env: &Env, user: &str, name: &str) -> Tmux {
        Tmux::start_sized(env, user, name, 120, 36)
    }

    /// The screen on a terminal of `w` × `h`.
    pub fn start_sized(env: &Env, user: &str, name: &str, w: u16, h: u16) -> Tmux {
        let bin = super::clocked_bin();
        // The clock starts at NOW and runs on, so a decision carries the moment it was made.
        let cmd = format!(
            "env SIGNOFF_DB='{}' SIGNOFF_CONFIG='{}' SIGNOFF_USER={user} SIGNOFF_TEST_CLOCK={} SIGNOFF_TEST_CLOCK_TICKS=1 HOME='{}' '{}' review; echo EXITED $?; sleep 30",
            env.db.display(),
            env.config.display(),
            super::NOW,
            env.dir.path().display(),
            bin.display()
        );
        let name = format!("signoff-test-{name}-{}", std::process::id());
        let ok = tmux(&name)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
                &cmd,
            ])
            .status()
            .expect("tmux must be installed for the screen tests (apt-get install tmux)");
        assert!(ok.success(), "tmux new-session failed");
        Tmux { name }
    }

    /// Resizes the terminal, as a person dragging its corner would.
    pub fn resize(&self, w: u16, h: u16) {
        let ok = tmux(&self.name)
            .args([
                "resize-window",
                "-t",
                &self.name,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .status()
            .expect("resize-window");
        assert!(ok.success());
        std::thread::sleep(Duration::from_millis(100));
    }

    pub fn screen(&self) -> String {
        let out = tmux(&self.name)
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
            let ok = tmux(&self.name)
                .args(["send-keys", "-t", &self.name, k])
                .status()
                .expect("send-keys");
            assert!(ok.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types `text` literally.
    pub fn text(&self, text: &str) {
        let ok = tmux(&self.name)
            .args(["send-keys", "-t", &self.name, "-l", text])
            .status()
            .expect("send-keys");
        assert!(ok.success());
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = tmux(&self.name).args(["kill-server"]).status();
    }
}
