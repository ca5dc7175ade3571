//! Runs a flow's check nodes: the built-in checks against the browser and
//! the host page, and the host page's own checks (`registerCheck`).
//!
//! [`run`] never panics and never lets a JS exception out: an unknown name,
//! a bad argument, a check that throws, rejects or takes longer than its
//! time limit all come back as [`CheckResult::Error`](crate::core::flow::CheckResult),
//! which takes the flow's error branch. The verdicts and their one-line
//! details are decided in [`crate::core::checks`].
//!
//! Time limits: `timeout_ms` from the check's arguments (any check, host
//! ones included; at most 60 s), else 5 s. Only the checks that wait on
//! something (`http.reachable`, `clock.skew`, host checks) can run long;
//! the others answer synchronously.

use crate::core::checks::{self as verdict, Verdict};
use crate::core::flow::CheckRequest;
use crate::core::map::Map;
use crate::platform::page;
use crate::platform::storage::{self, Area};
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestCache, RequestInit, RequestMode, Response, Window};

thread_local! {
    static HOST: RefCell<Vec<(String, Function)>> = const { RefCell::new(Vec::new()) };
}

/// Registers a host check (`Signpost('registerCheck', name, fn)`),
/// replacing any earlier one of that name. `f` is called with the check's
/// arguments as an object of strings and may return a boolean, an object
/// `{ok: boolean, detail?: string}`, or a Promise of either; throwing or
/// rejecting is an error with its message. Built-in names are never looked
/// up here: a flow's request for one runs the built-in.
pub fn register(name: String, f: Function) {
    HOST.with(|h| {
        let mut host = h.borrow_mut();
        host.retain(|(n, _)| *n != name);
        host.push((name, f));
    });
}

/// Runs `request` and reports its result with a one-line detail, e.g.
/// `Pass`, "reachable: HTTP 200 in 84 ms". Feed `outcome.result` to
/// `Session::check_result`; show or log `outcome.detail`.
pub async fn run(request: &CheckRequest) -> Verdict {
    let args = &request.args;
    let ms = match verdict::timeout_ms(args) {
        Ok(ms) => ms,
        Err(e) => return Verdict::error(e),
    };
    let Some(window) = web_sys::window() else {
        return Verdict::error("no browser window");
    };
    if request.host {
        return host(&window, &request.check, args, ms).await;
    }
    let navigator = window.navigator();
    match request.check.as_str() {
        "browser.online" => verdict::online(navigator.on_line()),
        // `navigator.cookieEnabled`, which web-sys does not bind.
        "browser.cookies" => match Reflect::get(&navigator, &"cookieEnabled".into()) {
            Ok(v) if v.as_bool().is_some() => verdict::cookies(v.is_truthy()),
            _ => Verdict::error("the browser does not say whether cookies are enabled"),
        },
        "storage.local" => storage("localStorage", Area::Local),
        "storage.session" => storage("sessionStorage", Area::Session),
        "browser.version" => match navigator.user_agent() {
            Ok(ua) => verdict::browser_version(&ua, args),
            Err(_) => Verdict::error("the browser did not give its user agent"),
        },
        "page.element" => match verdict::required_arg(args, "selector") {
            // The light DOM: the host page, not the widget's shadow root.
            Ok(selector) => verdict::page_element(
                selector,
                window
                    .document()
                    .and_then(|d| d.query_selector(selector).ok())
                    .map(|found| found.is_some()),
            ),
            Err(e) => Verdict::error(e),
        },
        "screen.size" => {
            let (width, height) = page::viewport(&window).unwrap_or((0, 0));
            verdict::screen_size(width, height, args)
        }
        "http.reachable" => match verdict::http_url(args) {
            Ok(url) => reachable(&window, url, ms).await,
            Err(e) => Verdict::error(e),
        },
        "clock.skew" => clock_skew(&window, args, ms).await,
        name => verdict::unknown(name),
    }
}

fn storage(store: &str, which: Area) -> Verdict {
    let Ok(s) = storage::area(which) else {
        return verdict::storage(store, false, false);
    };
    let key = "signpost.check";
    let round_trip =
        s.set_item(key, "1").is_ok() && s.get_item(key).ok().flatten().as_deref() == Some("1");
    let _ = s.remove_item(key);
    verdict::storage(store, true, round_trip)
}

async fn host(window: &Window, name: &str, args: &Map<String, String>, ms: u32) -> Verdict {
    let found = HOST.with(|h| {
        let host = h.borrow();
        host.iter().find(|(n, _)| n == name).map(|(_, f)| f.clone())
    });
    let Some(f) = found else {
        return verdict::unknown(name);
    };
    let arg = Object::new();
    for (k, v) in args {
        let _ = Reflect::set(&arg, &k.into(), &v.into());
    }
    let answer = match f.call1(&JsValue::UNDEFINED, &arg) {
        Ok(v) => within(window, Promise::resolve(&v), ms).await,
        Err(e) => Err(Some(e)),
    };
    match answer {
        Ok(v) => {
            let field = |k: &str| match v.is_object() {
                true => Reflect::get(&v, &k.into()).ok(),
                false => None,
            };
            // `true`/`false`, or `{pass, detail}` (`ok` is taken for `pass`).
            let flag = |k: &str| field(k).and_then(|f| f.as_bool());
            let ok = v.as_bool().or_else(|| flag("pass")).or_else(|| flag("ok"));
            verdict::host_answer(name, ok, field("detail").and_then(|d| d.as_string()))
        }
        Err(Some(e)) => verdict::threw(&message(&e)),
        Err(None) => verdict::timed_out(ms),
    }
}

async fn reachable(window: &Window, url: &str, ms: u32) -> Verdict {
    let init = RequestInit::new();
    // No CORS: any server answers, a cross-origin one opaquely (status 0).
    init.set_mode(RequestMode::NoCors);
    init.set_cache(RequestCache::NoStore);
    let abort = AbortController::new().ok();
    if let Some(a) = &abort {
        init.set_signal(Some(&a.signal()));
    }
    let start = js_sys::Date::now();
    match within(window, window.fetch_with_str_and_init(url, &init), ms).await {
        Ok(r) => {
            let status = r.dyn_into::<Response>().map_or(0, |r| r.status());
            verdict::reachable(status, (js_sys::Date::now() - start) as u32)
        }
        Err(Some(e)) => verdict::unreachable(Some(&message(&e)), ms),
        Err(None) => {
            if let Some(a) = abort {
                a.abort();
            }
            verdict::unreachable(None, ms)
        }
    }
}

async fn clock_skew(window: &Window, args: &Map<String, String>, ms: u32) -> Verdict {
    let max = match verdict::number_arg(args, "max_seconds", verdict::DEFAULT_MAX_SKEW_SECONDS) {
        Ok(n) => n,
        Err(e) => return Verdict::error(e),
    };
    let url = match args.get("url") {
        Some(_) => match verdict::http_url(args) {
            Ok(u) => u.to_string(),
            Err(e) => return Verdict::error(e),
        },
        None => window.location().origin().unwrap_or_default() + "/",
    };
    let init = RequestInit::new();
    init.set_method("HEAD");
    init.set_cache(RequestCache::NoStore);
    let start = js_sys::Date::now();
    let answer = within(window, window.fetch_with_str_and_init(&url, &init), ms).await;
    let midpoint = (start + js_sys::Date::now()) / 2.0;
    match answer {
        Ok(r) => match r.unchecked_into::<Response>().headers().get("date") {
            Ok(Some(date)) => verdict::clock_skew(&date, midpoint as i64, max),
            _ => Verdict::error(
                "the server's Date header could not be read (a cross-origin server must expose it)",
            ),
        },
        Err(Some(e)) => Verdict::error(format!(
            "could not ask the server for the time: {}",
            message(&e)
        )),
        Err(None) => verdict::timed_out(ms),
    }
}

/// Waits for `promise` for at most `ms`: its value, `Err(Some(reason))`
/// when it rejects, `Err(None)` when time runs out first.
async fn within(window: &Window, promise: Promise, ms: u32) -> Result<JsValue, Option<JsValue>> {
    let late = Object::new();
    let timer = Promise::new(&mut |resolve, _| {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_1(&resolve, ms as i32, &late);
    });
    match JsFuture::from(Promise::race(&Array::of2(&promise, &timer))).await {
        Ok(v) if Object::is(&v, &late) => Err(None),
        Ok(v) => Ok(v),
        Err(e) => Err(Some(e)),
    }
}

/// A thrown or rejected value as text: an Error's message, a string as is.
fn message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "a value that is not an Error".into())
}
