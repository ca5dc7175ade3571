//! The SQLite backend: one connection behind a mutex. SQLite serialises
//! writers anyway, and a ticket insert is a single short transaction.

use super::analytics::{self, Ingested, ReportData, Span, Sql, P, V};
use super::{
    new_reference, now_ms, too_new, Delivery, DeliveryState, DueDelivery, ForwardAttempt, Store,
    StoreError, Stored, StoredTicket, SCHEMA_VERSION, TICKET_COLUMNS,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::Mutex;

/// Schema migrations, applied in order; `PRAGMA user_version` records how
/// many have run. Never edit a shipped entry: append a new one (and its
/// Postgres twin).
pub(super) fn migrations() -> Vec<String> {
    let mut all: Vec<String> = MIGRATIONS.iter().map(|m| m.to_string()).collect();
    all.push(analytics::migration("INTEGER"));
    all.push(analytics::migration_4());
    all
}

/// The ticket migrations; the analytics one (#16) is built by
/// [`analytics::migration`] and appended by [`migrations`].
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL
    );",
    "ALTER TABLE tickets ADD COLUMN tier TEXT NOT NULL DEFAULT 'howto';
     CREATE TABLE deliveries (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        destination TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (ticket_id, destination)
     );
     CREATE INDEX deliveries_due ON deliveries (next_attempt_at_ms) WHERE state = 'pending';",
];

/// Tickets in a SQLite file.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
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
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Rows in `table` (a fixed name from a test).
    #[cfg(test)]
    pub fn count(&self, table: &str) -> i64 {
        self.conn()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[cfg(test)]
    pub fn fail_writes(&self) {
        self.conn().pragma_update(None, "query_only", true).unwrap();
    }

    /// `column` is a fixed identifier from this module, never user input.
    pub fn ticket_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<StoredTicket>, StoreError> {
        let conn = self.conn();
        let ticket = conn
            .query_row(
                &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE {column} = ?1"),
                params![value],
                ticket_row,
            )
            .optional()?;
        with_deliveries(&conn, ticket)
    }
}

impl Store for SqliteStore {
    fn insert_ticket(
        &self,
        key: &str,
        payload: &str,
        tier: &str,
        destinations: &[String],
    ) -> Result<Stored, StoreError> {
        let mut conn = self.conn();
        // IMMEDIATE takes the write lock first, so another process writing the
        // same file cannot slip the same key in between our read and insert.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(String, String)> = tx
            .query_row(
                "SELECT reference, payload FROM tickets WHERE idempotency_key = ?1",
                params![key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((reference, stored_payload)) = existing {
            return Ok(Stored::existing(reference, &stored_payload, payload));
        }
        let now = now_ms();
        // A collision on the random reference is rare; try again with another.
        for _ in 0..8 {
            let reference = new_reference();
            let inserted = tx.execute(
                "INSERT INTO tickets (reference, idempotency_key, payload, received_at_ms, tier)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(reference) DO NOTHING",
                params![reference, key, payload, now, tier],
            )?;
            if inserted == 1 {
                let id = tx.last_insert_rowid();
                for destination in destinations {
                    tx.execute(
                        "INSERT INTO deliveries
                           (ticket_id, destination, state, next_attempt_at_ms, updated_at_ms)
                         VALUES (?1, ?2, 'pending', ?3, ?3)",
                        params![id, destination, now],
                    )?;
                }
                tx.commit()?;
                return Ok(Stored::Created { reference });
            }
        }
        Err(StoreError("could not allocate a ticket reference".into()))
    }

    /// Stores a batch of events once per batch id (see [`analytics::ingest`]).
    fn ingest_events(
        &self,
        batch: &crate::core::analytics::Batch,
        received_ms: i64,
    ) -> Result<Ingested, StoreError> {
        let mut conn = self.conn();
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let ingested = (|| {
            // IMMEDIATE: the batch id check and the writes are one step, also
            // against another process writing the same file.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let ingested = analytics::ingest(&mut Lite(&tx), batch, received_ms)?;
            if ingested != Ingested::Replayed {
                tx.commit()?;
            }
            Ok::<_, StoreError>(ingested)
        })();
        conn.pragma_update(None, "synchronous", "FULL")?;
        ingested
    }

    /// Deletes raw events received before `before_day`.
    fn purge_events(&self, before_day: i64) -> Result<u64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = analytics::purge(&mut Lite(&tx), before_day)?;
        tx.commit()?;
        Ok(deleted)
    }

    fn ticket_by_reference(&self, reference: &str) -> Result<Option<StoredTicket>, StoreError> {
        self.ticket_where("reference", reference)
    }

    /// What a report over `span` is computed from.
    fn report_data(&self, span: Span, previous_first_day: i64) -> Result<ReportData, StoreError> {
        let conn = self.conn();
        // One read transaction: every figure comes from the same moment.
        let tx = conn.unchecked_transaction()?;
        analytics::report_data(&mut Lite(&tx), span, previous_first_day)
    }

    fn recent_tickets(&self, limit: usize) -> Result<Vec<StoredTicket>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {TICKET_COLUMNS} FROM tickets ORDER BY id DESC LIMIT ?1"
        ))?;
        let mut tickets = stmt
            .query_map(params![limit as i64], ticket_row)?
            .collect::<Result<Vec<_>, _>>()?;
        for ticket in &mut tickets {
            ticket.deliveries = deliveries(&conn, ticket.id)?;
        }
        Ok(tickets)
    }

    fn ticket_by_id(&self, id: i64) -> Result<Option<StoredTicket>, StoreError> {
        let conn = self.conn();
        let ticket = conn
            .query_row(
                &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"),
                params![id],
                ticket_row,
            )
            .optional()?;
        with_deliveries(&conn, ticket)
    }

    fn claim_due(
        &self,
        destination: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "UPDATE deliveries SET next_attempt_at_ms = ?1 + ?2
             WHERE (ticket_id, destination) IN (
                 SELECT ticket_id, destination FROM deliveries
                 WHERE state = 'pending' AND next_attempt_at_ms <= ?1 AND destination = ?4
                 ORDER BY next_attempt_at_ms LIMIT ?3)
             RETURNING ticket_id, destination, attempts",
        )?;
        let due = stmt
            .query_map(
                params![now_ms, lease_ms, limit as i64, destination],
                |row| {
                    Ok(DueDelivery {
                        ticket_id: row.get(0)?,
                        destination: row.get(1)?,
                        attempts: row.get(2)?,
                    })
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(due)
    }

    fn record_attempt(
        &self,
        ticket_id: i64,
        destination: &str,
        attempt: &ForwardAttempt,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let (state, next_attempt_at_ms, error) = attempt.row(now);
        let state = state.as_str();
        self.conn().execute(
            "UPDATE deliveries SET state = ?3, attempts = attempts + 1,
                 next_attempt_at_ms = ?4, last_error = ?5, updated_at_ms = ?6
             WHERE ticket_id = ?1 AND destination = ?2",
            params![
                ticket_id,
                destination,
                state,
                next_attempt_at_ms,
                error,
                now
            ],
        )?;
        Ok(())
    }
}

fn ticket_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredTicket> {
    Ok(StoredTicket {
        id: row.get(0)?,
        reference: row.get(1)?,
        idempotency_key: row.get(2)?,
        payload: row.get(3)?,
        received_at_ms: row.get(4)?,
        tier: row.get(5)?,
        deliveries: Vec::new(),
    })
}

fn with_deliveries(
    conn: &Connection,
    ticket: Option<StoredTicket>,
) -> Result<Option<StoredTicket>, StoreError> {
    match ticket {
        Some(mut ticket) => {
            ticket.deliveries = deliveries(conn, ticket.id)?;
            Ok(Some(ticket))
        }
        None => Ok(None),
    }
}

fn deliveries(conn: &Connection, ticket_id: i64) -> Result<Vec<Delivery>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT destination, state, attempts, last_error, updated_at_ms
         FROM deliveries WHERE ticket_id = ?1 ORDER BY destination",
    )?;
    let rows = stmt
        .query_map(params![ticket_id], |row| {
            Ok(Delivery {
                destination: row.get(0)?,
                state: DeliveryState::parse(&row.get::<_, String>(1)?),
                attempts: row.get(2)?,
                last_error: row.get(3)?,
                updated_at_ms: row.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let applied: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if applied > SCHEMA_VERSION {
        return Err(too_new(applied));
    }
    for (index, sql) in migrations().iter().enumerate().skip(applied) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// [`Sql`] over a SQLite connection: `$1` parameters become `?1`.
struct Lite<'a>(&'a Connection);

fn sqlite_text(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl rusqlite::ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            P::I(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            P::T(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            P::O(Some(t)) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            P::N(Some(i)) => ToSqlOutput::Owned(Value::Integer(*i)),
            P::O(None) | P::N(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

impl Sql for Lite<'_> {
    fn run(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(&sqlite_text(sql))?;
        Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn rows(&mut self, sql: &str, params: &[P<'_>]) -> Result<Vec<Vec<V>>, StoreError> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.0.prepare_cached(&sqlite_text(sql))?;
        let width = stmt.column_count();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |row| {
                (0..width)
                    .map(|i| {
                        Ok(match row.get_ref(i)? {
                            ValueRef::Integer(n) => V::I(n),
                            ValueRef::Real(f) => V::I(f as i64),
                            ValueRef::Text(t) | ValueRef::Blob(t) => {
                                V::T(String::from_utf8_lossy(t).into_owned())
                            }
                            ValueRef::Null => V::Null,
                        })
                    })
                    .collect::<rusqlite::Result<Vec<V>>>()
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn greatest(&self) -> &'static str {
        "max"
    }

    fn for_update(&self) -> &'static str {
        ""
    }
}
