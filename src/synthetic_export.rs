//! Synthetic helpdesk exports, large and realistic enough for benchmarks and tests: pure data
//! generation from a seed, written as CSV.

use std::io::Write;

use chrono::{Duration, NaiveDate};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

const GROUPS: &[(&str, u32, &[&str])] = &[
    (
        "Billing",
        34,
        &["Home Broadband", "Mobile Plan", "Store Card"],
    ),
    (
        "Support",
        26,
        &["SmartHub 3", "Home Broadband", "Mobile App"],
    ),
    (
        "Logistics",
        18,
        &["Online Order", "Click and Collect", "Returns"],
    ),
    (
        "Warranty",
        14,
        &["Extended Warranty", "SmartHub 3", "Repair Service"],
    ),
    ("Sales", 8, &["Mobile Plan", "Store Card", "Upgrade Offer"]),
];
const CHANNELS: &[&str] = &["email", "web", "phone", "chat"];
const FIRST: &[&str] = &[
    "Ann", "Ben", "Chloé", "Dmitri", "Esra", "Farah", "Gustavo", "Hana", "Ivan", "José", "Kofi",
    "Lena", "Marta", "Nikhil", "Olu", "Paula", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Zoë",
];
const LAST: &[&str] = &[
    "Smith", "Okafor", "Núñez", "Kowalski", "Nguyen", "Haddad", "Müller", "Rossi", "Tanaka",
    "Ibrahim", "Silva", "O'Brien", "Petrov", "Larsen", "Mensah", "Dubois",
];
const SUBJECTS: &[&str] = &[
    "Billed twice this month",
    "Refund still pending",
    "Parcel left in the rain",
    "Technician did not turn up",
    "Cancelled but still charged",
    "Router keeps dropping",
    "Wrong item delivered",
    "Repair taking weeks",
    "Promised discount not applied",
    "Nobody answers my emails",
    "Card payment declined twice",
    "App will not log in",
];
const OPENERS: &[&str] = &[
    "I have been a customer for {n} years and this is the worst service I have had.",
    "On {d} I contacted you about order {o} and nothing has happened since.",
    "This is my third message about reference {o}.",
    "I was charged £{a} on {d} for something I never ordered.",
    "Your agent promised a call back within 24 hours on {d}.",
];
const MIDDLES: &[&str] = &[
    "The refund of £{a} was meant to arrive in 5 working days but it has now been {n} weeks.",
    "The courier marked the parcel as delivered but it was left outside in the rain and is ruined.",
    "The engineer never turned up and I took a day off work to wait for him.",
    "Every time I call I am put on hold for over an hour and then cut off.",
    "The router drops the connection {n} times a day and I work from home.",
    "I was told my contract would be cancelled, yet you took another £{a} this month.",
    "I want to speak to a manager about this, not another script.",
    "Please call me back on my mobile, I am available every afternoon.",
];
const CLOSERS: &[&str] = &[
    "I expect this to be fixed this week.",
    "Please sort this out.",
    "I will be telling everyone I know about this.",
    "I am thinking of leaving.",
    "Thank you in advance.",
    "I would like a full refund.",
];
const REPLIES: &[&str] = &[
    "Thank you for your feedback. Your concern has been noted.",
    "Dear {f}, we apologise for any inconvenience caused. Your reference number is {o}. Kind regards, Customer Care",
    "Hi {f}, I am sorry about the £{a} charge. I have refunded it today and it will show within 3 working days. I will call you on Friday to check it arrived.",
    "Hello {f}, thank you for your patience. I have booked a new engineer visit for {d} between 8am and 12pm and added a £{a} credit for the missed appointment.",
    "Hi {f}, I am sorry the parcel was damaged. A replacement left our warehouse today (order {o}) and the courier will ask for a signature.",
    "We are sorry to hear about your experience. Please allow 5-7 working days for our team to review your case.",
    "Dear {f}, I have escalated your case to my team leader, who will phone you within 24 hours. Your case number is {o}.",
];

struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn fill(&mut self, t: &str, first: &str, day: NaiveDate) -> String {
        let mut out = String::with_capacity(t.len() + 16);
        let mut rest = t;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let key = &rest[i + 1..i + 2];
            match key {
                "n" => out.push_str(&(2 + self.below(15)).to_string()),
                "a" => out.push_str(&format!("{}.{:02}", 5 + self.below(400), self.below(100))),
                "o" => out.push_str(&format!("{:06}", self.below(1_000_000))),
                "d" => out.push_str(
                    &(day - Duration::days(self.below(20) as i64))
                        .format("%d %B")
                        .to_string(),
                ),
                "f" => out.push_str(first),
                _ => {}
            }
            rest = &rest[i + 3..];
        }
        out.push_str(rest);
        out
    }
}

/// Writes a helpdesk export of `rows` tickets, header first: the same rows for the same seed
/// and `until` (the newest ticket's day; they spread over the 52 weeks before it).
pub fn write_helpdesk<W: Write>(
    w: &mut csv::Writer<W>,
    rows: u64,
    seed: u64,
    until: NaiveDate,
) -> csv::Result<()> {
    w.write_record([
        "Ticket ID",
        "Created",
        "Channel",
        "Requester",
        "Requester email",
        "Group",
        "Product",
        "Subject",
        "Description",
        "Public reply",
        "Replied",
        "Assignee",
        "Likelihood to recommend",
        "Wants contact",
    ])?;
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
    };
    let total_weight: u32 = GROUPS.iter().map(|g| g.1).sum();
    let span_secs = 52 * 7 * 86_400u64;
    let end = until.and_hms_opt(23, 59, 59).unwrap_or_default();
    for i in 0..rows {
        let mut pick = g.below(total_weight as u64) as u32;
        let (group, _, products) = GROUPS
            .iter()
            .find(|(_, w, _)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .copied()
            .unwrap_or(GROUPS[0]);
        // Tickets come in date order, as exports list them; a little jitter keeps it honest.
        let base = span_secs as i64 * (rows - i) as i64 / rows.max(1) as i64;
        let created = end - Duration::seconds(base + g.below(3600) as i64);
        let first = g.pick(FIRST);
        let last = g.pick(LAST);
        let day = created.date();
        let opener = g.pick_owned(OPENERS);
        let mut desc = g.fill(opener, first, day);
        desc.push(' ');
        let m = g.pick_owned(MIDDLES);
        desc.push_str(&g.fill(m, first, day));
        desc.push(' ');
        desc.push_str(g.pick(CLOSERS));
        let has_reply = g.below(100) >= 8;
        let reply = if has_reply {
            let r = g.pick_owned(REPLIES);
            g.fill(r, first, day)
        } else {
            String::new()
        };
        let replied = if has_reply {
            let late = g.below(10) == 0;
            (created
                + Duration::seconds(
                    600 + g.below(if late { 15 * 86_400 } else { 3 * 86_400 }) as i64,
                ))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
        } else {
            String::new()
        };
        let ltr = match g.below(10) {
            0 | 1 => String::new(),
            _ => g.below(11).to_string(),
        };
        w.write_record([
            format!("T-{:07}", i + 1).as_str(),
            &created.format("%Y-%m-%d %H:%M:%S").to_string(),
            g.pick(CHANNELS),
            &format!("{first} {last}"),
            &format!(
                "{}.{}{}@example.com",
                first.to_lowercase(),
                last.to_lowercase().replace('\'', ""),
                g.below(100)
            ),
            group,
            g.pick(products),
            g.pick(SUBJECTS),
            &desc,
            &reply,
            &replied,
            &format!("Agent {}", 1 + g.below(60)),
            &ltr,
            if g.below(100) < 15 { "yes" } else { "no" },
        ])?;
    }
    Ok(())
}

impl Gen {
    fn pick_owned(&mut self, xs: &'static [&'static str]) -> &'static str {
        xs[self.below(xs.len() as u64) as usize]
    }
}
