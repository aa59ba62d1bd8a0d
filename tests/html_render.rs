//! The HTML pack and the HTML letters as a browser shows them: each page is opened in headless
//! Chromium, driven through its DevTools protocol at the width of an A4 page (210 mm at 96 CSS
//! pixels to the inch), and fails on a script error, a console or log error, a resource that
//! failed or answered 400 or more, any request beyond the page itself and data: URLs, a page
//! wider than A4, an inline SVG that is not well-formed XML, or a figure in a table broken
//! across two lines. A full-page screenshot of each is taken; with SIGNOFF_SCREENSHOTS naming a
//! folder they are copied there for a person to look at.
//!
//! Without Chromium the tests say they skipped and why; with `CI` set they fail instead. The
//! checker itself is tested on pages with each fault planted.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::Env;
use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

/// A4 is 210 mm wide: 793.7 CSS pixels at 96 to the inch.
const A4_WIDTH: u64 = 794;
/// 297 mm.
const A4_HEIGHT: u64 = 1123;
/// The longest any one step (start, a call, a page load) may take.
const STEP: Duration = Duration::from_secs(20);

const CONFIG_MAIL: &str = r#"
[mail]
from = "Dana Reyes <ceo@acme.example>"
"#;

// ---------------------------------------------------------------------------------------------
// Finding Chromium, or saying why the test skips.

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// SIGNOFF_CHROMIUM, else the first of the usual names on PATH.
fn chromium_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SIGNOFF_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find_map(|n| on_path(n))
}

/// A started browser, or None when there is none to start: the test then says it skipped and
/// why, except with `CI` set, where it fails.
fn browser(test: &str) -> Option<Browser> {
    let Some(exe) = chromium_path() else {
        let why = "no Chromium on PATH (apt-get install chromium, or set SIGNOFF_CHROMIUM)";
        if std::env::var_os("CI").is_some() {
            panic!("{test}: {why}, and CI is set: this test must run there");
        }
        eprintln!("{test}: skipped: {why}");
        return None;
    };
    Some(Browser::start(&exe).unwrap_or_else(|e| panic!("{test}: {e}")))
}

// ---------------------------------------------------------------------------------------------
// The browser and its DevTools protocol.

struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    /// Events read while waiting for a call's answer, for the page checks to go through.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(exe: &Path) -> Result<Browser, String> {
        use std::os::unix::process::CommandExt;
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut child = Command::new(exe)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own process group, so that every process it starts ends with it.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", exe.display()))?;
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Reads to the end, so that Chromium never blocks on a full pipe.
            let mut said = Vec::new();
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(url) = line.split("DevTools listening on ").nth(1) {
                        let _ = tx.send(Ok(url.trim().to_string()));
                        sent = true;
                    } else if said.len() < 40 {
                        said.push(line);
                    }
                }
            }
            if !sent {
                let _ = tx.send(Err(said.join("\n")));
            }
        });
        let url = match rx.recv_timeout(STEP) {
            Ok(Ok(url)) => url,
            Ok(Err(said)) => {
                kill_group(&mut child);
                return Err(format!(
                    "Chromium ended without a DevTools address:\n{said}"
                ));
            }
            Err(_) => {
                kill_group(&mut child);
                return Err(format!("Chromium gave no DevTools address in {STEP:?}"));
            }
        };
        let connect = || -> Result<WebSocket<TcpStream>, String> {
            let host = url
                .strip_prefix("ws://")
                .and_then(|r| r.split('/').next())
                .ok_or_else(|| format!("not a ws:// address: {url}"))?;
            let stream = TcpStream::connect(host).map_err(|e| format!("{host}: {e}"))?;
            // The handshake waits as long as any step; after it, reads wake often to check
            // their own deadlines.
            stream
                .set_read_timeout(Some(STEP))
                .map_err(|e| e.to_string())?;
            let (ws, _) =
                tungstenite::client(url.as_str(), stream).map_err(|e| format!("{url}: {e}"))?;
            ws.get_ref()
                .set_read_timeout(Some(Duration::from_millis(250)))
                .map_err(|e| e.to_string())?;
            Ok(ws)
        };
        match connect() {
            Ok(ws) => Ok(Browser {
                child,
                ws,
                next_id: 0,
                events: Vec::new(),
                _profile: profile,
            }),
            Err(e) => {
                kill_group(&mut child);
                Err(format!("connecting to Chromium's DevTools: {e}"))
            }
        }
    }

    /// The next message from the browser, or None when none came in `until`.
    fn read(&mut self, until: Instant) -> Result<Option<Value>, String> {
        loop {
            match self.ws.read() {
                Ok(Message::Text(t)) => {
                    return serde_json::from_str(t.as_str())
                        .map(Some)
                        .map_err(|e| format!("DevTools sent no JSON ({e}): {t}"))
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    if Instant::now() >= until {
                        return Ok(None);
                    }
                }
                Err(e) => return Err(format!("reading from DevTools: {e}")),
            }
        }
    }

    /// Calls `method` (in a page's session, or on the browser) and returns its result; events
    /// read meanwhile are kept.
    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| format!("{method}: {e}"))?;
        let until = Instant::now() + STEP;
        loop {
            let Some(m) = self.read(until)? else {
                return Err(format!("{method}: no answer in {STEP:?}"));
            };
            if m["id"] == id {
                if let Some(e) = m.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(m["result"].clone());
            }
            if m.get("method").is_some() {
                self.events.push(m);
            }
        }
    }

    /// Waits for the event `method` in `session`.
    fn wait_for(&mut self, session: &str, method: &str) -> Result<(), String> {
        let seen = |m: &Value| m["method"] == method && m["sessionId"] == session;
        if self.events.iter().any(seen) {
            return Ok(());
        }
        let until = Instant::now() + STEP;
        loop {
            let Some(m) = self.read(until)? else {
                return Err(format!("no {method} in {STEP:?}"));
            };
            let done = seen(&m);
            if m.get("method").is_some() {
                self.events.push(m);
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Evaluates `expr` in the page (awaiting a promise) and returns its value.
    fn eval(&mut self, session: &str, expr: &str) -> Result<Value, String> {
        let r = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(format!("evaluating in the page: {ex}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Opens `url` in a new tab as wide as an A4 page, checks it, and writes a full-page
    /// screenshot to `shot`.
    fn check(&mut self, url: &str, source: &str, shot: &Path) -> Result<Page, String> {
        let target = self.call(None, "Target.createTarget", json!({ "url": "about:blank" }))?
            ["targetId"]
            .clone();
        let session = self.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
        )?["sessionId"]
            .as_str()
            .ok_or("no session id")?
            .to_string();
        let s = Some(session.as_str());
        for domain in ["Page", "Runtime", "Log", "Network"] {
            self.call(s, &format!("{domain}.enable"), json!({}))?;
        }
        self.call(
            s,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": A4_WIDTH, "height": A4_HEIGHT, "deviceScaleFactor": 1, "mobile": false }),
        )?;
        self.call(
            s,
            "Emulation.setScrollbarsHidden",
            json!({ "hidden": true }),
        )?;
        // Whatever the blank tab said before is not the page's.
        self.events.retain(|m| m["sessionId"] != session.as_str());
        let nav = self.call(s, "Page.navigate", json!({ "url": url }))?;
        if let Some(e) = nav.get("errorText") {
            return Err(format!("opening {url}: {e}"));
        }
        // Loaded: a load event, and the page itself (not the blank tab) complete.
        let until = Instant::now() + STEP;
        loop {
            self.wait_for(&session, "Page.loadEventFired")?;
            let at = self.eval(
                &session,
                "document.readyState === 'complete' ? location.href : ''",
            )?;
            if at
                .as_str()
                .is_some_and(|h| !h.is_empty() && h != "about:blank")
            {
                break;
            }
            if Instant::now() >= until {
                return Err(format!("{url} did not load in {STEP:?}"));
            }
            self.events.retain(|m| {
                !(m["sessionId"] == session.as_str() && m["method"] == "Page.loadEventFired")
            });
        }
        // Two frames and a moment, for anything a page does just after it has loaded.
        self.eval(
            &session,
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 150))))",
        )?;
        let facts = self.eval(&session, FACTS)?;
        let mut findings = self.events_findings(&session, url);
        findings.extend(width_findings(&facts));
        findings.extend(
            facts["split"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|c| format!("a figure broken across lines: {c}")),
        );
        findings.extend(svg_findings(source, &facts));

        // The whole page in one picture: the viewport stretched to the content's height.
        let metrics = self.call(s, "Page.getLayoutMetrics", json!({}))?;
        let height = metrics["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(A4_HEIGHT as f64)
            .ceil()
            .clamp(A4_HEIGHT as f64, 16_000.0);
        self.call(
            s,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": A4_WIDTH, "height": height as u64, "deviceScaleFactor": 1, "mobile": false }),
        )?;
        let png = self.call(s, "Page.captureScreenshot", json!({ "format": "png" }))?;
        let png = data_encoding::BASE64
            .decode(png["data"].as_str().ok_or("no screenshot data")?.as_bytes())
            .map_err(|e| format!("screenshot: {e}"))?;
        std::fs::write(shot, &png).map_err(|e| format!("{}: {e}", shot.display()))?;
        self.call(None, "Target.closeTarget", json!({ "targetId": target }))?;
        self.events.retain(|m| m["sessionId"] != session.as_str());
        Ok(Page {
            findings,
            facts,
            png,
        })
    }

    /// What the page's events tell: script errors, console and log errors, failed loads,
    /// error statuses, and any request beyond the page itself and data: URLs.
    fn events_findings(&self, session: &str, url: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut urls = std::collections::HashMap::new();
        for m in self.events.iter().filter(|m| m["sessionId"] == session) {
            let p = &m["params"];
            match m["method"].as_str().unwrap_or("") {
                "Runtime.exceptionThrown" => {
                    let d = &p["exceptionDetails"];
                    let what = d["exception"]["description"]
                        .as_str()
                        .or(d["text"].as_str())
                        .unwrap_or("?");
                    out.push(format!(
                        "script error: {what} (line {})",
                        d["lineNumber"].as_i64().map_or(-1, |l| l + 1)
                    ));
                }
                "Runtime.consoleAPICalled"
                    if matches!(p["type"].as_str(), Some("error" | "assert")) =>
                {
                    let args: Vec<String> = p["args"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|v| match &v["value"] {
                                    Value::String(s) => s.clone(),
                                    Value::Null => v["description"].as_str().unwrap_or("").into(),
                                    x => x.to_string(),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    out.push(format!("console error: {}", args.join(" ")));
                }
                "Log.entryAdded" if p["entry"]["level"] == "error" => {
                    let e = &p["entry"];
                    out.push(format!(
                        "log error ({}): {} {}",
                        e["source"].as_str().unwrap_or("?"),
                        e["text"].as_str().unwrap_or(""),
                        e["url"].as_str().unwrap_or("")
                    ));
                }
                "Network.requestWillBeSent" => {
                    let u = p["request"]["url"].as_str().unwrap_or("").to_string();
                    urls.insert(p["requestId"].to_string(), u.clone());
                    if u != url && !u.starts_with("data:") {
                        out.push(format!("not self-contained: the page requests {u}"));
                    }
                }
                "Network.responseReceived" => {
                    let r = &p["response"];
                    if r["status"].as_f64().is_some_and(|s| s >= 400.0) {
                        out.push(format!(
                            "HTTP {} for {}",
                            r["status"],
                            r["url"].as_str().unwrap_or("")
                        ));
                    }
                }
                "Network.loadingFailed" => {
                    let u = urls.get(&p["requestId"].to_string()).cloned();
                    out.push(format!(
                        "load failed: {} {}{}",
                        u.unwrap_or_default(),
                        p["errorText"].as_str().unwrap_or(""),
                        p["blockedReason"]
                            .as_str()
                            .map(|b| format!(" (blocked: {b})"))
                            .unwrap_or_default()
                    ));
                }
                _ => {}
            }
        }
        out
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call(None, "Browser.close", json!({}));
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        kill_group(&mut self.child);
    }
}

/// Ends Chromium and every process it started (its own process group).
fn kill_group(child: &mut Child) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on the process group this test started and nothing else.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.wait();
}

/// What the page says of itself, read after it has loaded.
const FACTS: &str = r#"(() => {
  const doc = document.documentElement;
  const cut = s => s.replace(/\s+/g, ' ').trim().slice(0, 60);
  const all = Array.from(document.body ? document.body.querySelectorAll('*') : []);
  const over = all.filter(e => e.getBoundingClientRect().right > innerWidth + 0.5
    || (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'));
  const wide = over.filter(e => !over.some(o => o !== e && e.contains(o))).slice(0, 6)
    .map(e => `<${e.tagName.toLowerCase()}> ${Math.round(e.getBoundingClientRect().width)} px: ${cut(e.textContent)}`);
  const svgs = Array.from(document.querySelectorAll('svg')).map(s => {
    const r = s.getBoundingClientRect();
    return { label: s.getAttribute('aria-label') || '', width: r.width, height: r.height };
  });
  // A figure in a table cell broken across two lines: a line break between two of its digits
  // (the browser may break after a hyphen, as in a date, but never inside a number).
  const figure = c => /[0-9.,]/.test(c);
  const split = [];
  for (const td of document.querySelectorAll('td')) {
    const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    let prev = null;
    for (let t = walk.nextNode(); t; t = walk.nextNode()) {
      for (let i = 0; i < t.data.length; i++) {
        const r = document.createRange();
        r.setStart(t, i); r.setEnd(t, i + 1);
        const box = r.getClientRects()[0];
        const cur = box ? { c: t.data[i], top: box.top } : null;
        if (cur && prev && figure(prev.c) && figure(cur.c) && cur.top > prev.top + 1) {
          split.push(cut(td.textContent));
        }
        if (cur) prev = cur;
      }
    }
  }
  return { scrollWidth: doc.scrollWidth, innerWidth, wide, svgs, split, title: document.title };
})()"#;

struct Page {
    findings: Vec<String>,
    facts: Value,
    png: Vec<u8>,
}

impl Page {
    fn svg_labels(&self) -> Vec<String> {
        self.facts["svgs"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| s["label"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn width_findings(facts: &Value) -> Vec<String> {
    let w = facts["scrollWidth"].as_u64().unwrap_or(u64::MAX);
    if w <= A4_WIDTH {
        return Vec::new();
    }
    let wide: Vec<&str> = facts["wide"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    vec![format!(
        "wider than A4: {w} px > {A4_WIDTH} px; past the edge: {}",
        wide.join(" | ")
    )]
}

/// Every `<svg>…</svg>` in the file as written, outermost ones only.
fn svg_sources(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<svg").map(|i| i + at) {
        let mut depth = 0;
        let mut i = start;
        let end = loop {
            let open = lower[i..].find("<svg").map(|k| k + i);
            let close = lower[i..].find("</svg>").map(|k| k + i);
            match (open, close) {
                (Some(o), Some(c)) if o < c => {
                    depth += 1;
                    i = o + 4;
                }
                (_, Some(c)) => {
                    depth -= 1;
                    i = c + 6;
                    if depth == 0 {
                        break Some(i);
                    }
                }
                (_, None) => break None,
            }
        };
        match end {
            Some(e) => {
                out.push(&html[start..e]);
                at = e;
            }
            None => {
                out.push(&html[start..]);
                break;
            }
        }
    }
    out
}

/// Each inline SVG must be well-formed XML as written (a strict parser, not the browser's
/// forgiving one), be all of it in the page, and take room there. (A chart with nothing to show
/// may draw no shape: that is no fault here.)
fn svg_findings(source: &str, facts: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let written = svg_sources(source);
    for (i, svg) in written.iter().enumerate() {
        if let Err(e) = roxmltree::Document::parse(svg) {
            let head: String = svg.chars().take(80).collect();
            out.push(format!("SVG {} does not parse as XML: {e}: {head}…", i + 1));
        }
    }
    let shown = facts["svgs"].as_array().cloned().unwrap_or_default();
    if shown.len() != written.len() {
        out.push(format!(
            "SVG: {} written, {} in the page",
            written.len(),
            shown.len()
        ));
    }
    for (i, s) in shown.iter().enumerate() {
        let w = s["width"].as_f64().unwrap_or(0.0);
        let h = s["height"].as_f64().unwrap_or(0.0);
        if w < 1.0 || h < 1.0 {
            out.push(format!(
                "SVG {} draws nothing ({w}×{h}): {}",
                i + 1,
                s["label"]
            ));
        }
    }
    out
}

fn file_url(p: &Path) -> String {
    let p = p.canonicalize().expect("canonical path");
    let mut url = String::from("file://");
    for b in p.to_str().expect("a UTF-8 path").bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Checks the file at `path` and stores its screenshot beside it; with `show`, copies the
/// screenshot to SIGNOFF_SCREENSHOTS when that names a folder.
fn check_file(b: &mut Browser, path: &Path, name: &str, show: bool) -> Page {
    let source = std::fs::read_to_string(path).expect("the page");
    let shot = path.with_file_name(format!("{name}.png"));
    let page = b
        .check(&file_url(path), &source, &shot)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        page.png.starts_with(b"\x89PNG\r\n\x1a\n") && page.png.len() > 1000,
        "{name}: the screenshot is no PNG"
    );
    let width = u32::from_be_bytes(page.png[16..20].try_into().expect("IHDR width"));
    assert_eq!(u64::from(width), A4_WIDTH, "{name}: the screenshot's width");
    if let Some(dir) = std::env::var_os("SIGNOFF_SCREENSHOTS").filter(|d| show && !d.is_empty()) {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the screenshots folder");
        let to = dir.join(format!("{name}.png"));
        std::fs::copy(&shot, &to).expect("copy the screenshot");
        eprintln!("{name}: {}", to.display());
    }
    page
}

// ---------------------------------------------------------------------------------------------
// The store and the pages.

fn run(env: &Env, user: &str, args: &[&str]) -> String {
    let out = env.cmd(user).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "signoff {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A reference with no place to break a line: as wide as two pages unless the page wraps it.
const LONG: &str = "REF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";

/// A complaint whose subject, text and reply carry [`LONG`], in a division whose name has no
/// space either; late, with a score of 1 and contact wanted, so that the pack reads it in full.
fn long_csv() -> String {
    format!(
        "Ticket ID,Created,Channel,Requester,Requester email,Group,Product,Subject,Description,Public reply,Replied,Assignee,Likelihood to recommend,Wants contact\n\
         L-1,2026-11-17 09:00:00,email,Maximiliana Wolfe,max.wolfe@example.com,CustomerExperienceAndRetentionOperationsEMEA,Card,{LONG},My reference {LONG} was refused.,\"Hi Max, reference {LONG} is accepted now.\",2026-11-20 10:00:00,Agent 1,1,yes\n"
    )
}

/// Five weeks of likelihood-to-recommend scores in four divisions, a week of hostile text
/// (markup, formulas, a division named like a spreadsheet formula) and a complaint of unbroken
/// text, sampled and reviewed: signed, pushed back, CARs opened by the import rules and one
/// worked to a root cause. So the pack draws every chart it has.
fn reviewed() -> Env {
    let env = Env::with_config(&format!("{}{CONFIG_MAIL}", common::CONFIG));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let long = env.dir.path().join("long.csv");
    std::fs::write(&long, long_csv()).expect("long.csv");
    for (src, clock) in [
        (
            root.join("tests/fixtures/rollup/week.csv"),
            "2026-11-16T09:00:00Z",
        ),
        (
            root.join("tests/fixtures/report/hd_hostile.csv"),
            common::NOW,
        ),
        (long, common::NOW),
    ] {
        let file = env.dir.path().join(src.file_name().expect("name"));
        if file != src {
            std::fs::copy(&src, &file).expect("copy fixture");
        }
        env.cmd("alex")
            .env("SIGNOFF_TEST_CLOCK", clock)
            .arg("import")
            .arg(&file)
            .assert()
            .success();
    }
    run(
        &env,
        "dana",
        &["sample", "--size", "10", "--all", "--seed", "3"],
    );
    for r in ["W-B1", "W-S1", "W-S2", "W-L1", "W-C1", "H-1", "H-2", "L-1"] {
        run(&env, "dana", &["approve", r]);
    }
    for (r, reasons, due) in [
        ("W-S3", "canned", "2026-11-25"),
        ("W-L4", "canned,late", "2026-11-20"),
    ] {
        run(
            &env,
            "dana",
            &[
                "push-back",
                r,
                "--reason",
                reasons,
                "--note",
                "Say what happened.",
                "--due",
                due,
            ],
        );
    }
    run(
        &env,
        "priya",
        &[
            "car",
            "contact",
            "CAR-1",
            "--outcome",
            "Reached, refund agreed",
        ],
    );
    run(
        &env,
        "priya",
        &[
            "car",
            "cause",
            "CAR-1",
            "--category",
            "process",
            "--note",
            "Roaming plan not applied",
        ],
    );
    env
}

/// Every chart the pack can draw.
const CHARTS: [&str; 8] = [
    "Sampled items by outcome, per division",
    "Complaints per period with push-back rate and canned share",
    "Answers per period with the shares who would recommend and who would not",
    "Push-back reasons",
    "Responses by time to answer",
    "CARs opened per division",
    "CARs overdue per division",
    "Root causes recorded",
];

#[test]
fn the_pack_and_letters_render_cleanly_at_a4_width() {
    let test = "the_pack_and_letters_render_cleanly_at_a4_width";
    let Some(mut b) = browser(test) else {
        return;
    };
    let env = reviewed();
    let dir = env.dir.path().to_path_buf();
    let mut pages = Vec::new();
    // The month (its trend by month) and a week (its trend by week, with five weeks of scores).
    for (name, period) in [("pack-month", "month"), ("pack-week", "2026-W46")] {
        let path = dir.join(format!("{name}.html"));
        let p = path.display().to_string();
        run(
            &env,
            "dana",
            &[
                "report", "--period", period, "--format", "html", "--out", &p,
            ],
        );
        pages.push((path, name.to_string()));
    }
    // An ordinary letter, one whose customer and reply are hostile text, one of unbroken text.
    for r in ["W-B1", "H-1", "L-1"] {
        let path = dir.join(format!("letter-{r}.html"));
        let p = path.display().to_string();
        run(
            &env,
            "dana",
            &["letter", r, "--format", "html", "--out", &p],
        );
        pages.push((path, format!("letter-{r}")));
    }

    let mut failures = Vec::new();
    for (path, name) in &pages {
        let page = check_file(&mut b, path, name, true);
        // The month's pack draws every chart; the week's (before the sample) its trends.
        let charts: &[&str] = match name.as_str() {
            "pack-month" => &CHARTS,
            "pack-week" => &CHARTS[1..3],
            _ => &[],
        };
        let labels = page.svg_labels();
        for chart in charts {
            assert!(
                labels.iter().any(|l| l == chart),
                "{name} draws no chart {chart:?}: {labels:?}"
            );
        }
        if name == "pack-month" || name == "letter-L-1" {
            let source = std::fs::read_to_string(path).expect("the page");
            assert!(
                source.contains(LONG),
                "{name} lacks the unbroken reference, so its width is not tried"
            );
        }
        failures.extend(page.findings.iter().map(|f| format!("{name}: {f}")));
    }
    assert!(
        failures.is_empty(),
        "in Chromium at A4 width:\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The checker, on pages with one fault each.

/// Answers on loopback: `/page.html` with `page`, anything else 404. Ends when `stop` is set,
/// after a minute, or after 50 connections.
fn serve(page: String, stop: Arc<AtomicBool>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(60);
        let mut served = 0;
        while !stop.load(Ordering::Relaxed) && Instant::now() < until && served < 50 {
            let Ok((mut s, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            served += 1;
            let page = page.clone();
            std::thread::spawn(move || {
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let (status, body) = if req.starts_with(b"GET /page.html ") {
                    ("200 OK", page)
                } else {
                    ("404 Not Found", "not here".to_string())
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    port
}

fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title></head><body>{body}</body></html>"
    )
}

#[test]
fn the_checker_catches_each_kind_of_fault() {
    let test = "the_checker_catches_each_kind_of_fault";
    let Some(mut b) = browser(test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("other.css"), "p { color: red }").expect("css");
    let svg_ok = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="100"><rect width="5" height="5"/><text x="1" y="9">A &amp; B</text></svg>"#;
    let dot = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let cases: [(&str, String, &[&str]); 8] = [
        (
            "clean",
            page(&format!(
                "<p>Fine, with a data: image and a chart.</p>{svg_ok}<img src=\"{dot}\" alt=\"\">"
            )),
            &[],
        ),
        (
            "script-error",
            page("<script>null.planted();</script>"),
            &["script error: TypeError"],
        ),
        (
            "console-error",
            page("<script>console.error('planted');</script>"),
            &["console error: planted"],
        ),
        (
            "missing-image",
            page("<img src=\"no-such.png\" alt=\"\">"),
            &[
                "not self-contained: the page requests file://",
                "load failed: file://",
                "log error (network)",
            ],
        ),
        (
            "other-file",
            page("<link rel=\"stylesheet\" href=\"other.css\"><p>x</p>"),
            &["not self-contained: the page requests file://"],
        ),
        (
            "too-wide",
            page(&format!("<h1>{LONG}</h1>")),
            &["wider than A4: "],
        ),
        (
            "split-figure",
            page("<table style=\"width: 40px\"><tr><td style=\"overflow-wrap: anywhere\">12345678</td></tr></table>"),
            &["a figure broken across lines: 12345678"],
        ),
        (
            "broken-svg",
            page("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><text x=\"1\" y=\"9\">Q&A <b></text></svg>"),
            &["SVG 1 does not parse as XML"],
        ),
    ];
    for (name, html, expected) in &cases {
        let path = dir.path().join(format!("{name}.html"));
        std::fs::write(&path, html).expect("write page");
        let got = check_file(&mut b, &path, name, false).findings;
        if expected.is_empty() {
            assert!(
                got.is_empty(),
                "{name}: a clean page found at fault: {got:?}"
            );
        }
        for e in *expected {
            assert!(
                got.iter().any(|f| f.starts_with(e)),
                "{name}: expected a finding starting {e:?}, got {got:?}"
            );
        }
    }

    // A resource that answers 404, on a page served on loopback.
    let stop = Arc::new(AtomicBool::new(false));
    let port = serve(page("<img src=\"/gone.png\" alt=\"\">"), stop.clone());
    let url = format!("http://127.0.0.1:{port}/page.html");
    let got = b
        .check(&url, "", &dir.path().join("status.png"))
        .unwrap_or_else(|e| panic!("the served page: {e}"))
        .findings;
    stop.store(true, Ordering::Relaxed);
    let gone = format!("HTTP 404 for http://127.0.0.1:{port}/gone.png");
    assert!(got.contains(&gone), "a 404 goes unseen: {got:?}");
}
