use super::*;
use crate::import::profile::Profile;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn field<'d>(d: &'d Draft, f: &str) -> Option<&'d str> {
    d.guesses
        .iter()
        .find(|g| g.field == f)
        .map(|g| g.column.as_str())
}

const REGULATOR: &[&str] = &[
    "Ticket ID",
    "Ticket Created",
    "Date of Issue",
    "Method",
    "Issue Type",
    "Issue",
    "Caller ID Number",
    "City",
    "State",
    "Zip",
    "Description",
];

fn regulator_rows() -> Vec<Vec<String>> {
    let rows: &[[&str; 11]] = &[
        [
            "5001",
            "10/28/2026 09:14:00 AM",
            "10/27/2026",
            "Phone",
            "Phone",
            "Robocalls",
            "555-010-1001",
            "Dayton",
            "OH",
            "45402",
            "A recorded voice calls me every morning about my car warranty.",
        ],
        [
            "5002",
            "10/29/2026 01:05:00 PM",
            "10/29/2026",
            "Internet",
            "Internet",
            "Billing",
            "555-010-1002",
            "Austin",
            "TX",
            "73301",
            "My bill doubled this month and nobody explains why, twice I asked.",
        ],
        [
            "5003",
            "11/02/2026 04:30:00 PM",
            "11/01/2026",
            "Internet",
            "TV",
            "Availability",
            "555-010-1003",
            "Boise",
            "ID",
            "83702",
            "The channel package I pay for has been missing for a week now.",
        ],
        [
            "5004",
            "11/03/2026 08:00:00 AM",
            "11/03/2026",
            "Phone",
            "Phone",
            "Robocalls",
            "",
            "Dayton",
            "OH",
            "45402",
            "Calls from spoofed local numbers, five a day, even on weekends.",
        ],
        [
            "5005",
            "11/13/2026 10:45:00 AM",
            "11/12/2026",
            "Wireless",
            "Internet",
            "Speed",
            "555-010-1005",
            "Salem",
            "OR",
            "97301",
            "Paying for 300 Mbps and getting 20 in the evenings, every day.",
        ],
        [
            "5006",
            "11/14/2026 11:15:00 AM",
            "11/14/2026",
            "Phone",
            "Phone",
            "Billing",
            "555-010-1006",
            "Austin",
            "TX",
            "73301",
            "Charged for a line I cancelled in writing two months ago.",
        ],
    ];
    rows.iter().map(|r| strings(r)).collect()
}

#[test]
fn a_regulator_export_is_mapped_by_names_and_values() {
    let header = strings(REGULATOR);
    let d = draft("fcc", &header, 1, &regulator_rows());
    assert_eq!(field(&d, "external_id"), Some("Ticket ID"));
    assert_eq!(field(&d, "received_at"), Some("Ticket Created"));
    assert_eq!(field(&d, "complaint"), Some("Description"));
    assert_eq!(field(&d, "division"), Some("Issue Type"));
    assert_eq!(field(&d, "channel"), Some("Method"));
    assert_eq!(field(&d, "subject"), Some("Issue"));
    assert_eq!(field(&d, "contact"), Some("Caller ID Number"));
    assert_eq!(field(&d, "responded_at"), None);
    assert_eq!(d.date_order, DateOrder::Mdy);
    assert_eq!(d.date_formats, ["%m/%d/%Y %I:%M:%S %p"]);
    let unmapped: Vec<&str> = d.unmapped.iter().map(|u| u.column.as_str()).collect();
    assert_eq!(unmapped, ["Date of Issue", "City", "State", "Zip"]);
    assert!(
        d.unmapped[0].note.starts_with("dates such as"),
        "{:?}",
        d.unmapped
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);

    let text = d.toml(&["drafted from fcc.csv".into()], "Drafted from fcc.csv");
    let p = Profile::parse(&text, "draft").expect(&text);
    assert!(p.header_matches(&header), "{text}");
    assert_eq!(
        p.defaults.get("division").map(String::as_str),
        Some(DEFAULT_DIVISION)
    );
    assert!(text.contains("#   \"Zip\": "), "{text}");
}

#[test]
fn scores_yes_no_emails_replies_and_day_first_dates() {
    let header = strings(&[
        "Case No",
        "Opened",
        "Customer Name",
        "Email",
        "Team",
        "Message",
        "Reply",
        "Replied At",
        "How likely are you to recommend us?",
        "Please contact me",
        "Satisfied",
    ]);
    let rows: Vec<Vec<String>> = [
        [
            "C-1",
            "25/10/2026 09:00",
            "Ann Lee",
            "ann@example.com",
            "Billing",
            "I was charged twice for one order and want it back.",
            "Sorry, refunded today.",
            "26/10/2026 10:00",
            "3",
            "yes",
            "no",
        ],
        [
            "C-2",
            "03/11/2026 14:30",
            "Bo Chan",
            "bo@example.org",
            "Support",
            "The app logs me out every few minutes since the update.",
            "A fix ships Friday.",
            "04/11/2026 09:15",
            "7",
            "no",
            "yes",
        ],
        [
            "C-3",
            "04/11/2026 08:10",
            "Cy Diaz",
            "cy@example.net",
            "Billing",
            "Nobody answers the phone line after 4 pm on weekdays.",
            "",
            "",
            "10",
            "Y",
            "no",
        ],
    ]
    .iter()
    .map(|r| strings(r))
    .collect();
    let d = draft("survey", &header, 3, &rows);
    assert_eq!(field(&d, "external_id"), Some("Case No"));
    assert_eq!(field(&d, "received_at"), Some("Opened"));
    assert_eq!(field(&d, "responded_at"), Some("Replied At"));
    assert_eq!(field(&d, "customer"), Some("Customer Name"));
    assert_eq!(field(&d, "contact"), Some("Email"));
    assert_eq!(field(&d, "division"), Some("Team"));
    assert_eq!(field(&d, "complaint"), Some("Message"));
    assert_eq!(field(&d, "response"), Some("Reply"));
    assert_eq!(
        field(&d, "likelihood"),
        Some("How likely are you to recommend us?")
    );
    assert_eq!(field(&d, "wants_contact"), Some("Please contact me"));
    assert_eq!(d.date_order, DateOrder::Dmy);
    assert_eq!(d.unmapped.len(), 1);
    assert!(
        d.unmapped[0].note.contains("wants_contact"),
        "{:?}",
        d.unmapped
    );
    let text = d.toml(&[], "x");
    let p = Profile::parse(&text, "draft").expect(&text);
    assert!(p.values.contains_key("wants_contact"));
    assert_eq!(p.header.search_lines, 20);
}

#[test]
fn what_cannot_be_told_is_said() {
    // No division, ids that repeat, dates that read both ways, a column named twice.
    let header = strings(&["Ref", "Date", "Text", "Note", "Note"]);
    let rows: Vec<Vec<String>> = [
        [
            "A",
            "03/04/2026",
            "The parcel came open and half the items were missing.",
            "x",
            "y",
        ],
        [
            "A",
            "05/06/2026",
            "Second time this month the driver left it in the rain.",
            "x",
            "y",
        ],
    ]
    .iter()
    .map(|r| strings(r))
    .collect();
    let d = draft("odd", &header, 1, &rows);
    assert_eq!(field(&d, "external_id"), Some("Ref"));
    assert_eq!(d.date_order, DateOrder::Auto);
    let all = d.warnings.join("\n");
    assert!(all.contains("no column is unique"), "{all}");
    assert!(all.contains("--date-order"), "{all}");
    assert!(all.contains("division"), "{all}");
    assert!(
        d.unmapped.iter().all(|u| u.note.contains("more than once")),
        "{:?}",
        d.unmapped
    );
    let text = d.toml(&[], "x");
    assert!(text.contains("# CHECK: no column is unique"), "{text}");
    Profile::parse(&text, "draft").expect(&text);
}

#[test]
fn a_header_without_rows_is_drafted_from_names() {
    let header = strings(&["ticket_id", "created_at", "description", "group"]);
    let d = draft("empty", &header, 1, &[]);
    assert_eq!(field(&d, "external_id"), Some("ticket_id"));
    assert_eq!(field(&d, "received_at"), Some("created_at"));
    assert_eq!(field(&d, "complaint"), Some("description"));
    assert_eq!(field(&d, "division"), Some("group"));
    assert!(d.warnings[0].contains("no rows"), "{:?}", d.warnings);
}
