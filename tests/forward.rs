//! Forwarding as a support team sees it: real receivers (an HTTP server
//! standing in for a webhook consumer or Zendesk, an SMTP sink) get each
//! ticket, and `signpost tickets --json` shows every delivery's state.
//! Runs on both backends.
#![cfg(not(target_arch = "wasm32"))]

mod relay_support;

use base64::Engine;
use hmac::{Hmac, Mac};
use relay_support::receivers::{HttpReceiver, HungReceiver, SmtpSink};
use relay_support::{tickets_json, wait_for, Backend, Relay, TestDb, TICKET};
use sha2::Sha256;
use std::time::Duration;

on_both_backends!(
    a_webhook_gets_the_ticket_signed_with_the_shared_secret,
    zendesk_gets_a_ticket_with_token_auth_priority_and_tags,
    email_delivers_a_readable_plain_text_ticket,
    tickets_go_only_to_the_destinations_of_their_tier,
    a_destination_that_is_down_is_retried_then_marked_failed_and_the_ticket_kept,
    a_permanent_refusal_is_not_retried,
    pending_deliveries_are_resumed_after_a_restart,
    a_hung_destination_does_not_delay_a_healthy_one,
    sigterm_stops_promptly_while_a_destination_hangs,
);

const PATIENCE: Duration = Duration::from_secs(30);
const SECRET: &str = "whsec_test_0123456789";

/// Writes `toml` to a config file beside the database and starts the relay.
fn relay_with_config(db: &TestDb, toml: &str) -> Relay {
    let path = db.dir.path().join("signpost.toml");
    std::fs::write(&path, toml).unwrap();
    Relay::start_with_env(
        db,
        &["--config", path.to_str().unwrap(), "--no-rate-limit"],
        &[
            ("TEST_WEBHOOK_SECRET", SECRET),
            ("TEST_ZENDESK_TOKEN", "zd-token-42"),
        ],
    )
}

fn post_one(relay: &Relay, key: &str) -> String {
    let answer = relay.post(Some(key), TICKET, &[]);
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()["reference"].as_str().unwrap().to_string()
}

/// `(destination, state, attempts, last_error)` of the only ticket, once
/// `done` holds for them.
fn deliveries_when(
    db: &str,
    done: impl Fn(&[(String, String, i64, String)]) -> bool,
) -> Vec<(String, String, i64, String)> {
    wait_for("the delivery states", PATIENCE, || {
        let tickets = tickets_json(db);
        let deliveries: Vec<_> = tickets.first()?["deliveries"]
            .as_array()?
            .iter()
            .map(|d| {
                (
                    d["destination"].as_str().unwrap().to_string(),
                    d["state"].as_str().unwrap().to_string(),
                    d["attempts"].as_i64().unwrap(),
                    d["last_error"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        done(&deliveries).then_some(deliveries)
    })
}

fn a_webhook_gets_the_ticket_signed_with_the_shared_secret(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let receiver = HttpReceiver::start(200);
    let relay = relay_with_config(
        &db,
        &format!(
            "[[forward]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}/signpost\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\n",
            receiver.url
        ),
    );
    let reference = post_one(&relay, "key-hook-0001");
    let got = wait_for("the webhook", PATIENCE, || receiver.received().pop());
    assert_eq!(
        (got.method.as_str(), got.path.as_str()),
        ("POST", "/signpost")
    );
    let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(body["reference"], reference.as_str());
    assert_eq!(body["tier"], "howto");
    assert_eq!(body["ticket"]["message"], "Camera will not join Wi-Fi");

    // Verify as a receiver would: HMAC-SHA256 over "<t>.<raw body>".
    let header = got.header("signpost-signature").expect("signed");
    let (t, v1) = header.split_once(',').unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let v1 = v1.strip_prefix("v1=").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", got.body).as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected);

    let states = deliveries_when(&db.location, |d| d.iter().all(|d| d.1 == "delivered"));
    assert_eq!(
        states,
        [("hook".into(), "delivered".into(), 1, String::new())]
    );
}

fn zendesk_gets_a_ticket_with_token_auth_priority_and_tags(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let receiver = HttpReceiver::start(201);
    let relay = relay_with_config(
        &db,
        &format!(
            "[[forward]]\nname = \"helpdesk\"\nkind = \"zendesk\"\nurl = \"{}\"\nemail = \"agent@lumen.example\"\ntoken_env = \"TEST_ZENDESK_TOKEN\"\n",
            receiver.url
        ),
    );
    let reference = post_one(&relay, "key-zd-00001");
    let got = wait_for("the Zendesk request", PATIENCE, || {
        receiver.received().pop()
    });
    assert_eq!(got.path, "/api/v2/tickets.json");
    let credentials =
        base64::engine::general_purpose::STANDARD.encode("agent@lumen.example/token:zd-token-42");
    assert_eq!(
        got.header("authorization"),
        Some(format!("Basic {credentials}").as_str())
    );
    let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    let ticket = &body["ticket"];
    assert_eq!(ticket["subject"], "[howto] Camera will not join Wi-Fi");
    assert_eq!(ticket["priority"], "normal");
    assert_eq!(
        ticket["tags"],
        serde_json::json!(["signpost", "signpost_howto"])
    );
    assert_eq!(ticket["requester"]["email"], "ana@example.com");
    assert_eq!(ticket["external_id"], reference.as_str());
    let comment = ticket["comment"]["body"].as_str().unwrap();
    assert!(
        comment.contains(&format!("Ticket {reference} (howto)")),
        "{comment}"
    );
    assert!(
        comment.contains("Page: https://app.lumen.example/setup"),
        "{comment}"
    );
    deliveries_when(&db.location, |d| d.iter().all(|d| d.1 == "delivered"));
}

fn email_delivers_a_readable_plain_text_ticket(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let sink = SmtpSink::start();
    let relay = relay_with_config(
        &db,
        &format!(
            "[[forward]]\nname = \"mail\"\nkind = \"email\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\n\
             smtp_security = \"none\"\nfrom = \"Signpost <relay@lumen.example>\"\nto = [\"support@lumen.example\", \"lead@lumen.example\"]\n",
            sink.port
        ),
    );
    let reference = post_one(&relay, "key-mail-0001");
    let mail = wait_for("the email", PATIENCE, || sink.received().pop());
    assert_eq!(mail.from, "relay@lumen.example");
    assert_eq!(mail.to, ["support@lumen.example", "lead@lumen.example"]);
    assert!(
        mail.data.contains(&format!(
            "Subject: {reference} [howto] Camera will not join Wi-Fi"
        )),
        "{}",
        mail.data
    );
    assert!(
        mail.data.contains("Reply-To: ana@example.com"),
        "{}",
        mail.data
    );
    assert!(
        mail.data.contains("Content-Type: text/plain"),
        "{}",
        mail.data
    );
    assert!(
        mail.data.contains("Camera will not join Wi-Fi"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("From: ana@example.com"), "{}", mail.data);
    deliveries_when(&db.location, |d| d.iter().all(|d| d.1 == "delivered"));
}

fn tickets_go_only_to_the_destinations_of_their_tier(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let pager = HttpReceiver::start(200);
    let sink = SmtpSink::start();
    // A ticket without a priority is "howto": email, not the pager.
    let relay = relay_with_config(
        &db,
        &format!(
            "[[forward]]\nname = \"pager\"\nkind = \"webhook\"\nurl = \"{}\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\ntiers = [\"outage\"]\n\n\
             [[forward]]\nname = \"mail\"\nkind = \"email\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\nsmtp_security = \"none\"\n\
             from = \"relay@lumen.example\"\nto = [\"support@lumen.example\"]\ntiers = [\"howto\", \"feedback\"]\n",
            pager.url, sink.port
        ),
    );
    post_one(&relay, "key-route-001");
    let states = deliveries_when(&db.location, |d| d.iter().all(|d| d.1 == "delivered"));
    assert_eq!(
        states,
        [("mail".into(), "delivered".into(), 1, String::new())]
    );
    assert_eq!(sink.received().len(), 1);
    assert!(pager.received().is_empty());
    assert_eq!(tickets_json(&db.location)[0]["tier"], "howto");

    // A ticket the widget marked as an outage (a flow's `ticket` node or the
    // "Something is down" route) pages, and does not go to the mailbox.
    let outage = TICKET.replacen('{', r#"{"priority":"outage","#, 1);
    let answer = relay.post(Some("key-route-002"), &outage, &[]);
    assert_eq!(answer.status, 201, "{}", answer.body);
    wait_for("the pager", PATIENCE, || {
        (pager.received().len() == 1).then_some(())
    });
    let tiers: Vec<String> = tickets_json(&db.location)
        .iter()
        .map(|t| t["tier"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(tiers.contains(&"outage".to_string()), "{tiers:?}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.received().len(), 1, "the outage must not be mailed");
}

fn a_destination_that_is_down_is_retried_then_marked_failed_and_the_ticket_kept(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let failing = HttpReceiver::start(503);
    // Nothing listens on this port any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let relay = relay_with_config(
        &db,
        &format!(
            "[[forward]]\nname = \"down\"\nkind = \"webhook\"\nurl = \"{closed_url}\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\nmax_attempts = 3\nretry_base_ms = 50\n\n\
             [[forward]]\nname = \"erroring\"\nkind = \"webhook\"\nurl = \"{}\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\nmax_attempts = 3\nretry_base_ms = 50\n",
            failing.url
        ),
    );
    let reference = post_one(&relay, "key-down-0001");
    let states = deliveries_when(&db.location, |d| d.iter().all(|d| d.1 == "failed"));
    let (down, erroring) = (&states[0], &states[1]);
    assert_eq!((down.0.as_str(), down.2), ("down", 3));
    assert!(
        down.3.contains("gave up after 3 attempts: unreachable"),
        "{}",
        down.3
    );
    assert_eq!((erroring.0.as_str(), erroring.2), ("erroring", 3));
    assert!(erroring.3.contains("HTTP 503"), "{}", erroring.3);
    assert_eq!(failing.received().len(), 3, "one request per attempt");
    // The ticket itself is kept, whatever forwarding did.
    assert_eq!(db.rows()[0].0, reference);
}

fn a_permanent_refusal_is_not_retried(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let receiver = HttpReceiver::start(401);
    let relay = relay_with_config(
        &db,
        &format!(
            "[[forward]]\nname = \"helpdesk\"\nkind = \"zendesk\"\nurl = \"{}\"\nemail = \"agent@lumen.example\"\ntoken_env = \"TEST_ZENDESK_TOKEN\"\nretry_base_ms = 50\n",
            receiver.url
        ),
    );
    post_one(&relay, "key-401-00001");
    let states = deliveries_when(&db.location, |d| d.iter().all(|d| d.1 == "failed"));
    assert_eq!(states[0].2, 1);
    assert!(states[0].3.contains("HTTP 401"), "{}", states[0].3);
    assert_eq!(receiver.received().len(), 1);
}

fn pending_deliveries_are_resumed_after_a_restart(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let receiver = HttpReceiver::start(503);
    let config = format!(
        "[[forward]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\nmax_attempts = 1000\nretry_base_ms = 200\n",
        receiver.url
    );
    let mut relay = relay_with_config(&db, &config);
    post_one(&relay, "key-resume-001");
    deliveries_when(&db.location, |d| {
        d.iter().all(|d| d.2 >= 1 && d.1 == "pending")
    });
    relay.kill();
    *receiver.status.lock().unwrap() = 200;
    let before = receiver.received().len();

    let _restarted = relay_with_config(&db, &config);
    let states = deliveries_when(&db.location, |d| d.iter().all(|d| d.1 == "delivered"));
    assert!(states[0].2 >= 2, "{states:?}");
    assert!(receiver.received().len() > before);
}

fn a_hung_destination_does_not_delay_a_healthy_one(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let hung = HungReceiver::start();
    let pager = HttpReceiver::start(200);
    // The hung destination retries fast, so overdue retries to it pile up.
    let relay = relay_with_config(
        &db,
        &format!(
            "[[forward]]\nname = \"a-hung\"\nkind = \"webhook\"\nurl = \"{}\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\n\
             timeout_secs = 30\nmax_attempts = 1000\nretry_base_ms = 10\n\n\
             [[forward]]\nname = \"pager\"\nkind = \"webhook\"\nurl = \"{}\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\n",
            hung.url, pager.url
        ),
    );
    let outage = TICKET.replacen('{', r#"{"priority":"outage","#, 1);
    for i in 0..12 {
        let answer = relay.post(Some(&format!("key-hung-{i:05}")), &outage, &[]);
        assert_eq!(answer.status, 201, "{}", answer.body);
        let reference = answer.json()["reference"].as_str().unwrap().to_string();
        // Every outage pages within seconds, whatever the hung one does.
        wait_for(
            &format!("ticket {i} ({reference}) at the healthy destination"),
            Duration::from_secs(3),
            || {
                pager
                    .received()
                    .iter()
                    .any(|r| r.header("signpost-reference") == Some(reference.as_str()))
                    .then_some(())
            },
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(hung.connections() >= 1, "the hung destination was tried");
}

fn sigterm_stops_promptly_while_a_destination_hangs(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let hung = HungReceiver::start();
    let mut relay = relay_with_config(
        &db,
        &format!(
            "[[forward]]\nname = \"hung\"\nkind = \"webhook\"\nurl = \"{}\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\ntimeout_secs = 45\n",
            hung.url
        ),
    );
    post_one(&relay, "key-stop-00001");
    wait_for("the attempt in flight", PATIENCE, || {
        (hung.connections() >= 1).then_some(())
    });
    let started = std::time::Instant::now();
    let terminated = std::process::Command::new("kill")
        .args(["-TERM", &relay.child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let status = wait_for("the relay to exit", Duration::from_secs(10), || {
        relay.child.try_wait().unwrap()
    });
    assert!(status.success(), "{status}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "stopping took {:?}",
        started.elapsed()
    );
    // The delivery in flight is neither lost nor marked failed.
    let states = deliveries_when(&db.location, |_| true);
    assert_eq!(
        (states[0].0.as_str(), states[0].1.as_str()),
        ("hung", "pending")
    );
}
