//! The support team's inbox: server-rendered, token-protected, and safe
//! with hostile ticket content. Runs on both backends.
#![cfg(not(target_arch = "wasm32"))]

mod relay_support;

use relay_support::{Backend, Relay, TestDb};

on_both_backends!(
    without_a_token_the_inbox_is_disabled_and_says_how_to_enable_it,
    the_inbox_needs_the_token_and_shows_hostile_content_as_text,
    the_login_form_sets_a_session_cookie,
    wrong_tokens_are_throttled_per_address_and_the_right_one_always_works,
);

const TOKEN: &str = "inbox-token-0123456789";

const HOSTILE: &str = r#"{"version":1,"message":"<script>alert(1)</script>\nsecond line <img src=x onerror=alert(2)>","email":"a\"<b>@evil.example"}"#;

fn without_a_token_the_inbox_is_disabled_and_says_how_to_enable_it(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let answer = relay.get("/inbox", &[("Authorization", &format!("Bearer {TOKEN}"))]);
    assert_eq!(answer.status, 404);
    assert!(
        answer.body.contains("SIGNPOST_INBOX_TOKEN"),
        "{}",
        answer.body
    );
}

fn the_inbox_needs_the_token_and_shows_hostile_content_as_text(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start_with_env(&db, &[], &[("SIGNPOST_INBOX_TOKEN", TOKEN)]);
    let posted = relay.post(Some("key-inbox-0001"), HOSTILE, &[]);
    assert_eq!(posted.status, 201, "{}", posted.body);
    let reference = posted.json()["reference"].as_str().unwrap().to_string();

    let anonymous = relay.get("/inbox", &[]);
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.body.contains("<form"), "offers the login form");
    assert!(!anonymous.body.contains(&reference));
    let wrong = relay.get(
        "/inbox",
        &[("Authorization", "Bearer not-the-token-at-all")],
    );
    assert_eq!(wrong.status, 401);

    let auth = format!("Bearer {TOKEN}");
    let list = relay.get("/inbox", &[("Authorization", &auth)]);
    assert_eq!(list.status, 200);
    assert!(list
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'none'"));
    assert!(
        list.body.contains(&format!("href=\"/inbox/{reference}\"")),
        "{}",
        list.body
    );
    assert!(list.body.contains("howto"));
    assert!(list.body.contains("not forwarded"));
    assert!(!list.body.contains("<script>alert"), "{}", list.body);
    assert!(
        list.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("a&quot;&lt;b&gt;@evil.example"),
        "{}",
        list.body
    );

    let one = relay.get(&format!("/inbox/{reference}"), &[("Authorization", &auth)]);
    assert_eq!(one.status, 200);
    assert!(
        one.body
            .contains("second line &lt;img src=x onerror=alert(2)&gt;"),
        "{}",
        one.body
    );
    assert!(!one.body.contains("<img"), "{}", one.body);

    assert_eq!(
        relay
            .get("/inbox/SP-000000", &[("Authorization", &auth)])
            .status,
        404
    );
    assert_eq!(
        relay
            .get("/inbox/%3Cscript%3E", &[("Authorization", &auth)])
            .status,
        404
    );
    assert_eq!(relay.get(&format!("/inbox/{reference}"), &[]).status, 401);
}

fn the_login_form_sets_a_session_cookie(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start_with_env(&db, &[], &[("SIGNPOST_INBOX_TOKEN", TOKEN)]);
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let login = |token: &str| {
        relay_support::Answer::from(
            agent
                .post(&format!("{}/inbox/login", relay.base))
                .send_form(&[("token", token)]),
        )
    };
    let refused = login("wrong-token-wrong-token");
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("not right"));

    let accepted = login(TOKEN);
    assert_eq!(accepted.status, 303);
    assert_eq!(accepted.header("location"), Some("/inbox"));
    let cookie = accepted.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(TOKEN),
        "the cookie is not the token itself"
    );
    let session = cookie.split(';').next().unwrap();
    let inbox = relay.get("/inbox", &[("Cookie", session)]);
    assert_eq!(inbox.status, 200);
    assert!(inbox.body.contains("No tickets yet"), "{}", inbox.body);
}

fn wrong_tokens_are_throttled_per_address_and_the_right_one_always_works(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start_with_env(&db, &[], &[("SIGNPOST_INBOX_TOKEN", TOKEN)]);
    let right = format!("Bearer {TOKEN}");
    let statuses: Vec<u16> = (0..8)
        .map(|i| {
            let wrong = format!("Bearer guess-{i:04}-0123456789");
            relay.get("/inbox", &[("Authorization", &wrong)]).status
        })
        .collect();
    assert_eq!(&statuses[..5], [401; 5], "{statuses:?}");
    assert_eq!(&statuses[5..], [429; 3], "{statuses:?}");
    let throttled = relay.get(
        "/inbox",
        &[("Authorization", "Bearer guess-again-0123456789")],
    );
    assert_eq!(throttled.status, 429);
    let wait: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!(wait >= 1, "{wait}");
    // The right token still works, by header and by the login form, which
    // shares the budget.
    assert_eq!(
        relay.get("/inbox", &[("Authorization", &right)]).status,
        200
    );
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let login = |token: &str| {
        relay_support::Answer::from(
            agent
                .post(&format!("{}/inbox/login", relay.base))
                .send_form(&[("token", token)]),
        )
    };
    assert_eq!(login("wrong-token-wrong-token").status, 429);
    assert_eq!(login(TOKEN).status, 303);
}
