//! The relay in this process: the library's `Router` called with
//! `tower::ServiceExt::oneshot`, no binary and no socket. For what a
//! request and its answer show; start-up, signals and slow clients need the
//! real binary ([`super::Relay`]).

use super::{Answer, TestDb};
use axum::body::Body;
use axum::http::Request;
use signpost::relay::config::{Flags, Settings};
use signpost::relay::App;
use tower::ServiceExt;

pub struct InProcess {
    runtime: tokio::runtime::Runtime,
    app: App,
}

impl InProcess {
    /// The relay over `db` with `flags` laid over the defaults.
    pub fn start(db: &TestDb, flags: Flags) -> InProcess {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut settings = Settings::default();
        settings.apply(Flags {
            db: Some(db.location.clone()),
            ..flags
        });
        let prepared = settings.prepare(None).unwrap();
        let app = runtime
            .block_on(App::new(prepared, axum::Router::new()))
            .unwrap();
        InProcess { runtime, app }
    }

    /// Sends `request` and reads the whole answer.
    pub fn send(&self, request: Request<Body>) -> Answer {
        self.runtime.block_on(async {
            let response = self.app.router().oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
                .collect();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            Answer {
                status,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            }
        })
    }

    /// `POST /api/tickets` as JSON, with `Idempotency-Key: key` if given;
    /// `headers` are added last, so they may replace the content type.
    pub fn post(&self, key: Option<&str>, body: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = Request::post("/api/tickets").header("content-type", "application/json");
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let mut request = request.body(Body::from(body.to_string())).unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                axum::http::HeaderValue::from_str(value).unwrap(),
            );
        }
        self.send(request)
    }
}
