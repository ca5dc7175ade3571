//! The Postgres backend: the blocking client from a small r2d2 pool.
//!
//! Duplicate idempotency keys racing on several connections (or several
//! relays) are settled by the unique constraint: `ON CONFLICT DO NOTHING`
//! waits for the other transaction, and the loser reads the winner's row.

use super::analytics::{self, Ingested, ReportData, Span, Sql, P, V};
use super::{
    new_reference, now_ms, too_new, Delivery, DeliveryState, DueDelivery, ForwardAttempt, Store,
    StoreError, Stored, StoredTicket, SCHEMA_VERSION, TICKET_COLUMNS,
};
use ::postgres::types::Type;
use ::postgres::{Client, NoTls, Row};
use r2d2_postgres::PostgresConnectionManager;
use std::str::FromStr;
use std::time::Duration;

/// Schema migrations, applied in order; the `signpost_schema` row records
/// how many have run. Twins of the SQLite list: same count, same meaning.
pub(super) fn migrations() -> Vec<String> {
    let mut all: Vec<String> = MIGRATIONS.iter().map(|m| m.to_string()).collect();
    all.push(analytics::migration("BIGINT"));
    all.push(analytics::migration_4());
    all
}

/// The ticket migrations; the analytics one (#16) is appended by [`migrations`].
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE tickets (
        id BIGSERIAL PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        received_at_ms BIGINT NOT NULL
    );",
    "ALTER TABLE tickets ADD COLUMN tier TEXT NOT NULL DEFAULT 'howto';
     CREATE TABLE deliveries (
        ticket_id BIGINT NOT NULL REFERENCES tickets(id),
        destination TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts BIGINT NOT NULL DEFAULT 0,
        next_attempt_at_ms BIGINT NOT NULL,
        last_error TEXT,
        updated_at_ms BIGINT NOT NULL,
        PRIMARY KEY (ticket_id, destination)
     );
     CREATE INDEX deliveries_due ON deliveries (next_attempt_at_ms) WHERE state = 'pending';",
];

/// Connections kept open. Writes are short; more would only queue in Postgres.
const POOL_SIZE: u32 = 8;

/// Any constant, shared by every relay: serialises concurrent migrations.
const MIGRATION_LOCK: i64 = 0x5349_474e_504f_5354;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// Tickets in a Postgres database.
pub struct PgStore {
    /// Always `Some` until dropped.
    pool: Option<Pool>,
}

impl Drop for PgStore {
    /// The blocking client closes its connection with a runtime of its own,
    /// which panics on a thread that drives tokio (the relay's last reference
    /// may go there at shutdown), so the pool is dropped on a plain thread.
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

impl PgStore {
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let shown = super::redact_url_password(url);
        let config = ::postgres::Config::from_str(url)
            .map_err(|e| StoreError(format!("--db {shown} is not a valid Postgres URL: {e}")))?;
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(5))
            // r2d2 logs failures itself only through `log`; we report them.
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build(manager)
            .map_err(|e| StoreError(format!("cannot connect to Postgres at {shown}: {e}")))?;
        let store = PgStore { pool: Some(pool) };
        let mut client = store.client()?;
        migrate(&mut client)?;
        Ok(store)
    }

    fn client(
        &self,
    ) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, StoreError> {
        self.pool
            .as_ref()
            .expect("the pool lives until drop")
            .get()
            .map_err(|e| StoreError(format!("no Postgres connection: {e}")))
    }

    /// `column` is a fixed identifier from this module, never user input.
    pub fn ticket_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<StoredTicket>, StoreError> {
        let mut client = self.client()?;
        let row = client.query_opt(
            &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE {column} = $1"),
            &[&value],
        )?;
        with_deliveries(&mut client, row)
    }
}

impl Store for PgStore {
    fn insert_ticket(
        &self,
        key: &str,
        payload: &str,
        tier: &str,
        destinations: &[String],
    ) -> Result<Stored, StoreError> {
        let mut client = self.client()?;
        let now = now_ms();
        for _ in 0..8 {
            let mut tx = client.transaction()?;
            let reference = new_reference();
            // No conflict target: a clash on the key or on the reference both
            // insert nothing, and the lookup below tells them apart.
            let inserted = tx.query_opt(
                "INSERT INTO tickets (reference, idempotency_key, payload, received_at_ms, tier)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
                &[&reference, &key, &payload, &now, &tier],
            )?;
            if let Some(row) = inserted {
                let id: i64 = row.get(0);
                for destination in destinations {
                    tx.execute(
                        "INSERT INTO deliveries
                           (ticket_id, destination, state, next_attempt_at_ms, updated_at_ms)
                         VALUES ($1, $2, 'pending', $3, $3)",
                        &[&id, destination, &now],
                    )?;
                }
                tx.commit()?;
                return Ok(Stored::Created { reference });
            }
            let existing = tx.query_opt(
                "SELECT reference, payload FROM tickets WHERE idempotency_key = $1",
                &[&key],
            )?;
            tx.commit()?;
            if let Some(row) = existing {
                return Ok(Stored::existing(row.get(0), row.get(1), payload));
            }
            // Otherwise the reference collided: try another.
        }
        Err(StoreError("could not allocate a ticket reference".into()))
    }

    /// Stores a batch of events once per batch id (see [`analytics::ingest`]).
    /// Two relays racing with one batch id: the second insert of the id
    /// waits for the first transaction and then inserts nothing.
    fn ingest_events(
        &self,
        batch: &crate::core::analytics::Batch,
        received_ms: i64,
    ) -> Result<Ingested, StoreError> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        // Events are best effort: the commit does not wait for the disk
        // (a crash of the database machine may lose the last moments of
        // events, never a ticket, and never corrupts anything).
        tx.batch_execute("SET LOCAL synchronous_commit = off")?;
        let ingested = analytics::ingest(&mut Pg(&mut tx), batch, received_ms)?;
        if ingested != Ingested::Replayed {
            tx.commit()?;
        }
        Ok(ingested)
    }

    /// Deletes raw events received before `before_day`.
    fn purge_events(&self, before_day: i64) -> Result<u64, StoreError> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let deleted = analytics::purge(&mut Pg(&mut tx), before_day)?;
        tx.commit()?;
        Ok(deleted)
    }

    fn ticket_by_reference(&self, reference: &str) -> Result<Option<StoredTicket>, StoreError> {
        self.ticket_where("reference", reference)
    }

    /// What a report over `span` is computed from.
    fn report_data(&self, span: Span, previous_first_day: i64) -> Result<ReportData, StoreError> {
        let mut client = self.client()?;
        // One snapshot: every figure comes from the same moment.
        let mut tx = client
            .build_transaction()
            .isolation_level(::postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        analytics::report_data(&mut Pg(&mut tx), span, previous_first_day)
    }

    fn recent_tickets(&self, limit: usize) -> Result<Vec<StoredTicket>, StoreError> {
        let mut client = self.client()?;
        let rows = client.query(
            &format!("SELECT {TICKET_COLUMNS} FROM tickets ORDER BY id DESC LIMIT $1"),
            &[&(limit as i64)],
        )?;
        let mut tickets: Vec<StoredTicket> = rows.iter().map(ticket_row).collect();
        for ticket in &mut tickets {
            ticket.deliveries = deliveries(&mut client, ticket.id)?;
        }
        Ok(tickets)
    }

    fn ticket_by_id(&self, id: i64) -> Result<Option<StoredTicket>, StoreError> {
        let mut client = self.client()?;
        let row = client.query_opt(
            &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1"),
            &[&id],
        )?;
        with_deliveries(&mut client, row)
    }

    fn claim_due(
        &self,
        destination: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let mut client = self.client()?;
        // SKIP LOCKED: several relays on one database never lease the same row.
        let rows = client.query(
            "UPDATE deliveries d SET next_attempt_at_ms = $1 + $2
             FROM (SELECT ticket_id, destination FROM deliveries
                   WHERE state = 'pending' AND next_attempt_at_ms <= $1 AND destination = $4
                   ORDER BY next_attempt_at_ms LIMIT $3
                   FOR UPDATE SKIP LOCKED) due
             WHERE d.ticket_id = due.ticket_id AND d.destination = due.destination
             RETURNING d.ticket_id, d.destination, d.attempts",
            &[&now_ms, &lease_ms, &(limit as i64), &destination],
        )?;
        Ok(rows
            .iter()
            .map(|row| DueDelivery {
                ticket_id: row.get(0),
                destination: row.get(1),
                attempts: row.get(2),
            })
            .collect())
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
        self.client()?.execute(
            "UPDATE deliveries SET state = $3, attempts = attempts + 1,
                 next_attempt_at_ms = $4, last_error = $5, updated_at_ms = $6
             WHERE ticket_id = $1 AND destination = $2",
            &[
                &ticket_id,
                &destination,
                &state,
                &next_attempt_at_ms,
                &error,
                &now,
            ],
        )?;
        Ok(())
    }
}

fn ticket_row(row: &Row) -> StoredTicket {
    StoredTicket {
        id: row.get(0),
        reference: row.get(1),
        idempotency_key: row.get(2),
        payload: row.get(3),
        received_at_ms: row.get(4),
        tier: row.get(5),
        deliveries: Vec::new(),
    }
}

fn with_deliveries(
    client: &mut Client,
    row: Option<Row>,
) -> Result<Option<StoredTicket>, StoreError> {
    match row {
        Some(row) => {
            let mut ticket = ticket_row(&row);
            ticket.deliveries = deliveries(client, ticket.id)?;
            Ok(Some(ticket))
        }
        None => Ok(None),
    }
}

fn deliveries(client: &mut Client, ticket_id: i64) -> Result<Vec<Delivery>, StoreError> {
    let rows = client.query(
        "SELECT destination, state, attempts, last_error, updated_at_ms
         FROM deliveries WHERE ticket_id = $1 ORDER BY destination",
        &[&ticket_id],
    )?;
    Ok(rows
        .iter()
        .map(|row| Delivery {
            destination: row.get(0),
            state: DeliveryState::parse(row.get(1)),
            attempts: row.get(2),
            last_error: row.get(3),
            updated_at_ms: row.get(4),
        })
        .collect())
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS signpost_schema (version INTEGER NOT NULL)")?;
    let applied = match tx.query_opt("SELECT version FROM signpost_schema", &[])? {
        Some(row) => row.get::<_, i32>(0) as usize,
        None => {
            tx.execute("INSERT INTO signpost_schema (version) VALUES (0)", &[])?;
            0
        }
    };
    if applied > SCHEMA_VERSION {
        return Err(too_new(applied));
    }
    for (index, sql) in migrations().iter().enumerate().skip(applied) {
        tx.batch_execute(sql)?;
        tx.execute(
            "UPDATE signpost_schema SET version = $1",
            &[&((index + 1) as i32)],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// [`Sql`] over a Postgres transaction.
struct Pg<'a, 'b>(&'a mut ::postgres::Transaction<'b>);

/// Parameters with their types, so each statement is one round trip
/// (`*_typed`: no separate prepare).
fn pg_params<'a>(params: &'a [P<'a>]) -> Vec<(&'a (dyn ::postgres::types::ToSql + Sync), Type)> {
    params
        .iter()
        .map(|p| -> (&(dyn ::postgres::types::ToSql + Sync), Type) {
            match p {
                P::I(i) => (i, Type::INT8),
                P::T(t) => (t, Type::TEXT),
                P::O(o) => (o, Type::TEXT),
                P::N(n) => (n, Type::INT8),
            }
        })
        .collect()
}

impl Sql for Pg<'_, '_> {
    fn run(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64, StoreError> {
        Ok(self.0.execute_typed(sql, &pg_params(params))?)
    }

    fn rows(&mut self, sql: &str, params: &[P<'_>]) -> Result<Vec<Vec<V>>, StoreError> {
        let rows = self.0.query_typed(sql, &pg_params(params))?;
        rows.iter()
            .map(|row| {
                row.columns()
                    .iter()
                    .enumerate()
                    .map(|(i, column)| {
                        let value = match *column.type_() {
                            Type::INT8 => row.get::<_, Option<i64>>(i).map(V::I),
                            Type::INT4 => row.get::<_, Option<i32>>(i).map(|n| V::I(n.into())),
                            Type::TEXT | Type::VARCHAR => row.get::<_, Option<String>>(i).map(V::T),
                            ref other => {
                                return Err(StoreError(format!(
                                    "column {} has type {other}, which the report does not read",
                                    column.name()
                                )))
                            }
                        };
                        Ok(value.unwrap_or(V::Null))
                    })
                    .collect()
            })
            .collect()
    }

    fn greatest(&self) -> &'static str {
        "GREATEST"
    }

    fn for_update(&self) -> &'static str {
        " FOR UPDATE"
    }
}
