//! The ticket outbox as pure logic: what state a queued ticket is in, when
//! to try again, and when to stop. The browser layer stores entries, runs the
//! POST, and feeds the outcome back with the clock and a random number; it
//! makes no decisions of its own.

use crate::core::json::{Fields, Json, JsonError, Path};
use crate::core::ticket::{interpret_relay_answer, RelayAnswer};

/// Backoff settings. Delays grow as `base_ms * 2^(attempt-1)` up to `cap_ms`,
/// and each wait is drawn uniformly from `[0, that]` ("full jitter"), so that
/// many widgets coming back online do not retry in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First backoff ceiling, in ms.
    pub base_ms: u64,
    /// Largest backoff ceiling, in ms.
    pub cap_ms: u64,
    /// Smallest wait, in ms, so a flapping connection is not hammered.
    pub floor_ms: u64,
    /// After this long since submission the ticket stops retrying and is
    /// shown as failed, still kept so the user can resend or copy it.
    pub give_up_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_ms: 2_000,
            cap_ms: 5 * 60_000,
            floor_ms: 500,
            give_up_after_ms: 7 * 24 * 3_600_000,
        }
    }
}

/// Where a ticket stands, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its next attempt (offline, or the relay was busy).
    Queued {
        next_attempt_ms: u64,
        last_error: Option<String>,
    },
    /// Stored by the relay.
    Sent { reference: String },
    /// The relay refused it or it ran out of time; kept for the user.
    Failed { message: String },
}

/// One ticket in the outbox, as written to durable storage before the first
/// network attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Idempotency key: the relay stores the ticket once per key.
    pub key: String,
    /// The ticket JSON exactly as it will be sent (already scrubbed).
    pub body: String,
    pub created_ms: u64,
    pub attempts: u32,
    pub status: Status,
}

/// The stored form: a JSON list of entries, each status an object under its
/// name (`{"queued":{...}}`, `{"sent":{...}}`, `{"failed":{...}}`). The
/// loader looks for `"queued":{` to decide whether to boot the widget early.
pub fn entries_to_json(entries: &[Entry]) -> String {
    Json::Arr(entries.iter().map(Entry::to_json).collect()).to_text()
}

/// Reads what [`entries_to_json`] wrote.
pub fn entries_from_json(text: &str) -> Result<Vec<Entry>, JsonError> {
    crate::core::json::items(&Json::parse(text)?, &Path::Root, Entry::from_json)
}

impl Entry {
    fn to_json(&self) -> Json {
        let (name, fields) = match &self.status {
            Status::Queued {
                next_attempt_ms,
                last_error,
            } => (
                "queued",
                vec![
                    ("next_attempt_ms", Json::Num(*next_attempt_ms as f64)),
                    ("last_error", Json::opt_str(last_error.as_deref())),
                ],
            ),
            Status::Sent { reference } => {
                ("sent", vec![("reference", Json::Str(reference.clone()))])
            }
            Status::Failed { message } => ("failed", vec![("message", Json::Str(message.clone()))]),
        };
        Json::object(vec![
            ("key", Json::Str(self.key.clone())),
            ("body", Json::Str(self.body.clone())),
            ("created_ms", Json::Num(self.created_ms as f64)),
            ("attempts", Json::Num(f64::from(self.attempts))),
            ("status", Json::object(vec![(name, Json::object(fields))])),
        ])
    }

    fn from_json(value: &Json, path: &Path) -> Result<Entry, JsonError> {
        let f = Fields::of(value, *path)?;
        let status_path = Path::Key(path, "status");
        let status = Fields::of(f.raw("status").unwrap_or(&Json::Null), status_path)?;
        let status = if let Some(q) = status.raw("queued") {
            let q = Fields::of(q, Path::Key(&status_path, "queued"))?;
            Status::Queued {
                next_attempt_ms: q.u64("next_attempt_ms")?,
                last_error: q.opt_str("last_error")?,
            }
        } else if let Some(s) = status.raw("sent") {
            Status::Sent {
                reference: Fields::of(s, Path::Key(&status_path, "sent"))?.str("reference")?,
            }
        } else if let Some(s) = status.raw("failed") {
            Status::Failed {
                message: Fields::of(s, Path::Key(&status_path, "failed"))?.str("message")?,
            }
        } else {
            return Err(status_path.error("expected queued, sent or failed"));
        };
        Ok(Entry {
            key: f.str("key")?,
            body: f.str("body")?,
            created_ms: f.u64("created_ms")?,
            attempts: f.u64("attempts")?.min(u64::from(u32::MAX)) as u32,
            status,
        })
    }
}

/// What happened when the platform tried to deliver an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// An HTTP answer: status, body, and the `Retry-After` header if any.
    Answered {
        status: u16,
        body: String,
        retry_after: Option<String>,
    },
    /// No answer at all: offline, DNS, connection refused, CORS.
    NoAnswer { reason: String },
}

impl Entry {
    /// A new entry, due at once.
    pub fn new(key: String, body: String, now_ms: u64) -> Entry {
        Entry {
            key,
            body,
            created_ms: now_ms,
            attempts: 0,
            status: Status::Queued {
                next_attempt_ms: now_ms,
                last_error: None,
            },
        }
    }

    /// Whether the platform should try to send this entry now.
    pub fn is_due(&self, now_ms: u64) -> bool {
        matches!(self.status, Status::Queued { next_attempt_ms, .. } if next_attempt_ms <= now_ms)
    }

    /// Records an attempt's outcome. `random` is uniform in `[0, 1)` and
    /// draws the jittered wait.
    pub fn record(&mut self, outcome: Attempt, policy: &RetryPolicy, now_ms: u64, random: f64) {
        self.attempts += 1;
        let (reason, retry_after_ms) = match outcome {
            Attempt::NoAnswer { reason } => (reason, None),
            Attempt::Answered {
                status,
                body,
                retry_after,
            } => match interpret_relay_answer(status, &body) {
                RelayAnswer::Accepted { reference } => {
                    self.status = Status::Sent { reference };
                    return;
                }
                RelayAnswer::Rejected { message } => {
                    self.status = Status::Failed { message };
                    return;
                }
                RelayAnswer::RetryLater { reason } => (
                    reason,
                    retry_after
                        .as_deref()
                        .and_then(parse_retry_after_secs)
                        .map(|s| s * 1000),
                ),
            },
        };
        if now_ms.saturating_sub(self.created_ms) >= policy.give_up_after_ms {
            self.status = Status::Failed {
                message: format!("Not delivered after {} attempts: {reason}", self.attempts),
            };
            return;
        }
        let wait = policy
            .next_wait_ms(self.attempts, random)
            .max(retry_after_ms.unwrap_or(0));
        self.status = Status::Queued {
            next_attempt_ms: now_ms + wait,
            last_error: Some(reason),
        };
    }

    /// The connection is back: a queued entry is due now, whatever its
    /// backoff said, because the reason it waited has gone.
    /// Says whether anything changed.
    pub fn wake(&mut self, now_ms: u64) -> bool {
        match &mut self.status {
            Status::Queued {
                next_attempt_ms, ..
            } if *next_attempt_ms > now_ms => {
                *next_attempt_ms = now_ms;
                true
            }
            _ => false,
        }
    }

    /// The user asked to resend a failed entry: it is due at once again, with
    /// a fresh time budget.
    pub fn retry_now(&mut self, now_ms: u64) {
        if let Status::Failed { message } = &self.status {
            self.status = Status::Queued {
                next_attempt_ms: now_ms,
                last_error: Some(message.clone()),
            };
            self.created_ms = now_ms;
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempts + 1`, with full jitter.
    pub fn next_wait_ms(&self, attempts: u32, random: f64) -> u64 {
        let exponent = attempts.saturating_sub(1).min(30);
        let ceiling = self
            .base_ms
            .saturating_mul(1u64 << exponent)
            .min(self.cap_ms);
        let jittered = (ceiling as f64 * random.clamp(0.0, 1.0)) as u64;
        jittered.max(self.floor_ms)
    }
}

/// How long a delivered ticket stays listed for the user ("Sent, SP-…").
pub const KEEP_SENT_MS: u64 = 24 * 3_600_000;

/// Drops delivered entries older than [`KEEP_SENT_MS`]. Queued and failed
/// entries are never dropped: they hold something the user wrote.
/// Says whether any entry was dropped.
pub fn prune(entries: &mut Vec<Entry>, now_ms: u64) -> bool {
    let before = entries.len();
    entries.retain(|e| {
        !matches!(e.status, Status::Sent { .. })
            || now_ms.saturating_sub(e.created_ms) < KEEP_SENT_MS
    });
    entries.len() != before
}

/// The outbox runner's retry timer. Each flush plans the next attempt and
/// supersedes the plan before it, so repeated flushes (online events,
/// resends) never run parallel retry chains: a timer whose plan was
/// superseded finds it so when it fires, and does nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryTimer {
    generation: u32,
}

/// A timer to set: fire after `wait_ms`, then check it with
/// [`RetryTimer::is_current`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedRetry {
    pub generation: u32,
    pub wait_ms: u64,
}

impl RetryTimer {
    /// A timer with nothing planned.
    pub const fn new() -> RetryTimer {
        RetryTimer { generation: 0 }
    }

    /// Plans the attempt after a flush that left `entries`: `None` when
    /// nothing waits. Any earlier plan stops counting.
    pub fn plan(&mut self, entries: &[Entry], now_ms: u64) -> Option<PlannedRetry> {
        self.generation = self.generation.wrapping_add(1);
        next_due_ms(entries).map(|due| PlannedRetry {
            generation: self.generation,
            wait_ms: due.saturating_sub(now_ms),
        })
    }

    /// Whether a timer set for `planned` should still flush.
    pub fn is_current(&self, planned: PlannedRetry) -> bool {
        planned.generation == self.generation
    }
}

/// When the next queued entry is due, if any.
pub fn next_due_ms(entries: &[Entry]) -> Option<u64> {
    entries
        .iter()
        .filter_map(|e| match e.status {
            Status::Queued {
                next_attempt_ms, ..
            } => Some(next_attempt_ms),
            _ => None,
        })
        .min()
}

/// `Retry-After` in seconds. The HTTP-date form is not parsed (the relay
/// sends seconds); it falls back to the normal backoff.
fn parse_retry_after_secs(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok().map(|s| s.min(24 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        base_ms: 1_000,
        cap_ms: 60_000,
        floor_ms: 100,
        give_up_after_ms: 3_600_000,
    };

    fn answered(status: u16, body: &str) -> Attempt {
        Attempt::Answered {
            status,
            body: body.into(),
            retry_after: None,
        }
    }

    fn entry() -> Entry {
        Entry::new("key-1".into(), "{}".into(), 0)
    }

    #[test]
    fn a_new_entry_is_due_at_once() {
        assert!(entry().is_due(0));
    }

    #[test]
    fn a_201_marks_the_ticket_sent_with_its_reference() {
        let mut e = entry();
        e.record(
            answered(201, r#"{"reference":"SP-ABC123"}"#),
            &POLICY,
            10,
            0.5,
        );
        assert_eq!(
            e.status,
            Status::Sent {
                reference: "SP-ABC123".into()
            }
        );
        assert!(!e.is_due(u64::MAX));
    }

    #[test]
    fn coming_back_online_makes_a_queued_entry_due_at_once() {
        let mut e = entry();
        e.record(
            Attempt::NoAnswer {
                reason: "offline".into(),
            },
            &POLICY,
            0,
            0.9,
        );
        assert!(!e.is_due(1));
        assert!(e.wake(1), "waking a waiting entry is a change to store");
        assert!(e.is_due(1));
        let mut sent = entry();
        sent.record(answered(201, r#"{"reference":"SP-1"}"#), &POLICY, 0, 0.5);
        assert!(!sent.wake(1));
        assert!(!sent.is_due(1), "a sent ticket is never woken");
    }

    #[test]
    fn a_400_fails_with_the_server_message_and_keeps_the_body() {
        let mut e = entry();
        e.record(
            answered(400, r#"{"error":"email: is not a valid email address"}"#),
            &POLICY,
            10,
            0.5,
        );
        assert_eq!(
            e.status,
            Status::Failed {
                message: "email: is not a valid email address".into()
            }
        );
        assert_eq!(e.body, "{}");
        e.retry_now(20);
        assert!(e.is_due(20));
    }

    #[test]
    fn offline_and_5xx_are_retried_with_growing_jittered_waits() {
        let mut e = entry();
        let mut now = 0;
        let mut ceilings = Vec::new();
        for attempt in 1..=8u32 {
            let outcome = if attempt % 2 == 0 {
                answered(503, "")
            } else {
                Attempt::NoAnswer {
                    reason: "offline".into(),
                }
            };
            e.record(outcome, &POLICY, now, 0.999);
            let Status::Queued {
                next_attempt_ms, ..
            } = e.status
            else {
                panic!("must stay queued")
            };
            ceilings.push(next_attempt_ms - now);
            now = next_attempt_ms;
        }
        // With random near 1 each wait is near its ceiling: doubling, then capped.
        assert!(ceilings.windows(2).all(|w| w[1] >= w[0]), "{ceilings:?}");
        assert!(
            ceilings[0] <= 1_000 && *ceilings.last().unwrap() <= 60_000,
            "{ceilings:?}"
        );
        assert!(ceilings[6] > 50_000, "{ceilings:?}");
    }

    #[test]
    fn jitter_spreads_waits_and_respects_the_floor() {
        assert_eq!(POLICY.next_wait_ms(3, 0.0), 100);
        assert_eq!(POLICY.next_wait_ms(3, 0.5), 2_000);
        assert_eq!(POLICY.next_wait_ms(40, 1.0), 60_000);
    }

    #[test]
    fn retry_after_is_honoured_even_when_jitter_is_shorter() {
        let mut e = entry();
        let outcome = Attempt::Answered {
            status: 429,
            body: String::new(),
            retry_after: Some("30".into()),
        };
        e.record(outcome, &POLICY, 1_000, 0.0);
        assert_eq!(
            e.status,
            Status::Queued {
                next_attempt_ms: 31_000,
                last_error: Some("the relay is busy (429)".into())
            }
        );
    }

    #[test]
    fn retrying_stops_after_the_time_budget_but_the_ticket_is_kept() {
        let mut e = entry();
        e.record(
            Attempt::NoAnswer {
                reason: "offline".into(),
            },
            &POLICY,
            3_600_000,
            0.5,
        );
        let Status::Failed { message } = &e.status else {
            panic!("must give up")
        };
        assert!(message.contains("offline"), "{message}");
        assert_eq!(e.key, "key-1");
    }

    #[test]
    fn pruning_keeps_everything_the_user_still_needs() {
        let mut sent_old = entry();
        sent_old.status = Status::Sent {
            reference: "SP-OLD".into(),
        };
        let mut sent_new = Entry::new("key-2".into(), "{}".into(), KEEP_SENT_MS);
        sent_new.status = Status::Sent {
            reference: "SP-NEW".into(),
        };
        let mut failed_old = entry();
        failed_old.status = Status::Failed {
            message: "refused".into(),
        };
        let queued_old = entry();
        let mut all = vec![
            sent_old,
            sent_new.clone(),
            failed_old.clone(),
            queued_old.clone(),
        ];
        assert!(prune(&mut all, KEEP_SENT_MS + 1));
        assert!(!prune(&mut all, KEEP_SENT_MS + 1), "nothing left to drop");
        assert_eq!(all, vec![sent_new, failed_old, queued_old]);
        assert_eq!(next_due_ms(&all), Some(0));
    }

    #[test]
    fn an_entry_survives_a_json_round_trip() {
        let mut e = entry();
        e.record(
            Attempt::NoAnswer {
                reason: "offline".into(),
            },
            &POLICY,
            5,
            0.3,
        );
        let sent = Entry {
            status: Status::Sent {
                reference: "SP-7K3Q2A".into(),
            },
            ..entry()
        };
        let failed = Entry {
            status: Status::Failed {
                message: "email: \"x\" is not an address".into(),
            },
            ..entry()
        };
        let all = vec![e, sent, failed];
        let json = entries_to_json(&all);
        // The loader boots the widget early when it sees this.
        assert!(json.contains(r#""queued":{"#), "{json}");
        assert_eq!(entries_from_json(&json).unwrap(), all);
    }

    #[test]
    fn a_damaged_outbox_names_what_is_wrong() {
        let err = entries_from_json(
            r#"[{"key":"k","body":"{}","created_ms":1,"attempts":0,"status":{"lost":{}}}]"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "[0].status: expected queued, sent or failed"
        );
        assert!(entries_from_json("{").is_err());
    }
    #[test]
    fn only_the_latest_retry_plan_flushes() {
        let mut timer = RetryTimer::default();
        let mut entry = Entry::new("key-0001".into(), "{}".into(), 1_000);
        assert_eq!(timer.plan(&[], 1_000), None, "nothing queued, no timer");
        let offline = Attempt::NoAnswer {
            reason: "offline".into(),
        };
        entry.record(offline, &RetryPolicy::default(), 1_000, 0.5);
        let first = timer.plan(std::slice::from_ref(&entry), 1_000).unwrap();
        assert!(first.wait_ms > 0);
        assert!(timer.is_current(first));
        // An online event flushes again before the first timer fires.
        let second = timer.plan(std::slice::from_ref(&entry), 1_500).unwrap();
        assert_eq!(
            second.wait_ms,
            first.wait_ms - 500,
            "the same due time, seen later"
        );
        assert!(!timer.is_current(first), "the older timer does nothing");
        assert!(timer.is_current(second));
        assert_eq!(timer.plan(&[], 2_000), None);
        assert!(
            !timer.is_current(second),
            "a flush that sent everything cancels the timer"
        );
    }
}
