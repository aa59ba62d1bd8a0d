use super::*;

fn norm() -> Normaliser {
    Normaliser::new(&["dear".into(), "hi".into(), "hello".into()])
}

#[test]
fn names_numbers_dates_and_addresses_are_masked() {
    let n = norm();
    let (a, words) = n.normalise(
        "Dear Lucía, we apologise for any inconvenience caused. Your reference number is 830957. Kind regards, Customer Care",
        &["Lucía Fernández"],
    );
    assert_eq!(
        a,
        "dear <name> we apologise for any inconvenience caused your reference number is <n> kind regards customer care"
    );
    assert_eq!(words, 17);
    let (b, _) = n.normalise(
        "Dear   Abena,\nwe apologise for any inconvenience caused.  Your reference number is 538121. Kind regards, Customer Care",
        &["Abena Owusu"],
    );
    assert_eq!(a, b);
    let (c, _) = n.normalise(
        "I'll ring on Monday 7 September, or mail ann.smith@example.com; see https://x.example/a. You may call.",
        &["Ann Smith"],
    );
    assert_eq!(
        c,
        "i'll ring on <date> <n> <date> or mail <email> see <link> you may call"
    );
    // The customer's name is masked wherever it appears.
    let (d, _) = n.normalise("Thanks SMITH, refunded £5.20.", &["Ann Smith"]);
    assert_eq!(d, "thanks <name> refunded <n>");
}

#[test]
fn hash_is_stable_and_spreads() {
    assert_eq!(hash64(b"abc"), hash64(b"abc"));
    assert_ne!(hash64(b"abc"), hash64(b"abd"));
    assert_ne!(hash64(b""), hash64(b"\0"));
    assert_ne!(hash64(b"12345678"), hash64(b"123456789"));
}

#[test]
fn similar_texts_cluster_and_distinct_ones_do_not() {
    let n = norm();
    let base = "we are sorry to hear about your experience please allow five working days for our team to review your case and we will write to you";
    let texts = [
        base.to_string(),
        base.replace("five", "ten"),
        base.replace("write to you", "write to you soon"),
        "the engineer will visit on the day you chose and bring a replacement router".into(),
        "your refund was sent to the card you paid with and shows within three days".into(),
    ];
    let sigs: Vec<_> = texts
        .iter()
        .map(|t| signature(&n.normalise(t, &[]).0, 3))
        .collect();
    assert!(similarity(&sigs[0], &sigs[0]) == 1.0);
    assert!(similarity(&sigs[0], &sigs[3]) < 0.3);
    let roots = cluster(&sigs, 0.6);
    assert_eq!(roots[0], roots[1]);
    assert_eq!(roots[0], roots[2]);
    assert_ne!(roots[0], roots[3]);
    assert_ne!(roots[3], roots[4]);
    assert_eq!(cluster(&[], 0.8), Vec::<u32>::new());
}

#[test]
fn short_texts_have_one_shingle() {
    let a = signature("thanks", 3);
    assert_eq!(a, signature("thanks", 3));
    assert!(similarity(&a, &signature("thank you", 3)) < 0.5);
}

#[test]
fn explanations_count_customers() {
    assert_eq!(thousands(1204), "1 204");
    assert_eq!(thousands(7), "7");
    assert_eq!(thousands(1_000_000), "1 000 000");
    assert_eq!(explain(40, 40), "this exact reply went to 40 customers");
    assert_eq!(
        explain(1, 52),
        "this exact reply went to 1 customer; with near-identical variants, to 52"
    );
}
