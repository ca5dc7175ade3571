//! The widget's HTTP, through gloo-net.

/// Status code and body text of an answered request.
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The `Retry-After` header, when the server sent one.
    pub retry_after: Option<String>,
}

/// POSTs a JSON body with an `Idempotency-Key`. `Err` means no answer at all
/// (offline, DNS, CORS refused), in words a person understands: the
/// browser's own "Failed to fetch" says nothing to them.
pub async fn post_json(url: &str, idempotency_key: &str, body: &str) -> Result<Answer, String> {
    let response = gloo_net::http::Request::post(url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", idempotency_key)
        .body(body.to_string())
        // A fixed text: gloo-net's error Display links serde_json's messages.
        .map_err(|_| "the ticket could not be prepared for sending".to_string())?
        .send()
        .await
        .map_err(|_| "you seem to be offline".to_string())?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let body = response
        .text()
        .await
        .map_err(|_| "the answer from support broke off".to_string())?;
    Ok(Answer {
        status,
        body,
        retry_after,
    })
}
