//! A real SMTP server for the tests: Python's aiosmtpd (tests/fixtures/mail/smtp_sink.py) on a
//! free loopback port, writing what it takes to a folder the test reads.
//!
//! Without aiosmtpd the tests that need it say they skipped and why; with the `CI` variable set
//! they fail instead, so that CI never passes without having run them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Sink {
    child: Child,
    pub port: u16,
    pub out: PathBuf,
    pub control: PathBuf,
    _dir: tempfile::TempDir,
}

/// One message the server took: its recipients and its bytes.
pub struct Received {
    pub rcpt: Vec<String>,
    pub bytes: Vec<u8>,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.bytes)
            .expect("a MIME message")
    }

    pub fn message_id(&self) -> String {
        self.parsed()
            .message_id()
            .expect("a Message-ID")
            .to_string()
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail/smtp_sink.py")
}

/// The server, or None (the test skips, saying why) when aiosmtpd is not installed; with `CI`
/// set, a missing aiosmtpd fails the test.
pub fn start(test: &str) -> Option<Sink> {
    let has = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        let why = "python3 with aiosmtpd is not installed (pip install aiosmtpd)";
        if std::env::var_os("CI").is_some() {
            panic!("{test}: {why}, and CI is set: this test must run there");
        }
        eprintln!("{test}: skipped: {why}");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("received");
    let control = dir.path().join("control");
    std::fs::create_dir_all(&out).expect("out");
    std::fs::create_dir_all(&control).expect("control");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new("python3")
        .arg(script())
        .arg(port.to_string())
        .arg(&out)
        .arg(&control)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the SMTP server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server's first line");
    assert_eq!(line.trim(), "READY", "the SMTP server did not start");
    Some(Sink {
        child,
        port,
        out,
        control,
        _dir: dir,
    })
}

impl Sink {
    /// The `[mail]` section that sends to this server.
    pub fn mail_config(&self) -> String {
        format!(
            "[mail]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Dana Reyes <ceo@acme.example>\"\ntimeout_secs = 5\n",
            self.port
        )
    }

    /// Every message taken so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.out)
            .expect("read")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| Received {
                rcpt: std::fs::read_to_string(p.with_extension("rcpt"))
                    .expect("rcpt")
                    .lines()
                    .map(str::to_string)
                    .collect(),
                bytes: std::fs::read(p).expect("eml"),
            })
            .collect()
    }

    /// Takes `n` messages more in all, then answers "451 try again later"; None takes all.
    pub fn accept_only(&self, n: Option<usize>) {
        let f = self.control.join("accept_limit");
        match n {
            Some(n) => std::fs::write(f, n.to_string()).expect("limit"),
            None => {
                let _ = std::fs::remove_file(f);
            }
        }
    }

    /// While held, the server takes a message and keeps its reply back.
    pub fn hold(&self, on: bool) {
        let f = self.control.join("hold");
        if on {
            std::fs::write(f, "").expect("hold");
        } else {
            let _ = std::fs::remove_file(f);
        }
    }

    /// Waits until the server holds a message's reply back.
    pub fn wait_holding(&self) {
        let start = Instant::now();
        while !self.control.join("holding").exists() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the server never received the message to hold"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
