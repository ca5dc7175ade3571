//! The relay's API in process: requests sent to the library's `Router`
//! with `oneshot`, the database checked on its own. Every test runs on
//! SQLite and on a throwaway Postgres cluster. `tests/relay.rs` runs the
//! real binary for what needs a socket: start-up, signals, slow clients.
#![cfg(not(target_arch = "wasm32"))]

mod relay_support;

use relay_support::in_process::InProcess;
use relay_support::{Backend, TestDb, TICKET};
use signpost::relay::config::Flags;

on_both_backends!(
    a_reused_key_with_another_ticket_is_refused,
    bad_requests_are_refused_with_the_field_named_and_nothing_stored,
    a_ticket_not_sent_as_json_gets_415_naming_the_type,
    a_client_over_its_rate_gets_429_with_retry_after,
    behind_a_trusted_proxy_the_forwarded_address_is_rate_limited,
);

fn a_reused_key_with_another_ticket_is_refused(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = InProcess::start(&db, Flags::default());
    assert_eq!(relay.post(Some("key-reuse-0001"), TICKET, &[]).status, 201);
    let other = TICKET.replace("Wi-Fi", "Ethernet");
    let answer = relay.post(Some("key-reuse-0001"), &other, &[]);
    assert_eq!(answer.status, 422);
    assert_eq!(answer.json()["field"], "Idempotency-Key");
    assert_eq!(db.rows().len(), 1);
}

fn bad_requests_are_refused_with_the_field_named_and_nothing_stored(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = InProcess::start(&db, Flags::default());
    let no_key = relay.post(None, TICKET, &[]);
    assert_eq!(no_key.status, 400);
    assert_eq!(no_key.json()["field"], "Idempotency-Key");

    let malformed = relay.post(Some("key-bad-00001"), "{\"version\":1,", &[]);
    assert_eq!(malformed.status, 400);
    assert!(malformed.json()["error"]
        .as_str()
        .unwrap()
        .contains("invalid ticket JSON"));

    let wrong_type = relay.post(
        Some("key-bad-00002"),
        r#"{"version":"one","message":"x"}"#,
        &[],
    );
    assert_eq!(wrong_type.status, 400);
    assert_eq!(wrong_type.json()["field"], "version");

    let message_not_text = relay.post(
        Some("key-bad-00005"),
        r#"{"version":1,"message":["a"]}"#,
        &[],
    );
    assert_eq!(message_not_text.status, 400);
    assert_eq!(message_not_text.json()["field"], "message");

    let not_an_object = relay.post(Some("key-bad-00006"), "[1,2,3]", &[]);
    assert_eq!(not_an_object.status, 400);

    let bad_email = TICKET.replace("ana@example.com", "ana at example");
    let answer = relay.post(Some("key-bad-00003"), &bad_email, &[]);
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["field"], "email");

    let leaky_url = TICKET.replace("/setup", "/setup?token=secret");
    assert_eq!(
        relay.post(Some("key-bad-00004"), &leaky_url, &[]).json()["field"],
        "page_url"
    );

    assert!(db.rows().is_empty());
}

fn a_ticket_not_sent_as_json_gets_415_naming_the_type(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = InProcess::start(&db, Flags::default());
    // A cross-site form may post text/plain without a CORS preflight.
    for content_type in ["text/plain", "application/x-www-form-urlencoded", ""] {
        let answer = relay.post(
            Some("key-type-00001"),
            TICKET,
            &[("Content-Type", content_type)],
        );
        assert_eq!(answer.status, 415, "{content_type:?}: {}", answer.body);
        assert_eq!(answer.json()["field"], "Content-Type");
        assert!(
            answer.json()["error"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{}",
            answer.body
        );
    }
    assert!(db.rows().is_empty());
    // Parameters and case do not matter.
    let answer = relay.post(
        Some("key-type-00002"),
        TICKET,
        &[("Content-Type", "Application/JSON; charset=utf-8")],
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
}

fn a_client_over_its_rate_gets_429_with_retry_after(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = InProcess::start(
        &db,
        Flags {
            rate_burst: Some(2),
            rate_per_minute: Some(1),
            ..Flags::default()
        },
    );
    for i in 0..2 {
        let key = format!("key-rate-000{i}");
        assert_eq!(relay.post(Some(&key), TICKET, &[]).status, 201);
    }
    let limited = relay.post(Some("key-rate-0009"), TICKET, &[]);
    assert_eq!(limited.status, 429);
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(db.rows().len(), 2);

    // Load tests and deployments whose proxy limits turn it off.
    let unlimited = InProcess::start(
        &db,
        Flags {
            no_rate_limit: true,
            ..Flags::default()
        },
    );
    for i in 0..30 {
        let key = format!("key-unlimited-{i:04}");
        assert_eq!(unlimited.post(Some(&key), TICKET, &[]).status, 201);
    }
}

fn behind_a_trusted_proxy_the_forwarded_address_is_rate_limited(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = InProcess::start(
        &db,
        Flags {
            trust_proxy: true,
            rate_burst: Some(1),
            rate_per_minute: Some(1),
            ..Flags::default()
        },
    );
    let from = |ip: &str, key: &str| {
        let forwarded = format!("203.0.113.99, {ip}");
        relay
            .post(Some(key), TICKET, &[("X-Forwarded-For", &forwarded)])
            .status
    };
    assert_eq!(from("198.51.100.1", "key-proxy-0001"), 201);
    assert_eq!(from("198.51.100.1", "key-proxy-0002"), 429);
    // Another client behind the same proxy has its own budget.
    assert_eq!(from("198.51.100.2", "key-proxy-0003"), 201);
}
