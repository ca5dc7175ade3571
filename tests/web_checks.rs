//! The flow runner's checks in headless Chromium: built-ins against the real
//! browser and page, host checks registered the way `registerCheck` does.
//! Run with
//! `cargo test --target wasm32-unknown-unknown --no-default-features --test web_checks`.
#![cfg(target_arch = "wasm32")]

use signpost::core::checks::Verdict;
use signpost::core::flow::{CheckRequest, CheckResult};
use signpost::platform::checks::{register, run};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn check(name: &str, args: &[(&str, &str)]) -> Verdict {
    let request = CheckRequest {
        node_id: "n".into(),
        check: name.into(),
        args: args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        host: signpost::core::flow::builtin_check(name).is_none(),
    };
    run(&request).await
}

fn host_fn(body: &str) -> js_sys::Function {
    js_sys::Function::new_with_args("args", body)
}

fn error_detail(o: &Verdict) -> &str {
    match &o.result {
        CheckResult::Error { detail } => detail,
        other => panic!("expected an error, got {} ({})", other.as_str(), o.detail),
    }
}

#[wasm_bindgen_test]
async fn simple_builtins_pass_in_a_normal_browser() {
    for name in [
        "browser.online",
        "browser.cookies",
        "storage.local",
        "storage.session",
        "screen.size",
    ] {
        let o = check(name, &[]).await;
        assert_eq!(o.result, CheckResult::Pass, "{name}: {}", o.detail);
    }
    let o = check(
        "browser.version",
        &[("browser", "chrome"), ("min_major", "1")],
    )
    .await;
    assert_eq!(o.result, CheckResult::Pass, "{}", o.detail);
    assert!(o.detail.starts_with("Chrome "), "{}", o.detail);
    let o = check("browser.version", &[("browser", "firefox")]).await;
    assert_eq!(o.result, CheckResult::Fail, "{}", o.detail);
    let o = check("screen.size", &[("min_width", "100000")]).await;
    assert_eq!(o.result, CheckResult::Fail, "{}", o.detail);
}

#[wasm_bindgen_test]
async fn page_element_looks_at_the_host_page() {
    let document = web_sys::window().unwrap().document().unwrap();
    let probe = document.create_element("div").unwrap();
    probe.set_id("sp-check-probe");
    document.body().unwrap().append_child(&probe).unwrap();

    let found = check("page.element", &[("selector", "#sp-check-probe")]).await;
    assert_eq!(found.result, CheckResult::Pass, "{}", found.detail);
    let missing = check("page.element", &[("selector", "#sp-check-missing")]).await;
    assert_eq!(missing.result, CheckResult::Fail, "{}", missing.detail);
    let invalid = check("page.element", &[("selector", "[[nope")]).await;
    assert!(
        error_detail(&invalid).contains("\"[[nope\""),
        "{}",
        invalid.detail
    );
    let no_arg = check("page.element", &[]).await;
    assert!(error_detail(&no_arg).contains("selector"));
    probe.remove();
}

#[wasm_bindgen_test]
async fn host_checks_answer_in_every_allowed_shape() {
    register(
        "test.promise_true".into(),
        host_fn("return Promise.resolve(true)"),
    );
    let o = check("test.promise_true", &[]).await;
    assert_eq!(o.result, CheckResult::Pass, "{}", o.detail);

    register("test.sees_args".into(), host_fn("return args.who === 'me'"));
    let o = check("test.sees_args", &[("who", "me")]).await;
    assert_eq!(o.result, CheckResult::Pass, "{}", o.detail);

    register(
        "test.object".into(),
        host_fn("return Promise.resolve({ok: false, detail: 'not signed in'})"),
    );
    assert_eq!(
        check("test.object", &[]).await,
        Verdict::fail("not signed in")
    );

    register("test.number".into(), host_fn("return 42"));
    error_detail(&check("test.number", &[]).await);
}

#[wasm_bindgen_test]
async fn host_checks_that_throw_reject_or_are_missing_are_errors() {
    register(
        "test.throws".into(),
        host_fn("throw new Error('boom from host')"),
    );
    let o = check("test.throws", &[]).await;
    assert!(error_detail(&o).contains("boom from host"), "{}", o.detail);

    register(
        "test.rejects".into(),
        host_fn("return Promise.reject(new Error('rejected here'))"),
    );
    let o = check("test.rejects", &[]).await;
    assert!(error_detail(&o).contains("rejected here"), "{}", o.detail);

    let o = check("test.never_registered", &[]).await;
    assert_eq!(
        error_detail(&o),
        "no check named test.never_registered is registered on this page"
    );
}

#[wasm_bindgen_test]
async fn a_hanging_host_check_times_out_as_an_error() {
    register("test.hangs".into(), host_fn("return new Promise(() => {})"));
    let start = js_sys::Date::now();
    let o = check("test.hangs", &[("timeout_ms", "100")]).await;
    assert_eq!(error_detail(&o), "no answer within 100 ms");
    assert!(js_sys::Date::now() - start < 2_000.0);
    let bad = check("test.hangs", &[("timeout_ms", "soon")]).await;
    assert!(error_detail(&bad).contains("timeout_ms"));
}

#[wasm_bindgen_test]
async fn http_reachable_fails_for_a_dead_url_and_passes_for_this_page() {
    let o = check(
        "http.reachable",
        &[("url", "http://127.0.0.1:9/"), ("timeout_ms", "3000")],
    )
    .await;
    assert_eq!(o.result, CheckResult::Fail, "{}", o.detail);
    assert!(o.detail.starts_with("not reachable"), "{}", o.detail);

    let here = web_sys::window().unwrap().location().origin().unwrap() + "/";
    let o = check("http.reachable", &[("url", &here)]).await;
    assert_eq!(o.result, CheckResult::Pass, "{}", o.detail);
    assert!(o.detail.starts_with("reachable: HTTP "), "{}", o.detail);

    let o = check("http.reachable", &[("url", "ftp://example.com/")]).await;
    error_detail(&o);
}

#[wasm_bindgen_test]
async fn clock_skew_reads_this_page_servers_date() {
    let o = check("clock.skew", &[("max_seconds", "60")]).await;
    assert_eq!(o.result, CheckResult::Pass, "{}", o.detail);
    let bad = check("clock.skew", &[("max_seconds", "0")]).await;
    assert!(error_detail(&bad).contains("max_seconds"));
}
