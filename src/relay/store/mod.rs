//! Durable ticket storage: SQLite (the zero-config default) or Postgres.
//!
//! Both backends run the same numbered migrations, refuse a schema newer than
//! this build, store each idempotency key once (a unique constraint, with the
//! losing side of a race reading the winner's row), and keep the forwarding
//! state of every ticket beside it. Calls block, so the HTTP layer runs them
//! on tokio's blocking pool and the forwarder on its own thread.

pub mod analytics;
mod postgres;
pub(super) mod sqlite;

use rand::Rng;
use std::path::PathBuf;

/// Crockford base32 without I, L, O, U: references are read aloud and typed.
const REFERENCE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const REFERENCE_LEN: usize = 6;

/// How many schema versions this build knows; both backends have exactly
/// this many migrations.
pub const SCHEMA_VERSION: usize = 4;

/// What storing a ticket did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A new ticket was written with this reference.
    Created { reference: String },
    /// The key was seen before with the same payload: the original reference.
    Replayed { reference: String },
    /// The key was seen before with a different payload.
    KeyReused,
}

impl Stored {
    /// What a second insert under a key comes to, given the row the key
    /// already has: a replay when the payload is the same, else a reuse.
    fn existing(reference: String, stored_payload: &str, payload: &str) -> Stored {
        if stored_payload == payload {
            Stored::Replayed { reference }
        } else {
            Stored::KeyReused
        }
    }
}

/// A storage failure, worded for an operator's log.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        // The Display of a server error is only "db error"; the cause says why.
        match e.as_db_error() {
            Some(db) => StoreError(format!("postgres: {} ({})", db.message(), db.code().code())),
            None => StoreError(format!("postgres: {e}")),
        }
    }
}

/// Where forwarding of one ticket to one destination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not delivered yet; will be tried (again).
    Pending,
    /// The destination accepted it.
    Delivered,
    /// Given up: retries ran out or the destination refused it for good.
    Failed,
}

impl DeliveryState {
    /// The word stored in the database and shown in the inbox.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    fn parse(word: &str) -> DeliveryState {
        match word {
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }
}

/// One ticket's forwarding to one destination.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub destination: String,
    pub state: DeliveryState,
    pub attempts: i64,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    pub updated_at_ms: i64,
}

/// A row as the inbox, the forwarder and tests read it back.
#[derive(Debug, Clone)]
pub struct StoredTicket {
    pub id: i64,
    pub reference: String,
    pub idempotency_key: String,
    pub payload: String,
    pub received_at_ms: i64,
    pub tier: String,
    pub deliveries: Vec<Delivery>,
}

/// A delivery the forwarder has leased and must now attempt.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub ticket_id: i64,
    pub destination: String,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// What one forwarding attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardAttempt {
    /// The destination accepted it.
    Delivered,
    /// Failed for now; try again at this time.
    Retry { at_ms: i64, error: String },
    /// Failed for good.
    Failed { error: String },
}

impl ForwardAttempt {
    /// The delivery's new state, next attempt time and error, at `now`.
    fn row(&self, now: i64) -> (DeliveryState, i64, Option<&str>) {
        match self {
            ForwardAttempt::Delivered => (DeliveryState::Delivered, now, None),
            ForwardAttempt::Retry { at_ms, error } => (DeliveryState::Pending, *at_ms, Some(error)),
            ForwardAttempt::Failed { error } => (DeliveryState::Failed, now, Some(error)),
        }
    }
}

/// Where tickets are kept, parsed from `--db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` is a Postgres URL; anything else a
    /// SQLite file path.
    pub fn parse(raw: &str) -> Location {
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Location::Postgres(raw.to_string())
        } else {
            Location::Sqlite(PathBuf::from(raw))
        }
    }
}

impl std::fmt::Display for Location {
    /// Printable in logs: a Postgres password is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact_url_password(url)),
        }
    }
}

fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Where tickets, their deliveries and analytics events are kept. SQLite
/// and Postgres implement it alike; [`open`] picks one from a [`Location`].
/// Calls block: async code runs them on tokio's blocking pool.
pub trait Store: Send + Sync {
    /// Stores a ticket once per idempotency key, with a pending delivery for
    /// each destination, in one transaction. `payload` must already be the
    /// canonical JSON of a validated ticket, so equal tickets compare equal.
    fn insert_ticket(
        &self,
        key: &str,
        payload: &str,
        tier: &str,
        destinations: &[String],
    ) -> Result<Stored, StoreError>;

    /// The most recent tickets first, with their deliveries.
    fn recent_tickets(&self, limit: usize) -> Result<Vec<StoredTicket>, StoreError>;

    /// One ticket by its reference (`SP-…`).
    fn ticket_by_reference(&self, reference: &str) -> Result<Option<StoredTicket>, StoreError>;

    /// One ticket by its row id.
    fn ticket_by_id(&self, id: i64) -> Result<Option<StoredTicket>, StoreError>;

    /// Leases up to `limit` pending deliveries to `destination` that are due
    /// at `now_ms` (each destination has its own worker):
    /// each is hidden from other claims until `now_ms + lease_ms`, so a relay
    /// that dies mid-attempt has it retried once the lease runs out.
    fn claim_due(
        &self,
        destination: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<DueDelivery>, StoreError>;

    /// Records the outcome of an attempt at a leased delivery.
    fn record_attempt(
        &self,
        ticket_id: i64,
        destination: &str,
        attempt: &ForwardAttempt,
    ) -> Result<(), StoreError>;

    /// Stores a validated, scrubbed batch of events once per batch id
    /// (see [`analytics::ingest`]).
    fn ingest_events(
        &self,
        batch: &crate::core::analytics::Batch,
        received_ms: i64,
    ) -> Result<analytics::Ingested, StoreError>;

    /// Deletes raw events (and the per-visit rows made from them) received
    /// before `before_day`; the daily counts stay.
    fn purge_events(&self, before_day: i64) -> Result<u64, StoreError>;

    /// The aggregates a report over `span` is computed from; counts are read
    /// from `previous_first_day` on, for the change against the period before.
    fn report_data(
        &self,
        span: analytics::Span,
        previous_first_day: i64,
    ) -> Result<analytics::ReportData, StoreError>;
}

/// Opens the store at `location` (creating a SQLite file if missing) and
/// runs its migrations.
pub fn open(location: &Location) -> Result<Box<dyn Store>, StoreError> {
    Ok(match location {
        Location::Sqlite(path) => Box::new(sqlite::SqliteStore::open(path)?),
        Location::Postgres(url) => Box::new(postgres::PgStore::open(url)?),
    })
}

/// Milliseconds since the Unix epoch, now: the time the store records.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The `tickets` columns both backends read, in [`StoredTicket`] order.
const TICKET_COLUMNS: &str = "id, reference, idempotency_key, payload, received_at_ms, tier";

fn new_reference() -> String {
    let mut rng = rand::rng();
    let code: String = (0..REFERENCE_LEN)
        .map(|_| REFERENCE_ALPHABET[rng.random_range(0..REFERENCE_ALPHABET.len())] as char)
        .collect();
    format!("SP-{code}")
}

/// Whether `s` has the shape of a reference this relay hands out.
pub fn is_reference(s: &str) -> bool {
    s.strip_prefix("SP-").is_some_and(|code| {
        code.len() == REFERENCE_LEN && code.bytes().all(|b| REFERENCE_ALPHABET.contains(&b))
    })
}

fn too_new(applied: usize) -> StoreError {
    StoreError(format!(
        "the database schema is version {applied}, newer than this signpost \
         (knows {SCHEMA_VERSION}); upgrade signpost or use another --db"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, sqlite::SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite::SqliteStore::open(&dir.path().join("nested/tickets.sqlite3")).unwrap();
        (dir, store)
    }

    #[test]
    fn both_backends_know_the_same_number_of_migrations() {
        assert_eq!(sqlite::migrations().len(), SCHEMA_VERSION);
        assert_eq!(postgres::migrations().len(), SCHEMA_VERSION);
    }

    #[test]
    fn same_key_and_payload_returns_the_original_reference() {
        let (_dir, store) = temp_store();
        let Stored::Created { reference } = store
            .insert_ticket("key-00001", "{}", "howto", &[])
            .unwrap()
        else {
            panic!("first insert must create");
        };
        assert!(is_reference(&reference), "{reference}");
        assert_eq!(
            store
                .insert_ticket("key-00001", "{}", "howto", &[])
                .unwrap(),
            Stored::Replayed { reference }
        );
        assert_eq!(store.recent_tickets(10).unwrap().len(), 1);
    }

    #[test]
    fn same_key_with_another_payload_is_refused() {
        let (_dir, store) = temp_store();
        store
            .insert_ticket("key-00001", r#"{"a":1}"#, "howto", &[])
            .unwrap();
        assert_eq!(
            store
                .insert_ticket("key-00001", r#"{"a":2}"#, "howto", &[])
                .unwrap(),
            Stored::KeyReused
        );
        assert_eq!(store.recent_tickets(10).unwrap().len(), 1);
    }

    #[test]
    fn a_claimed_delivery_is_not_claimed_again_until_its_lease_ends() {
        let (_dir, store) = temp_store();
        store
            .insert_ticket("key-00001", "{}", "outage", &["hook".into(), "mail".into()])
            .unwrap();
        let now = 1_000_000_000_000_000;
        let first = store.claim_due("hook", now, 30_000, 10).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].destination, "hook");
        assert!(store.claim_due("hook", now, 30_000, 10).unwrap().is_empty());
        // Each destination's deliveries are claimed on their own.
        assert_eq!(store.claim_due("mail", now, 30_000, 10).unwrap().len(), 1);
        let later = store.claim_due("hook", now + 30_000, 30_000, 10).unwrap();
        assert_eq!(later.len(), 1);
    }

    #[test]
    fn attempts_are_recorded_per_destination() {
        let (_dir, store) = temp_store();
        store
            .insert_ticket("key-00001", "{}", "outage", &["hook".into(), "mail".into()])
            .unwrap();
        let id = store.recent_tickets(1).unwrap()[0].id;
        store
            .record_attempt(id, "hook", &ForwardAttempt::Delivered)
            .unwrap();
        store
            .record_attempt(
                id,
                "mail",
                &ForwardAttempt::Failed {
                    error: "550 no such user".into(),
                },
            )
            .unwrap();
        let ticket = store.ticket_by_id(id).unwrap().unwrap();
        let states: Vec<_> = ticket
            .deliveries
            .iter()
            .map(|d| {
                (
                    d.destination.as_str(),
                    d.state,
                    d.attempts,
                    d.last_error.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            states,
            [
                ("hook", DeliveryState::Delivered, 1, None),
                ("mail", DeliveryState::Failed, 1, Some("550 no such user")),
            ]
        );
    }

    #[test]
    fn tickets_survive_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::Sqlite(dir.path().join("t.sqlite3"));
        open(&location)
            .unwrap()
            .insert_ticket("key-00001", "{}", "howto", &[])
            .unwrap();
        let reopened = open(&location).unwrap();
        let rows = reopened.recent_tickets(10).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(is_reference(&rows[0].reference));
    }

    #[test]
    fn a_database_from_a_newer_signpost_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = open(&Location::Sqlite(path)).err().expect("must refuse").0;
        assert!(err.contains("newer"), "{err}");
    }

    fn batch(id: &str, visit: &str, events: &str) -> crate::core::analytics::Batch {
        let body =
            format!(r#"{{"version":1,"batch":"{id}","visit":"{visit}","events":[{events}]}}"#);
        crate::core::analytics::Batch::from_json(body.as_bytes()).unwrap()
    }

    /// The counts of one metric by subject, over all days.
    fn counts(store: &dyn Store, wanted: &str) -> Vec<(String, i64)> {
        let span = analytics::Span {
            first_day: 0,
            last_day: i64::MAX / 2,
            abandoned_before_ms: 0,
        };
        let mut out: Vec<(String, i64)> = store
            .report_data(span, 0)
            .unwrap()
            .counts
            .into_iter()
            .filter(|(_, m, _, _, _)| m == wanted)
            .map(|(_, _, _, subject, n)| (subject, n))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_search_counts_once_per_visit_and_learns_of_a_later_ticket() {
        let (_dir, store) = temp_store();
        let searched = r#"{"kind":"searched","at":1000,"query":"Hub  Reset","results":0}"#;
        let now = 1_764_500_000_000;
        store
            .ingest_events(&batch("batch-s-0001", "visit-s-0001", searched), now)
            .unwrap();
        let ticket = r#"{"kind":"ticket_sent","at":5000}"#;
        store
            .ingest_events(&batch("batch-s-0002", "visit-s-0001", ticket), now)
            .unwrap();
        // The same text again, and a replay of the first batch.
        store
            .ingest_events(&batch("batch-s-0003", "visit-s-0001", searched), now)
            .unwrap();
        assert_eq!(
            store
                .ingest_events(&batch("batch-s-0001", "visit-s-0001", searched), now)
                .unwrap(),
            analytics::Ingested::Replayed
        );
        let one = vec![("hub reset".to_string(), 1)];
        assert_eq!(counts(&store, analytics::metric::SEARCH_VISITS), one);
        assert_eq!(counts(&store, analytics::metric::NO_RESULT_VISITS), one);
        assert_eq!(counts(&store, analytics::metric::TICKET_AFTER_VISITS), one);
        assert_eq!(
            counts(&store, analytics::metric::SEARCHES),
            vec![(String::new(), 2)]
        );
    }

    #[test]
    fn a_purge_deletes_raw_events_and_keeps_the_daily_counts() {
        let (_dir, store) = temp_store();
        let day_ms = analytics::DAY_MS;
        let events = r#"{"kind":"panel_opened","at":1},{"kind":"ticket_sent","at":2}"#;
        store
            .ingest_events(&batch("batch-p-0001", "visit-p-0001", events), 100 * day_ms)
            .unwrap();
        store
            .ingest_events(&batch("batch-p-0002", "visit-p-0002", events), 101 * day_ms)
            .unwrap();
        assert_eq!(store.purge_events(101).unwrap(), 2, "day 100's two events");
        assert_eq!(store.purge_events(101).unwrap(), 0);
        let visits: i64 = store.count("visits");
        assert_eq!(visits, 1, "day 100's visit is gone");
        // The daily counts of both days stay (one row a day).
        assert_eq!(
            counts(&store, analytics::metric::TICKETS),
            vec![(String::new(), 1), (String::new(), 1)]
        );
    }

    #[test]
    fn migration_4_backfills_the_counts_from_rows_kept_by_migration_3() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &sqlite::migrations()[..3] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            conn.execute_batch(
                "INSERT INTO flow_runs (visit, flow, day, started_at_ms, last_at_ms, seen_ms,
                    steps, end_kind, end_node, ended_at_ms)
                 VALUES ('v1', 'wifi', 7, 1000, 31000, 0, 4, 'resolved', 'fixed', 31000);
                 INSERT INTO visit_searches (visit, text, day, first_at_ms, no_result, ticket_after)
                 VALUES ('v1', 'zigbee', 7, 1, 1, 0);",
            )
            .unwrap();
        }
        let store = sqlite::SqliteStore::open(&path).unwrap();
        assert_eq!(
            counts(&store, analytics::metric::RESOLVED_STEPS),
            vec![("4".to_string(), 1)]
        );
        assert_eq!(
            counts(&store, analytics::metric::RESOLVED_SECONDS),
            vec![("30".to_string(), 1)]
        );
        assert_eq!(
            counts(&store, analytics::metric::NO_RESULT_VISITS),
            vec![("zigbee".to_string(), 1)]
        );
        assert!(counts(&store, analytics::metric::TICKET_AFTER_VISITS).is_empty());
    }

    #[test]
    fn postgres_urls_are_told_apart_and_their_passwords_hidden() {
        let pg = Location::parse("postgres://relay:s3cret@db.internal:5432/signpost");
        assert!(matches!(pg, Location::Postgres(_)));
        assert_eq!(
            pg.to_string(),
            "postgres://relay:***@db.internal:5432/signpost"
        );
        assert_eq!(
            Location::parse("data/t.sqlite3"),
            Location::Sqlite("data/t.sqlite3".into())
        );
    }
}
