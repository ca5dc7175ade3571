//! The decisions behind the built-in checks, and the plain-language line
//! each result carries. `platform::checks` gathers the browser facts and
//! calls these; nothing here touches the browser, so all of it is tested
//! natively.
//!
//! Pass and fail are about the thing tested ("the clock is 5 min ahead");
//! error means the check could not run (a bad argument, no answer in time,
//! a host check that threw), and takes the flow's error branch.

use super::text::{bound_line, comma_list};
use crate::core::map::Map;
use serde::{Deserialize, Serialize};

/// The result of a check, as the browser layer reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum CheckResult {
    /// The check passed.
    Pass,
    /// The check ran and failed.
    Fail,
    /// The check could not run (timeout, not registered, threw).
    Error {
        /// What went wrong, for the transcript.
        detail: String,
    },
}

impl CheckResult {
    /// `"pass"`, `"fail"` or `"error"`: the value of `check.<id>` in conditions.
    pub fn as_str(&self) -> &'static str {
        match self {
            CheckResult::Pass => "pass",
            CheckResult::Fail => "fail",
            CheckResult::Error { .. } => "error",
        }
    }
}

/// Browser name with major version, and operating system, read from a
/// user-agent string: `("Chrome 126", "Android")`. Unknown parts read
/// "unknown"; the full string is never sent (it fingerprints users).
pub fn describe_user_agent(ua: &str) -> (String, String) {
    let version_after = |marker: &str| {
        ua.find(marker).map(|at| {
            let rest = &ua[at + marker.len()..];
            let major: String = rest.chars().take_while(char::is_ascii_digit).collect();
            major
        })
    };
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
    let browsers = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Chrome/", "Chrome"),
        ("CriOS/", "Chrome"),
        ("FxiOS/", "Firefox"),
        ("Version/", "Safari"),
    ];
    let browser = browsers
        .iter()
        .find_map(|(marker, name)| version_after(marker).map(|v| format!("{name} {v}")))
        .unwrap_or_else(|| "unknown".into());
    let systems = [
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let os = systems
        .iter()
        .find(|(marker, _)| ua.contains(marker))
        .map_or("unknown", |(_, name)| name)
        .to_string();
    (browser, os)
}

/// How long a check may take when the flow does not say (`timeout_ms`).
pub const DEFAULT_TIMEOUT_MS: u32 = 5_000;
/// The longest `timeout_ms` honoured; larger values are cut to it.
pub const MAX_TIMEOUT_MS: u32 = 60_000;
/// `clock.skew`'s tolerance when the flow gives no `max_seconds`.
pub const DEFAULT_MAX_SKEW_SECONDS: u32 = 120;
/// Browser names `browser.version` accepts in its `browser` argument
/// (the names `describe_user_agent` reports, compared case-insensitively,
/// ignoring spaces, `-` and `_`).
pub const KNOWN_BROWSERS: &[&str] = &[
    "Chrome",
    "Edge",
    "Firefox",
    "Safari",
    "Opera",
    "Samsung Internet",
];

/// The names in a `browser` argument (`"chrome, edge"`).
pub fn browser_names(arg: &str) -> Vec<&str> {
    comma_list(arg)
}

/// Whether `name` is one of [`KNOWN_BROWSERS`].
pub fn is_known_browser(name: &str) -> bool {
    KNOWN_BROWSERS
        .iter()
        .any(|k| browser_key(k) == browser_key(name))
}

/// A browser name compared case-insensitively, without spaces, `-` or `_`
/// (ASCII only: the names are, and Unicode case tables cost the wasm 5 KB).
fn browser_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A check's result and one line saying what was found, for the transcript
/// and the UI, e.g. "reachable: HTTP 200 in 84 ms".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What the flow branches on.
    pub result: CheckResult,
    /// One plain-language line. For an error it is also the error's detail.
    pub detail: String,
}

impl Verdict {
    /// The check passed.
    pub fn pass(detail: impl Into<String>) -> Verdict {
        Verdict {
            result: CheckResult::Pass,
            detail: detail.into(),
        }
    }

    /// The thing tested is wrong.
    pub fn fail(detail: impl Into<String>) -> Verdict {
        Verdict {
            result: CheckResult::Fail,
            detail: detail.into(),
        }
    }

    /// The check could not run.
    pub fn error(detail: impl Into<String>) -> Verdict {
        let detail = detail.into();
        Verdict {
            result: CheckResult::Error {
                detail: detail.clone(),
            },
            detail,
        }
    }

    fn of(ok: bool, detail: String) -> Verdict {
        if ok {
            Verdict::pass(detail)
        } else {
            Verdict::fail(detail)
        }
    }
}

/// A required text argument, or an error naming it.
pub fn required_arg<'a>(args: &'a Map<String, String>, name: &str) -> Result<&'a str, String> {
    match args.get(name).map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("the check needs the argument {name}")),
    }
}

/// An optional positive whole-number argument: `default` when absent, an
/// error naming the argument when it is not a positive whole number.
pub fn number_arg(args: &Map<String, String>, name: &str, default: u32) -> Result<u32, String> {
    match args.get(name) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "the argument {name} must be a positive whole number, not \"{v}\""
            )),
        },
    }
}

/// The check's time limit: `timeout_ms` (any check may give one, at most
/// [`MAX_TIMEOUT_MS`]), else [`DEFAULT_TIMEOUT_MS`].
pub fn timeout_ms(args: &Map<String, String>) -> Result<u32, String> {
    number_arg(args, "timeout_ms", DEFAULT_TIMEOUT_MS).map(|ms| ms.min(MAX_TIMEOUT_MS))
}

/// The `url` argument of `http.reachable`: required, http(s) only.
pub fn http_url(args: &Map<String, String>) -> Result<&str, String> {
    let url = required_arg(args, "url")?;
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(format!("\"{url}\" is not an http(s) URL"))
    }
}

/// "5 s", "250 ms": a time limit as text.
pub fn ms_text(ms: u32) -> String {
    if ms >= 1000 && ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// "45 s", "5 min 12 s", "3 h 4 min", "2 d 1 h": a duration as text.
pub fn duration_text(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) if s == 0 => format!("{m} min"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

/// The error for a check that gave no answer within `ms`.
pub fn timed_out(ms: u32) -> Verdict {
    Verdict::error(format!("no answer within {}", ms_text(ms)))
}

/// The error for a name neither built in nor registered by the host page.
pub fn unknown(name: &str) -> Verdict {
    Verdict::error(format!("no check named {name} is registered on this page"))
}

/// The error for a host check that threw or rejected with `message`.
pub fn threw(message: &str) -> Verdict {
    Verdict::error(bound_line(&format!("the check threw: {message}")))
}

/// A host check's answer: `ok` is its boolean (`true`, `false`, or the `ok`
/// of `{ok, detail}`), `None` when it answered something else.
pub fn host_answer(name: &str, ok: Option<bool>, detail: Option<String>) -> Verdict {
    let Some(ok) = ok else {
        return Verdict::error(format!(
            "{name} answered neither true, false nor {{ok: true|false}}"
        ));
    };
    let detail = match detail.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => bound_line(d),
        _ => format!("{name} {}", if ok { "passed" } else { "failed" }),
    };
    Verdict::of(ok, detail)
}

/// `browser.online`, from `navigator.onLine`.
pub fn online(on_line: bool) -> Verdict {
    Verdict::of(
        on_line,
        if on_line {
            "the browser reports a network connection"
        } else {
            "the browser reports that it is offline"
        }
        .into(),
    )
}

/// `browser.cookies`, from `navigator.cookieEnabled`.
pub fn cookies(enabled: bool) -> Verdict {
    Verdict::of(
        enabled,
        if enabled {
            "cookies are enabled"
        } else {
            "cookies are blocked for this site"
        }
        .into(),
    )
}

/// `storage.local` / `storage.session`: `store` names it (`localStorage`),
/// `available` says the browser handed it out, `round_trip` that a value
/// written to it read back the same.
pub fn storage(store: &str, available: bool, round_trip: bool) -> Verdict {
    let detail = match (available, round_trip) {
        (false, _) => format!("{store} is blocked or not available in this browser"),
        (true, false) => format!("{store} is full or refuses writes"),
        (true, true) => format!("{store} can be written and read back"),
    };
    Verdict::of(available && round_trip, detail)
}

/// `page.element`: `found` is `Some(matched)`, or `None` when the browser
/// rejected the selector.
pub fn page_element(selector: &str, found: Option<bool>) -> Verdict {
    match found {
        None => Verdict::error(format!("\"{selector}\" is not a valid CSS selector")),
        Some(true) => Verdict::pass(format!("the page has an element matching \"{selector}\"")),
        Some(false) => Verdict::fail(format!("no element on the page matches \"{selector}\"")),
    }
}

/// `screen.size`: the browser window's viewport (CSS pixels) against the
/// optional `min_width` and `min_height`.
pub fn screen_size(width: u32, height: u32, args: &Map<String, String>) -> Verdict {
    let (min_w, min_h) = match (
        number_arg(args, "min_width", 0),
        number_arg(args, "min_height", 0),
    ) {
        (Ok(w), Ok(h)) => (w, h),
        (Err(e), _) | (_, Err(e)) => return Verdict::error(e),
    };
    let size = format!("the window is {width}×{height} px");
    if width >= min_w && height >= min_h {
        return Verdict::pass(size);
    }
    let need = match (min_w, min_h) {
        (w, 0) => format!("{w} px wide"),
        (0, h) => format!("{h} px tall"),
        (w, h) => format!("{w}×{h} px"),
    };
    Verdict::fail(format!("{size}, smaller than the {need} needed"))
}

/// `browser.version`, from the user agent. Optional arguments: `browser`,
/// one or more names from [`KNOWN_BROWSERS`] separated by commas, and
/// `min_major`, the oldest major version accepted. Passes when both hold
/// (with neither, whenever the browser is recognised); an unrecognised
/// browser or version is an error, since nothing can be said about it.
pub fn browser_version(user_agent: &str, args: &Map<String, String>) -> Verdict {
    let min_major = match number_arg(args, "min_major", 0) {
        Ok(n) => n,
        Err(e) => return Verdict::error(e),
    };
    let wanted = browser_names(args.get("browser").map_or("", String::as_str));
    if let Some(bad) = wanted.iter().find(|w| !is_known_browser(w)) {
        return Verdict::error(format!(
            "the argument browser names \"{bad}\", which is not one of {}",
            KNOWN_BROWSERS.join(", ")
        ));
    }
    let (browser, os) = describe_user_agent(user_agent);
    let (name, major) = browser.rsplit_once(' ').unwrap_or((&browser, ""));
    let Ok(major) = major.parse::<u32>() else {
        return Verdict::error("could not tell the browser or its version from the user agent");
    };
    let this = format!("{browser} on {os}");
    if !wanted.is_empty() && !wanted.iter().any(|w| browser_key(w) == browser_key(name)) {
        return Verdict::fail(format!("{this}, not {}", wanted.join(" or ")));
    }
    if major < min_major {
        return Verdict::fail(format!("{this}, older than the version {min_major} needed"));
    }
    Verdict::pass(this)
}

/// Seconds since 1970 of an HTTP date in the IMF-fixdate form every
/// current server sends (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 7231 §7.1.1.1);
/// `None` for anything else, including the obsolete RFC 850 and asctime forms.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" {
        return None;
    }
    let sep = |i: usize, c: u8| b[i] == c;
    if !(sep(7, b' ') && sep(11, b' ') && sep(16, b' ') && sep(19, b':') && sep(22, b':')) {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    if !DAYS.contains(&&b[0..3]) {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == &b[8..11])? as i64 + 1;
    let (day, year) = (num(5, 7)?, num(12, 16)?);
    let (hour, min, sec) = (num(17, 19)?, num(20, 22)?, num(23, 25)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if day < 1 || day > month_days[month as usize - 1] || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    // Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + min * 60 + sec)
}

/// `clock.skew`: the server's `Date` header against the local clock at the
/// moment the answer was made (`local_ms`, ms since 1970; the midpoint of
/// the request is a good estimate). Passes when they differ by at most
/// `max_seconds`. The header has whole seconds, so the server's time is
/// taken as the middle of its second.
pub fn clock_skew(date_header: &str, local_ms: i64, max_seconds: u32) -> Verdict {
    let Some(server) = parse_http_date(date_header) else {
        return Verdict::error(bound_line(&format!(
            "the server's Date header \"{date_header}\" is not an HTTP date"
        )));
    };
    let skew_ms = local_ms - (server * 1000 + 500);
    let skew = (skew_ms.unsigned_abs() + 500) / 1000;
    let allowed = duration_text(u64::from(max_seconds));
    let detail = if skew == 0 {
        format!("the clock matches the server's (allowed: {allowed})")
    } else {
        let way = if skew_ms > 0 { "ahead of" } else { "behind" };
        let limit = if skew <= u64::from(max_seconds) {
            "allowed"
        } else {
            "more than the allowed"
        };
        format!(
            "the clock is {} {way} the server, {limit} {allowed}",
            duration_text(skew)
        )
    };
    Verdict::of(skew <= u64::from(max_seconds), detail)
}

/// `http.reachable` answered: `status` 0 is an opaque (cross-origin)
/// answer, which still proves the server is reachable.
pub fn reachable(status: u16, latency_ms: u32) -> Verdict {
    Verdict::pass(if status == 0 {
        format!("reachable: the server answered in {latency_ms} ms (cross-origin, so its status is hidden)")
    } else {
        format!("reachable: HTTP {status} in {latency_ms} ms")
    })
}

/// `http.reachable` got no answer: the browser's `reason`, or a timeout.
pub fn unreachable(reason: Option<&str>, timeout_ms: u32) -> Verdict {
    Verdict::fail(bound_line(&match reason {
        Some(r) => format!("not reachable: {r}"),
        None => format!("not reachable: no answer within {}", ms_text(timeout_ms)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> Map<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    const FIREFOX: &str =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

    #[test]
    fn number_args_default_parse_and_name_the_bad_one() {
        assert_eq!(number_arg(&args(&[]), "max_seconds", 120), Ok(120));
        assert_eq!(
            number_arg(&args(&[("max_seconds", " 30 ")]), "max_seconds", 120),
            Ok(30)
        );
        for bad in ["0", "-3", "1.5", "ten", ""] {
            let e = number_arg(&args(&[("max_seconds", bad)]), "max_seconds", 120).unwrap_err();
            assert!(
                e.contains("max_seconds") && e.contains(&format!("\"{bad}\"")),
                "{e}"
            );
        }
        assert_eq!(timeout_ms(&args(&[])), Ok(DEFAULT_TIMEOUT_MS));
        assert_eq!(
            timeout_ms(&args(&[("timeout_ms", "999999")])),
            Ok(MAX_TIMEOUT_MS)
        );
        assert!(timeout_ms(&args(&[("timeout_ms", "soon")]))
            .unwrap_err()
            .contains("timeout_ms"));
    }

    #[test]
    fn required_and_url_args() {
        assert_eq!(
            required_arg(&args(&[]), "selector").unwrap_err(),
            "the check needs the argument selector"
        );
        assert_eq!(
            required_arg(&args(&[("selector", "  ")]), "selector").unwrap_err(),
            "the check needs the argument selector"
        );
        assert_eq!(
            http_url(&args(&[("url", "https://x.example/")])),
            Ok("https://x.example/")
        );
        assert!(http_url(&args(&[("url", "javascript:alert(1)")]))
            .unwrap_err()
            .contains("not an http(s) URL"));
        assert!(http_url(&args(&[])).unwrap_err().contains("url"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(0), "0 s");
        assert_eq!(duration_text(45), "45 s");
        assert_eq!(duration_text(120), "2 min");
        assert_eq!(duration_text(312), "5 min 12 s");
        assert_eq!(duration_text(3 * 3600 + 4 * 60 + 5), "3 h 4 min");
        assert_eq!(duration_text(2 * 86_400 + 3600), "2 d 1 h");
        assert_eq!(ms_text(5000), "5 s");
        assert_eq!(ms_text(250), "250 ms");
        assert_eq!(ms_text(1500), "1500 ms");
    }

    #[test]
    fn http_dates_parse_exactly() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
        assert_eq!(
            parse_http_date("Tue, 19 Jan 2038 03:14:08 GMT"),
            Some(2_147_483_648)
        );
        assert_eq!(
            parse_http_date("Mon, 01 Mar 2100 00:00:00 GMT"),
            Some(4_107_542_400)
        );
        assert_eq!(
            parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
            Some(784_111_777)
        );
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 30 Feb 2000 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 19x4 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMTX",
            "Sün, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn clock_skew_verdicts() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let server_ms = 784_111_777_000 + 500;
        let ok = clock_skew(date, server_ms + 200, 30);
        assert_eq!(ok.result, CheckResult::Pass);
        assert_eq!(ok.detail, "the clock matches the server's (allowed: 30 s)");
        let ahead = clock_skew(date, server_ms + 312_000, 30);
        assert_eq!(ahead.result, CheckResult::Fail);
        assert_eq!(
            ahead.detail,
            "the clock is 5 min 12 s ahead of the server, more than the allowed 30 s"
        );
        let behind = clock_skew(date, server_ms - 20_000, 30);
        assert_eq!(behind.result, CheckResult::Pass);
        assert_eq!(
            behind.detail,
            "the clock is 20 s behind the server, allowed 30 s"
        );
        assert_eq!(
            clock_skew(date, server_ms + 30_000, 30).result,
            CheckResult::Pass
        );
        assert_eq!(
            clock_skew(date, server_ms - 31_000, 30).result,
            CheckResult::Fail
        );
        let bad = clock_skew("yesterday", 0, 30);
        assert!(
            matches!(&bad.result, CheckResult::Error { detail } if detail.contains("\"yesterday\""))
        );
    }

    #[test]
    fn browser_version_verdicts() {
        let pass = browser_version(CHROME, &args(&[]));
        assert_eq!(pass, Verdict::pass("Chrome 120 on Linux"));
        assert_eq!(
            browser_version(CHROME, &args(&[("min_major", "100")])).result,
            CheckResult::Pass
        );
        assert_eq!(
            browser_version(CHROME, &args(&[("min_major", "120")])).result,
            CheckResult::Pass
        );
        let old = browser_version(CHROME, &args(&[("min_major", "121")]));
        assert_eq!(
            old,
            Verdict::fail("Chrome 120 on Linux, older than the version 121 needed")
        );
        let wrong = browser_version(FIREFOX, &args(&[("browser", "chrome, edge")]));
        assert_eq!(
            wrong,
            Verdict::fail("Firefox 121 on Windows, not chrome or edge")
        );
        assert_eq!(
            browser_version(FIREFOX, &args(&[("browser", "Chrome,FIREFOX")])).result,
            CheckResult::Pass
        );
        let samsung = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36";
        assert_eq!(
            browser_version(samsung, &args(&[("browser", "samsung_internet")])).result,
            CheckResult::Pass
        );
        let typo = browser_version(CHROME, &args(&[("browser", "chorme")]));
        assert!(
            matches!(&typo.result, CheckResult::Error { detail } if detail.contains("\"chorme\""))
        );
        let bad_min = browser_version(CHROME, &args(&[("min_major", "new")]));
        assert!(
            matches!(&bad_min.result, CheckResult::Error { detail } if detail.contains("min_major"))
        );
        assert!(matches!(
            browser_version("curl/8.0", &args(&[])).result,
            CheckResult::Error { .. }
        ));
    }

    #[test]
    fn screen_size_verdicts() {
        assert_eq!(
            screen_size(1280, 720, &args(&[])),
            Verdict::pass("the window is 1280×720 px")
        );
        let both = args(&[("min_width", "1024"), ("min_height", "768")]);
        assert_eq!(screen_size(1280, 800, &both).result, CheckResult::Pass);
        assert_eq!(
            screen_size(1280, 720, &both),
            Verdict::fail("the window is 1280×720 px, smaller than the 1024×768 px needed")
        );
        assert_eq!(
            screen_size(800, 720, &args(&[("min_width", "1024")])).detail,
            "the window is 800×720 px, smaller than the 1024 px wide needed"
        );
        assert_eq!(
            screen_size(800, 300, &args(&[("min_height", "400")])).detail,
            "the window is 800×300 px, smaller than the 400 px tall needed"
        );
        assert!(matches!(
            screen_size(1, 1, &args(&[("min_width", "wide")])).result,
            CheckResult::Error { .. }
        ));
    }

    #[test]
    fn simple_verdicts_and_lines() {
        assert_eq!(online(true).result, CheckResult::Pass);
        assert_eq!(
            online(false),
            Verdict::fail("the browser reports that it is offline")
        );
        assert_eq!(cookies(false).result, CheckResult::Fail);
        assert_eq!(
            storage("localStorage", true, true),
            Verdict::pass("localStorage can be written and read back")
        );
        assert_eq!(
            storage("sessionStorage", false, false).result,
            CheckResult::Fail
        );
        assert_eq!(
            storage("localStorage", true, false).detail,
            "localStorage is full or refuses writes"
        );
        assert_eq!(page_element("#x", Some(true)).result, CheckResult::Pass);
        assert_eq!(page_element("#x", Some(false)).result, CheckResult::Fail);
        assert_eq!(
            page_element("[[", None),
            Verdict::error("\"[[\" is not a valid CSS selector")
        );
        assert_eq!(
            reachable(200, 84),
            Verdict::pass("reachable: HTTP 200 in 84 ms")
        );
        assert_eq!(reachable(503, 12).result, CheckResult::Pass);
        assert!(reachable(0, 5).detail.contains("cross-origin"));
        assert_eq!(
            unreachable(None, 5000),
            Verdict::fail("not reachable: no answer within 5 s")
        );
        assert_eq!(
            unreachable(Some("Failed to fetch"), 5000).detail,
            "not reachable: Failed to fetch"
        );
        assert_eq!(timed_out(250), Verdict::error("no answer within 250 ms"));
        assert_eq!(
            unknown("lumen.x"),
            Verdict::error("no check named lumen.x is registered on this page")
        );
        assert_eq!(threw("boom"), Verdict::error("the check threw: boom"));
    }

    #[test]
    fn host_answers() {
        assert_eq!(
            host_answer("lumen.a", Some(true), None),
            Verdict::pass("lumen.a passed")
        );
        assert_eq!(
            host_answer("lumen.a", Some(false), None),
            Verdict::fail("lumen.a failed")
        );
        assert_eq!(
            host_answer("lumen.a", Some(false), Some("not signed in".into())),
            Verdict::fail("not signed in")
        );
        assert_eq!(
            host_answer("lumen.a", Some(true), Some("  ".into())).detail,
            "lumen.a passed"
        );
        assert!(matches!(
            host_answer("lumen.a", None, None).result,
            CheckResult::Error { .. }
        ));
        let long = host_answer("lumen.a", Some(true), Some("x".repeat(10_000)));
        assert!(long.detail.chars().count() < 600);
    }
}
