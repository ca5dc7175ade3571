//! `signpost serve --content DIR`: build the content folder at start, watch
//! it, rebuild on change, and serve the bundle at `GET /content/bundle.json`.
//!
//! On a build error the same URL answers 500 with `{"error": "..."}` naming
//! the file and line (and `errors`, one line each), and the terminal shows
//! the errors: an author previewing content must see the mistake, not a
//! stale bundle.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use signpost::authoring::build::{build_dir, Problem};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Where the widget fetches the bundle.
pub const BUNDLE_PATH: &str = "/content/bundle.json";

/// How often the content folder is compared with what was last built.
const POLL: Duration = Duration::from_millis(500);

#[derive(clap::Args, Debug)]
pub struct ContentArgs {
    /// Content folder to build, watch and serve at /content/bundle.json
    /// (articles/, flows/, signpost.toml). Without it there is no bundle route.
    #[arg(long, value_name = "DIR", env = "SIGNPOST_CONTENT")]
    pub content: Option<PathBuf>,
}

/// The last build: the bundle's bytes and hash, or the error document.
enum Current {
    Bundle { json: Arc<str>, hash: String },
    Failed { json: Arc<str> },
}

type Shared = Arc<RwLock<Current>>;

/// The bundle route, when `--content` is given; it builds once now and then
/// polls the folder in the background.
pub fn router(dir: Option<PathBuf>) -> Option<Router> {
    let dir = dir?;
    // Fingerprint before building: an edit made during the build is then
    // seen by the first poll instead of being missed.
    let mut seen = fingerprint(&dir);
    let current: Shared = Arc::new(RwLock::new(build(&dir)));
    let watched = current.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(POLL).await;
            let d = dir.clone();
            // One blocking task per poll: fingerprint, and build only on a change.
            let Ok((now, next)) = tokio::task::spawn_blocking(move || {
                let now = fingerprint(&d);
                (now, (now != seen).then(|| build(&d)))
            })
            .await
            else {
                continue;
            };
            seen = now;
            if let Some(next) = next {
                if let Ok(mut slot) = watched.write() {
                    *slot = next;
                }
            }
        }
    });
    Some(
        Router::new()
            .route(BUNDLE_PATH, get(bundle))
            .with_state(current),
    )
}

/// Builds and reports to the terminal.
fn build(dir: &Path) -> Current {
    match build_dir(dir, false) {
        Ok(built) => {
            for w in &built.warnings {
                eprintln!("{w}");
            }
            // stderr: stdout's first line is the URL, which scripts read.
            eprintln!(
                "signpost: content built from {} ({} articles, {} flows, {} bytes), serving {BUNDLE_PATH}",
                dir.display(),
                built.bundle.articles.len(),
                built.bundle.flows.len(),
                built.json.len()
            );
            Current::Bundle {
                json: built.json.into(),
                hash: built.bundle.hash,
            }
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!(
                "signpost: content build failed; {BUNDLE_PATH} answers 500 until it is fixed"
            );
            Current::Failed {
                json: error_document(&problems).into(),
            }
        }
    }
}

fn error_document(problems: &[Problem]) -> String {
    let errors: Vec<&str> = problems
        .iter()
        .filter(|p| p.error)
        .map(|p| p.text.as_str())
        .collect();
    serde_json::json!({
        "error": format!("the content does not build: {}", errors.join("\n")),
        "errors": errors,
    })
    .to_string()
}

/// Hash of every file's path, size and bytes under `dir` (16 levels deep):
/// content, not modification times, so an edit within the same second
/// is seen too. The folder is small (help articles), so reading it twice a
/// second is cheap.
fn fingerprint(dir: &Path) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    let mut files = Vec::new();
    while let Some((d, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() && depth < 16 => stack.push((p, depth + 1)),
                Ok(t) if t.is_file() => files.push(p),
                _ => {}
            }
        }
    }
    files.sort();
    for f in files {
        f.hash(&mut h);
        std::fs::read(&f).unwrap_or_default().hash(&mut h);
    }
    h.finish()
}

async fn bundle(State(current): State<Shared>, headers: HeaderMap) -> Response {
    let (status, json, etag) = match current.read().as_deref() {
        Ok(Current::Bundle { json, hash }) => (StatusCode::OK, json.clone(), Some(hash.clone())),
        Ok(Current::Failed { json }) => (StatusCode::INTERNAL_SERVER_ERROR, json.clone(), None),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Arc::from(r#"{"error":"the content server failed"}"#),
            None,
        ),
    };
    let mut response = match &etag {
        Some(tag) => {
            let quoted = format!("\"{tag}\"");
            let matches = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == quoted || t.trim() == "*"));
            let mut r = if matches {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                (status, json.to_string()).into_response()
            };
            if let Ok(v) = HeaderValue::from_str(&quoted) {
                r.headers_mut().insert(header::ETAG, v);
            }
            r
        }
        None => (status, json.to_string()).into_response(),
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    // Revalidate every time (the ETag makes that cheap); never cache errors.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if etag.is_some() {
            "no-cache"
        } else {
            "no-store"
        }),
    );
    // Public help content, fetched by the widget from any site.
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}
