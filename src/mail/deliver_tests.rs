use std::cell::RefCell;

use super::*;

/// The outbox in memory, as the store keeps it.
struct Memory {
    items: Vec<Item>,
    /// Message ids built so far: the second build of one message would differ.
    builds: u32,
}

impl Memory {
    fn new(n: i64) -> Memory {
        Memory {
            items: (1..=n)
                .map(|id| Item {
                    id,
                    kind: "notice".into(),
                    complaint_id: None,
                    decision_id: None,
                    recipient: Some(format!("p{id}@example.com")),
                    subject: Some("s".into()),
                    body: Some("b".into()),
                    author: "dana".into(),
                    author_name: None,
                    queued_at: 0,
                    message_id: None,
                    state: "queued".into(),
                    content: None,
                    attempts: 0,
                    attempted_at: None,
                    sent_at: None,
                    reply: None,
                    note: None,
                })
                .collect(),
            builds: 0,
        }
    }

    fn waiting(&self) -> Vec<Item> {
        self.items
            .iter()
            .filter(|i| i.state == "queued" || i.state == "sending")
            .cloned()
            .collect()
    }

    fn set(&mut self, id: i64, state: &str) {
        if let Some(i) = self.items.iter_mut().find(|i| i.id == id) {
            i.state = state.into();
        }
    }
}

impl Book for Memory {
    fn compose(&mut self, item: &Item) -> anyhow::Result<Result<Composed, Withhold>> {
        self.builds += 1;
        Ok(Ok(Composed {
            to: item.recipient.clone().unwrap_or_default(),
            message_id: format!("<{}.{}@x>", item.id, self.builds),
            bytes: format!("message {} build {}", item.id, self.builds).into_bytes(),
        }))
    }
    fn intend(&mut self, item: &Item, c: &Composed) -> anyhow::Result<bool> {
        let i = self
            .items
            .iter_mut()
            .find(|i| i.id == item.id)
            .expect("item");
        if i.attempts != item.attempts {
            return Ok(false);
        }
        i.state = "sending".into();
        i.attempts += 1;
        i.message_id = Some(c.message_id.clone());
        i.content = Some(c.bytes.clone());
        Ok(true)
    }
    fn sent(&mut self, id: i64, _reply: &str) -> anyhow::Result<()> {
        self.set(id, "sent");
        Ok(())
    }
    fn deferred(&mut self, id: i64, _note: &str) -> anyhow::Result<()> {
        self.set(id, "queued");
        Ok(())
    }
    fn failed(&mut self, id: i64, _note: &str) -> anyhow::Result<()> {
        self.set(id, "failed");
        Ok(())
    }
    fn withdrawn(&mut self, id: i64, _note: &str) -> anyhow::Result<()> {
        self.set(id, "withdrawn");
        Ok(())
    }
}

/// A server that takes messages, answering each with what `script` says for its turn.
struct Server {
    got: RefCell<Vec<(String, String)>>,
    script: RefCell<Vec<Option<Failure>>>,
}

impl Server {
    fn new(script: Vec<Option<Failure>>) -> Server {
        Server {
            got: RefCell::new(Vec::new()),
            script: RefCell::new(script),
        }
    }
}

impl Transport for Server {
    fn send(&self, _from: &str, _to: &str, id: &str, bytes: &[u8]) -> Result<String, Failure> {
        let next = {
            let mut s = self.script.borrow_mut();
            if s.is_empty() {
                None
            } else {
                s.remove(0)
            }
        };
        match next {
            Some(f @ Failure::NotSent { .. }) => Err(f),
            Some(Failure::Uncertain(r)) => {
                // The server got it; the client never heard.
                self.got
                    .borrow_mut()
                    .push((id.to_string(), String::from_utf8_lossy(bytes).into()));
                Err(Failure::Uncertain(r))
            }
            None => {
                self.got
                    .borrow_mut()
                    .push((id.to_string(), String::from_utf8_lossy(bytes).into()));
                Ok("250 ok".into())
            }
        }
    }
    fn describe(&self) -> String {
        "test".into()
    }
}

fn later() -> Failure {
    Failure::NotSent {
        lasting: false,
        unreachable: false,
        reason: "451 try later".into(),
    }
}

#[test]
fn a_refused_message_goes_next_time_as_it_was_built_and_nothing_goes_twice() {
    let mut book = Memory::new(3);
    let server = Server::new(vec![None, Some(later()), Some(later())]);
    let items = book.waiting();
    let lines = run(
        &items,
        &mut book,
        &server,
        "ceo@x.example",
        Options::default(),
    )
    .expect("run");
    let outcomes: Vec<Outcome> = lines.iter().map(|l| l.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Sent, Outcome::Deferred, Outcome::Deferred]
    );
    let first_build = book.items[1].content.clone();
    let items = book.waiting();
    assert_eq!(items.len(), 2);
    run(
        &items,
        &mut book,
        &server,
        "ceo@x.example",
        Options::default(),
    )
    .expect("again");
    let items = book.waiting();
    run(
        &items,
        &mut book,
        &server,
        "ceo@x.example",
        Options::default(),
    )
    .expect("once more");
    let got = server.got.borrow();
    assert_eq!(got.len(), 3, "each message once: {got:?}");
    assert_eq!(
        Some(got[1].1.clone().into_bytes()),
        first_build,
        "the retry sent the bytes of the first attempt"
    );
}

#[test]
fn a_message_whose_outcome_is_unknown_is_held_back_then_resent_unchanged_on_request() {
    let mut book = Memory::new(2);
    let server = Server::new(vec![Some(Failure::Uncertain("lost".into()))]);
    let items = book.waiting();
    let lines = run(
        &items,
        &mut book,
        &server,
        "f@x.example",
        Options::default(),
    )
    .expect("run");
    assert_eq!(lines[0].outcome, Outcome::Uncertain);
    assert_eq!(lines[1].outcome, Outcome::Sent);
    assert_eq!(book.items[0].state, "sending");
    let items = book.waiting();
    let lines = run(
        &items,
        &mut book,
        &server,
        "f@x.example",
        Options::default(),
    )
    .expect("run");
    assert_eq!(lines[0].outcome, Outcome::Held);
    assert!(lines[0].detail.contains("--resend-interrupted"));
    assert_eq!(server.got.borrow().len(), 2, "held back: no second copy");
    let items = book.waiting();
    let opts = Options {
        resend_interrupted: true,
        ..Options::default()
    };
    let lines = run(&items, &mut book, &server, "f@x.example", opts).expect("resend");
    assert_eq!(lines[0].outcome, Outcome::Sent);
    let got = server.got.borrow();
    assert_eq!(got.len(), 3);
    assert_eq!(
        got[0], got[2],
        "the same Message-ID and bytes: a recognisable duplicate"
    );
}

#[test]
fn an_unreachable_server_stops_the_run_and_a_stale_copy_of_the_list_sends_nothing() {
    let mut book = Memory::new(3);
    let server = Server::new(vec![Some(Failure::NotSent {
        lasting: false,
        unreachable: true,
        reason: "connection refused".into(),
    })]);
    let items = book.waiting();
    let lines = run(
        &items,
        &mut book,
        &server,
        "f@x.example",
        Options::default(),
    )
    .expect("run");
    assert!(lines.iter().all(|l| l.outcome == Outcome::Deferred));
    assert!(lines[2].detail.starts_with("not tried"));
    assert!(server.got.borrow().is_empty());
    // Two runs read the same list; the first to record its intent sends.
    let stale = book.waiting();
    run(
        &stale,
        &mut book,
        &server,
        "f@x.example",
        Options::default(),
    )
    .expect("first");
    let lines = run(
        &stale,
        &mut book,
        &server,
        "f@x.example",
        Options::default(),
    )
    .expect("second");
    assert!(lines
        .iter()
        .all(|l| l.outcome == Outcome::Skipped || l.outcome == Outcome::Held));
    assert_eq!(server.got.borrow().len(), 3);
}
