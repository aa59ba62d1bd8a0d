//! Signing and checking records: what a signature adds to a decision, and what `verify` spends
//! per record. No budget of its own; its anchor is `ssh-keygen -Y sign` on one record.
//!
//! cargo bench --bench sign

use std::process::{Command, Stdio};
use std::time::Instant;

use signoff::domain::decision::{Decision, Kind, GENESIS};
use signoff::domain::signing::RecordSigner;
use signoff::sign::{self, generate_ed25519, write_key_pair, KeySigner, SignerSource, TrustRoot};

fn record(i: i64, prev: &str) -> Decision {
    let mut d = Decision {
        id: i,
        complaint_id: i,
        sample_id: Some(1),
        kind: Kind::Approve,
        actor: "dana".into(),
        actor_name: "Dana Reyes".into(),
        actor_title: "Chief Executive".into(),
        at: 1_795_262_400 + i,
        statement: Some("I, Dana Reyes, Chief Executive, approve this message.".into()),
        reasons: None,
        note: None,
        due_at: None,
        body: None,
        retracts: None,
        text_hash: "ab".repeat(32),
        prev_hash: prev.to_string(),
        hash: String::new(),
        signature: None,
    };
    d.hash = d.compute_hash();
    d
}

fn main() {
    let n: i64 = 10_000;
    let dir = tempfile::tempdir().expect("dir");
    let key_path = dir.path().join("dana");
    let key = generate_ed25519("dana@bench").expect("key");
    write_key_pair(&key, &key_path).expect("write");
    let mut trust = TrustRoot::default();
    trust
        .add(
            "dana",
            &key.public_key().to_openssh().expect("pub"),
            None,
            None,
        )
        .expect("trust");
    let listed = trust.valid_keys("dana", 0);
    let signer =
        KeySigner::open(&SignerSource::KeyFile(key_path.clone()), "dana", &listed).expect("signer");

    let mut prev = GENESIS.to_string();
    let mut records = Vec::new();
    let t = Instant::now();
    for i in 1..=n {
        let mut d = record(i, &prev);
        d.signature = signer.sign(&d.canonical()).expect("sign");
        prev = d.hash.clone();
        records.push(d);
    }
    let signing = t.elapsed();
    let t = Instant::now();
    for d in &records {
        let c = sign::check(
            &trust,
            &d.actor,
            d.at,
            &d.canonical(),
            d.signature.as_deref(),
        );
        assert!(c.is_valid());
    }
    let checking = t.elapsed();

    // The anchor: ssh-keygen signing one record, as a whole process.
    let msg = dir.path().join("record");
    std::fs::write(&msg, records[0].canonical()).expect("msg");
    let runs = 20;
    let t = Instant::now();
    for _ in 0..runs {
        let _ = std::fs::remove_file(dir.path().join("record.sig"));
        let ok = Command::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "signoff", "-f"])
            .arg(&key_path)
            .arg(&msg)
            .stderr(Stdio::null())
            .status()
            .expect("ssh-keygen");
        assert!(ok.success());
    }
    let keygen = t.elapsed() / runs;
    println!(
        "sign (key file, Ed25519): {:.1} µs a record · check: {:.1} µs a record · ssh-keygen -Y sign, one record as a process: {:.2} ms",
        signing.as_secs_f64() * 1e6 / n as f64,
        checking.as_secs_f64() * 1e6 / n as f64,
        keygen.as_secs_f64() * 1e3
    );
}
