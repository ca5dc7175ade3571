//! HTTP through `fetch`.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Status code and body text of an answered request.
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The `Retry-After` header, when the server sent one.
    pub retry_after: Option<String>,
}

/// POSTs a JSON body with an `Idempotency-Key`. `Err` means no answer at all
/// (offline, DNS, CORS refused), with the browser's reason.
pub async fn post_json(url: &str, idempotency_key: &str, body: &str) -> Result<Answer, String> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let request = Request::new_with_str_and_init(url, &init).map_err(describe)?;
    let headers = request.headers();
    headers
        .set("Content-Type", "application/json")
        .map_err(describe)?;
    headers
        .set("Idempotency-Key", idempotency_key)
        .map_err(describe)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(describe)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(describe)?)
        .await
        .map_err(describe)?
        .as_string()
        .unwrap_or_default();
    Ok(Answer {
        status: response.status(),
        retry_after: response.headers().get("retry-after").ok().flatten(),
        body: text,
    })
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "network error".into())
}
