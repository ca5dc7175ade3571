//! Durable ticket storage in SQLite.
//!
//! One connection behind a mutex: SQLite serialises writers anyway, and a
//! ticket insert is a single short transaction. Calls block, so the HTTP layer
//! runs them on tokio's blocking pool.

use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Schema migrations, applied in order; `PRAGMA user_version` records how
/// many have run. Never edit a shipped entry: append a new one.
const MIGRATIONS: &[&str] = &["CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL
    );"];

/// Crockford base32 without I, L, O, U: references are read aloud and typed.
const REFERENCE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const REFERENCE_LEN: usize = 6;

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

/// A row as the inbox and tests read it back.
#[derive(Debug, Clone)]
pub struct StoredTicket {
    pub reference: String,
    pub idempotency_key: String,
    pub payload: String,
    pub received_at_ms: i64,
}

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if missing) the database file and runs migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError(format!("cannot create folder {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| StoreError(format!("cannot open database {}: {e}", path.display())))?;
        // WAL lets readers (the inbox) run beside the writer; FULL sync makes an
        // acknowledged ticket survive a power cut, not only a process crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Stores a ticket once per idempotency key. `payload` must already be the
    /// canonical JSON of a validated ticket, so equal tickets compare equal.
    pub fn insert_ticket(&self, key: &str, payload: &str) -> Result<Stored, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction()?;
        let existing: Option<(String, String)> = tx
            .query_row(
                "SELECT reference, payload FROM tickets WHERE idempotency_key = ?1",
                params![key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((reference, stored_payload)) = existing {
            return Ok(if stored_payload == payload {
                Stored::Replayed { reference }
            } else {
                Stored::KeyReused
            });
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        // A collision on the random reference is rare; try again with another.
        for _ in 0..8 {
            let reference = new_reference();
            let inserted = tx.execute(
                "INSERT INTO tickets (reference, idempotency_key, payload, received_at_ms)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT(reference) DO NOTHING",
                params![reference, key, payload, now],
            )?;
            if inserted == 1 {
                tx.commit()?;
                return Ok(Stored::Created { reference });
            }
        }
        Err(StoreError("could not allocate a ticket reference".into()))
    }

    /// Makes every later write fail, as a full disk or read-only file would.
    #[cfg(test)]
    pub fn fail_writes(&self) {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.pragma_update(None, "query_only", true).unwrap();
    }

    /// The most recent tickets first.
    pub fn recent_tickets(&self, limit: usize) -> Result<Vec<StoredTicket>, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut stmt = conn.prepare(
            "SELECT reference, idempotency_key, payload, received_at_ms
             FROM tickets ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit as i64], |row| {
            Ok(StoredTicket {
                reference: row.get(0)?,
                idempotency_key: row.get(1)?,
                payload: row.get(2)?,
                received_at_ms: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let applied: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if applied > MIGRATIONS.len() {
        return Err(StoreError(format!(
            "the database schema is version {applied}, newer than this signpost \
             (knows {}); upgrade signpost or use another --db",
            MIGRATIONS.len()
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

fn new_reference() -> String {
    let mut rng = rand::rng();
    let code: String = (0..REFERENCE_LEN)
        .map(|_| REFERENCE_ALPHABET[rng.random_range(0..REFERENCE_ALPHABET.len())] as char)
        .collect();
    format!("SP-{code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("nested/tickets.sqlite3")).unwrap();
        (dir, store)
    }

    #[test]
    fn same_key_and_payload_returns_the_original_reference() {
        let (_dir, store) = temp_store();
        let Stored::Created { reference } = store.insert_ticket("key-00001", "{}").unwrap() else {
            panic!("first insert must create");
        };
        assert_eq!(
            store.insert_ticket("key-00001", "{}").unwrap(),
            Stored::Replayed { reference }
        );
        assert_eq!(store.recent_tickets(10).unwrap().len(), 1);
    }

    #[test]
    fn same_key_with_another_payload_is_refused() {
        let (_dir, store) = temp_store();
        store.insert_ticket("key-00001", r#"{"a":1}"#).unwrap();
        assert_eq!(
            store.insert_ticket("key-00001", r#"{"a":2}"#).unwrap(),
            Stored::KeyReused
        );
        assert_eq!(store.recent_tickets(10).unwrap().len(), 1);
    }

    #[test]
    fn tickets_survive_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        store_one(&path);
        let reopened = Store::open(&path).unwrap();
        let rows = reopened.recent_tickets(10).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].reference.starts_with("SP-"));
        assert_eq!(rows[0].reference.len(), 3 + REFERENCE_LEN);
    }

    fn store_one(path: &Path) {
        Store::open(path)
            .unwrap()
            .insert_ticket("key-00001", "{}")
            .unwrap();
    }

    #[test]
    fn a_database_from_a_newer_signpost_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = Store::open(&path).err().expect("must refuse").0;
        assert!(err.contains("newer"), "{err}");
    }
}
