//! Anonymous events (#16): stored once per batch, raw for the retention
//! period, and folded at ingest into what the report reads, so a report
//! never scans raw events:
//!
//! - `visits`: one row per visit (intent, time of its last ticket);
//! - `flow_runs`: one row per visit and flow (start, last event, steps,
//!   nodes reached, failed checks, end);
//! - `visit_searches`: one row per visit and search text (no result? a
//!   ticket after it?), so a text is shown only when enough visits made it;
//! - `daily_counts`: per received day (UTC), counters by metric, flow and
//!   subject; kept after raw events are purged.
//!
//! The logic is written once, over [`Sql`], which both backends implement;
//! statements use `$1`-style parameters and portable SQL.

use super::StoreError;
use crate::core::analytics::{Batch, CheckOutcome, Event, FlowEnd};
use std::collections::{BTreeMap, BTreeSet};

/// A parameter of a statement.
#[derive(Debug, Clone, Copy)]
pub enum P<'a> {
    I(i64),
    T(&'a str),
    /// Text or NULL.
    O(Option<&'a str>),
    /// Integer or NULL.
    N(Option<i64>),
}

/// A value read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V {
    I(i64),
    T(String),
    Null,
}

impl V {
    pub fn int(&self) -> i64 {
        match self {
            V::I(i) => *i,
            V::T(t) => t.parse().unwrap_or(0),
            V::Null => 0,
        }
    }

    pub fn opt_int(&self) -> Option<i64> {
        match self {
            V::Null => None,
            other => Some(other.int()),
        }
    }

    pub fn text(&self) -> String {
        match self {
            V::I(i) => i.to_string(),
            V::T(t) => t.clone(),
            V::Null => String::new(),
        }
    }

    pub fn opt_text(&self) -> Option<String> {
        match self {
            V::Null => None,
            other => Some(other.text()),
        }
    }
}

/// A transaction (or connection) of either backend.
pub trait Sql {
    /// Runs a statement, returning the rows it changed.
    fn run(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64, StoreError>;
    /// Runs a query, returning its rows.
    fn rows(&mut self, sql: &str, params: &[P<'_>]) -> Result<Vec<Vec<V>>, StoreError>;
    /// The two-argument maximum: `GREATEST` in Postgres, `max` in SQLite.
    fn greatest(&self) -> &'static str;
    /// What locks a row read for an update: ` FOR UPDATE` in Postgres;
    /// nothing in SQLite, whose write transaction holds the whole file.
    fn for_update(&self) -> &'static str;
}

/// The schema, in portable SQL with two spellings: SQLite's `INTEGER` and
/// Postgres's `BIGINT` (`{int}`).
pub fn migration(int: &str) -> String {
    format!(
        "CREATE TABLE event_batches (
            id TEXT PRIMARY KEY,
            received_at_ms {int} NOT NULL,
            day {int} NOT NULL,
            events {int} NOT NULL,
            dropped {int} NOT NULL
         );
         CREATE INDEX event_batches_day ON event_batches (day);
         CREATE TABLE events (
            day {int} NOT NULL,
            at_ms {int} NOT NULL,
            visit TEXT NOT NULL,
            kind TEXT NOT NULL,
            flow TEXT,
            node TEXT,
            item TEXT,
            text TEXT,
            outcome TEXT,
            number {int},
            source TEXT,
            origin TEXT,
            category TEXT,
            tier TEXT
         );
         CREATE INDEX events_day ON events (day);
         CREATE TABLE visits (
            visit TEXT PRIMARY KEY,
            day {int} NOT NULL,
            intent {int} NOT NULL DEFAULT 0,
            last_ticket_at_ms {int}
         );
         CREATE INDEX visits_day ON visits (day);
         CREATE TABLE flow_runs (
            visit TEXT NOT NULL,
            flow TEXT NOT NULL,
            day {int} NOT NULL,
            started_at_ms {int} NOT NULL,
            last_at_ms {int} NOT NULL,
            seen_ms {int} NOT NULL,
            steps {int} NOT NULL DEFAULT 0,
            last_node TEXT,
            last_node_at_ms {int},
            nodes TEXT NOT NULL DEFAULT '',
            failed_checks TEXT NOT NULL DEFAULT '',
            end_kind TEXT,
            end_node TEXT,
            ended_at_ms {int},
            PRIMARY KEY (visit, flow)
         );
         CREATE INDEX flow_runs_day ON flow_runs (day);
         CREATE INDEX flow_runs_open ON flow_runs (day, flow) WHERE end_kind IS NULL;
         CREATE INDEX flow_runs_resolved ON flow_runs (day, flow) WHERE end_kind = 'resolved';
         CREATE TABLE visit_searches (
            visit TEXT NOT NULL,
            text TEXT NOT NULL,
            day {int} NOT NULL,
            first_at_ms {int} NOT NULL,
            no_result {int} NOT NULL DEFAULT 0,
            ticket_after {int} NOT NULL DEFAULT 0,
            PRIMARY KEY (visit, text)
         );
         CREATE INDEX visit_searches_day ON visit_searches (day, text);
         CREATE TABLE daily_counts (
            day {int} NOT NULL,
            metric TEXT NOT NULL,
            flow TEXT NOT NULL,
            subject TEXT NOT NULL,
            n {int} NOT NULL,
            PRIMARY KEY (day, metric, flow, subject)
         );"
    )
}

/// Migration 4: the report reads search texts and times to resolution from
/// daily counts (backfilled here from the rows migration 3 kept), and open
/// runs from an index that holds every column it needs.
pub fn migration_4() -> String {
    format!(
        "DROP INDEX flow_runs_open;
         DROP INDEX flow_runs_resolved;
         CREATE INDEX flow_runs_open ON flow_runs (day, flow, seen_ms, last_node)
            WHERE end_kind IS NULL;
         INSERT INTO daily_counts (day, metric, flow, subject, n)
            SELECT day, '{search}', '', text, COUNT(*) FROM visit_searches GROUP BY day, text;
         INSERT INTO daily_counts (day, metric, flow, subject, n)
            SELECT day, '{none}', '', text, COUNT(*) FROM visit_searches
            WHERE no_result = 1 GROUP BY day, text;
         INSERT INTO daily_counts (day, metric, flow, subject, n)
            SELECT day, '{ticket}', '', text, COUNT(*) FROM visit_searches
            WHERE ticket_after = 1 GROUP BY day, text;
         INSERT INTO daily_counts (day, metric, flow, subject, n)
            SELECT day, '{steps}', flow, CAST(steps AS TEXT), COUNT(*) FROM flow_runs
            WHERE end_kind = 'resolved' GROUP BY day, flow, steps;
         INSERT INTO daily_counts (day, metric, flow, subject, n)
            SELECT day, '{secs}', flow, CAST(secs AS TEXT), COUNT(*) FROM (
              SELECT day, flow, CASE WHEN ended_at_ms > started_at_ms
                THEN (ended_at_ms - started_at_ms) / 1000 ELSE 0 END AS secs
              FROM flow_runs WHERE end_kind = 'resolved') resolved
            GROUP BY day, flow, secs;",
        search = metric::SEARCH_VISITS,
        none = metric::NO_RESULT_VISITS,
        ticket = metric::TICKET_AFTER_VISITS,
        steps = metric::RESOLVED_STEPS,
        secs = metric::RESOLVED_SECONDS,
    )
}

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The UTC day (days since 1970-01-01) of a time in milliseconds.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// What storing a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// Stored, with this many events.
    Stored(usize),
    /// This batch id was stored before; nothing was written.
    Replayed,
}

/// Counter names in `daily_counts`.
pub mod metric {
    /// Events by kind (subject: the kind).
    pub const EVENTS: &str = "events";
    /// Visits whose panel opened, on the day it first did.
    pub const INTENT: &str = "intent";
    /// `flow_ended` with end `resolved` (flow, subject: end node).
    pub const RESOLVED: &str = "resolved";
    /// `flow_ended` with end `ticket` (flow, subject: end node).
    pub const FLOW_TICKET: &str = "flow_ticket";
    /// Runs of a flow begun (flow).
    pub const RUN_STARTED: &str = "run_started";
    /// Runs that reached a node, each counted once (flow, subject: node).
    pub const NODE_RUNS: &str = "node_runs";
    /// Sum over those runs of how many other nodes the run had reached
    /// first (flow, subject: node): divided by `node_runs`, the node's
    /// mean depth, which orders a funnel from its start.
    pub const NODE_DEPTH: &str = "node_depth";
    /// Failed checks of runs that ended with a ticket (flow, subject: check).
    pub const TICKET_CHECKS: &str = "ticket_checks";
    /// Articles answered Yes / No (subject: article).
    pub const ARTICLE_YES: &str = "article_yes";
    pub const ARTICLE_NO: &str = "article_no";
    /// Tickets sent, and by tier, category and origin (subject).
    pub const TICKETS: &str = "tickets";
    pub const TICKET_TIER: &str = "ticket_tier";
    pub const TICKET_CATEGORY: &str = "ticket_category";
    pub const TICKET_ORIGIN: &str = "ticket_origin";
    /// Searches settled, and those with no result.
    pub const SEARCHES: &str = "searches";
    pub const NO_RESULT: &str = "no_result";
    /// Visits that searched a text (subject), counted once per visit and
    /// text on the day the visit first searched it.
    pub const SEARCH_VISITS: &str = "search_visits";
    /// Of those, visits whose search of the text had no result.
    pub const NO_RESULT_VISITS: &str = "no_result_visits";
    /// Of those, visits that sent a ticket after searching the text.
    pub const TICKET_AFTER_VISITS: &str = "ticket_after_visits";
    /// Runs resolved, by their steps (subject: nodes reached) and by their
    /// time from start to end (subject: whole seconds): exact medians.
    pub const RESOLVED_STEPS: &str = "resolved_steps";
    pub const RESOLVED_SECONDS: &str = "resolved_seconds";
    /// Events the widget dropped while offline (reported by batches).
    pub const DROPPED: &str = "dropped";
}

/// A search text as grouped in reports: trimmed, lower case, single spaces.
pub fn normalise_search(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What one batch does to one flow run, in event order.
#[derive(Default)]
struct RunDelta {
    first_at: i64,
    last_at: i64,
    steps: i64,
    /// Latest `node_reached`: (at, node).
    last_node: Option<(i64, String)>,
    /// Nodes reached, in the order first reached.
    nodes: Vec<String>,
    failed: BTreeSet<String>,
    /// Latest `flow_ended`: (at, end, node).
    end: Option<(i64, &'static str, String)>,
}

/// Counters a batch adds, keyed (metric, flow, subject); sorted, so that
/// concurrent Postgres transactions lock shared rows in one order.
type Counts = BTreeMap<(&'static str, String, String), i64>;

fn bump(counts: &mut Counts, metric: &'static str, flow: &str, subject: &str) {
    add(counts, metric, flow, subject, 1);
}

fn add(counts: &mut Counts, metric: &'static str, flow: &str, subject: &str, n: i64) {
    *counts
        .entry((metric, flow.to_string(), subject.to_string()))
        .or_default() += n;
}

fn at_ms(event: &Event) -> i64 {
    i64::try_from(event.at()).unwrap_or(i64::MAX)
}

/// One raw row: (kind, at, flow, node, item, text, outcome, number, source, origin, category, tier).
type RawRow<'a> = (
    &'static str,
    i64,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'static str>,
    Option<i64>,
    Option<&'static str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn raw(event: &Event) -> RawRow<'_> {
    let helpful = |h: bool| Some(if h { "yes" } else { "no" });
    let (mut flow, mut node, mut item, mut text, mut outcome, mut number) =
        (None, None, None, None, None, None);
    let (mut source, mut origin, mut category, mut tier) = (None, None, None, None);
    match event {
        Event::PanelOpened { .. } | Event::FeedbackSent { .. } => {}
        Event::Searched {
            query,
            results,
            top,
            ..
        } => {
            text = Some(query.as_str());
            number = Some(i64::from(*results));
            item = top.as_deref();
        }
        Event::ResultChosen { id, rank, .. } => {
            item = Some(id.as_str());
            number = Some(i64::from(*rank));
        }
        Event::ArticleViewed { article, .. } => item = Some(article.as_str()),
        Event::ArticleAnswered {
            article,
            helpful: h,
            ..
        } => {
            item = Some(article.as_str());
            outcome = helpful(*h);
        }
        Event::FlowStarted { flow: f, from, .. } => {
            flow = Some(f.as_str());
            source = Some(from.as_str());
        }
        Event::NodeReached {
            flow: f,
            node: n,
            answer,
            ..
        } => {
            flow = Some(f.as_str());
            node = Some(n.as_str());
            text = answer.as_deref();
        }
        Event::CheckDone {
            flow: f,
            node: n,
            check,
            outcome: o,
            ms,
            ..
        } => {
            flow = Some(f.as_str());
            node = Some(n.as_str());
            text = Some(check.as_str());
            outcome = Some(o.as_str());
            number = Some(i64::from(*ms));
        }
        Event::FlowEnded {
            flow: f,
            node: n,
            end,
            ..
        } => {
            flow = Some(f.as_str());
            node = Some(n.as_str());
            outcome = Some(end.as_str());
        }
        Event::FlowRated {
            flow: f,
            helpful: h,
            ..
        } => {
            flow = Some(f.as_str());
            outcome = helpful(*h);
        }
        Event::ContactOpened {
            from, origin: o, ..
        } => {
            source = Some(from.as_str());
            origin = o.as_deref();
        }
        Event::TicketSent {
            category: c,
            tier: t,
            origin: o,
            ..
        } => {
            category = c.as_deref();
            tier = t.as_deref();
            origin = o.as_deref();
        }
    }
    (
        event.kind(),
        at_ms(event),
        flow,
        node,
        item,
        text,
        outcome,
        number,
        source,
        origin,
        category,
        tier,
    )
}

/// Rows per multi-row INSERT of raw events (14 parameters each).
const RAW_CHUNK: usize = 100;

/// Stores a validated, scrubbed batch once, in the caller's transaction:
/// a batch id seen before writes nothing.
pub fn ingest(tx: &mut dyn Sql, batch: &Batch, received_ms: i64) -> Result<Ingested, StoreError> {
    let day = day_of(received_ms);
    let fresh = tx.run(
        "INSERT INTO event_batches (id, received_at_ms, day, events, dropped)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
        &[
            P::T(&batch.batch),
            P::I(received_ms),
            P::I(day),
            P::I(batch.events.len() as i64),
            P::I(i64::from(batch.dropped)),
        ],
    )?;
    if fresh == 0 {
        return Ok(Ingested::Replayed);
    }
    let visit = batch.visit.as_str();
    let mut counts = Counts::new();
    if batch.dropped > 0 {
        *counts
            .entry((metric::DROPPED, String::new(), String::new()))
            .or_default() += i64::from(batch.dropped);
    }

    // Raw events, a few multi-row statements per batch.
    for chunk in batch.events.chunks(RAW_CHUNK) {
        let rows: Vec<RawRow<'_>> = chunk.iter().map(raw).collect();
        let mut sql = String::from(
            "INSERT INTO events (day, visit, kind, at_ms, flow, node, item, text, outcome,
             number, source, origin, category, tier) VALUES ",
        );
        let mut params: Vec<P<'_>> = vec![P::I(day), P::T(visit)];
        for (i, _) in rows.iter().enumerate() {
            let base = 3 + i * 12;
            let slots: Vec<String> = (base..base + 12).map(|n| format!("${n}")).collect();
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("($1, $2, {})", slots.join(", ")));
        }
        for (kind, at, flow, node, item, text, outcome, number, source, origin, category, tier) in
            &rows
        {
            params.extend([
                P::T(kind),
                P::I(*at),
                P::O(*flow),
                P::O(*node),
                P::O(*item),
                P::O(*text),
                P::O(*outcome),
                P::N(*number),
                P::O(*source),
                P::O(*origin),
                P::O(*category),
                P::O(*tier),
            ]);
        }
        tx.run(&sql, &params)?;
    }

    // The visit, its intent, and the time of its last ticket.
    tx.run(
        "INSERT INTO visits (visit, day) VALUES ($1, $2) ON CONFLICT (visit) DO NOTHING",
        &[P::T(visit), P::I(day)],
    )?;
    let opened = batch
        .events
        .iter()
        .any(|e| matches!(e, Event::PanelOpened { .. }));
    if opened
        && tx.run(
            "UPDATE visits SET intent = 1 WHERE visit = $1 AND intent = 0",
            &[P::T(visit)],
        )? == 1
    {
        bump(&mut counts, metric::INTENT, "", "");
    }
    let last_ticket = batch
        .events
        .iter()
        .filter(|e| matches!(e, Event::TicketSent { .. }))
        .map(at_ms)
        .max();
    if let Some(ticket_at) = last_ticket {
        let greatest = tx.greatest();
        tx.run(
            &format!(
                "UPDATE visits SET last_ticket_at_ms = {greatest}(COALESCE(last_ticket_at_ms, $2), $2)
                 WHERE visit = $1"
            ),
            &[P::T(visit), P::I(ticket_at)],
        )?;
        // Searches of this visit made before the ticket now led to one.
        let texts = tx.rows(
            "UPDATE visit_searches SET ticket_after = 1
             WHERE visit = $1 AND first_at_ms <= $2 AND ticket_after = 0
             RETURNING text",
            &[P::T(visit), P::I(ticket_at)],
        )?;
        for row in texts {
            bump(&mut counts, metric::TICKET_AFTER_VISITS, "", &row[0].text());
        }
    }

    // Per-event counters, searches and flow runs.
    let mut searches: BTreeMap<String, (i64, bool)> = BTreeMap::new();
    let mut runs: BTreeMap<&str, RunDelta> = BTreeMap::new();
    for event in &batch.events {
        let at = at_ms(event);
        bump(&mut counts, metric::EVENTS, "", event.kind());
        match event {
            Event::Searched { query, results, .. } => {
                bump(&mut counts, metric::SEARCHES, "", "");
                if *results == 0 {
                    bump(&mut counts, metric::NO_RESULT, "", "");
                }
                let text = normalise_search(query);
                if !text.is_empty() {
                    let entry = searches.entry(text).or_insert((at, false));
                    entry.0 = entry.0.min(at);
                    entry.1 |= *results == 0;
                }
            }
            Event::ArticleAnswered {
                article, helpful, ..
            } => {
                let m = if *helpful {
                    metric::ARTICLE_YES
                } else {
                    metric::ARTICLE_NO
                };
                bump(&mut counts, m, "", article);
            }
            Event::TicketSent {
                category,
                tier,
                origin,
                ..
            } => {
                bump(&mut counts, metric::TICKETS, "", "");
                let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
                bump(&mut counts, metric::TICKET_TIER, "", &or_none(tier));
                bump(&mut counts, metric::TICKET_CATEGORY, "", &or_none(category));
                bump(&mut counts, metric::TICKET_ORIGIN, "", &or_none(origin));
            }
            Event::FlowEnded {
                flow, node, end, ..
            } => {
                let m = match end {
                    FlowEnd::Resolved => metric::RESOLVED,
                    FlowEnd::Ticket => metric::FLOW_TICKET,
                };
                bump(&mut counts, m, flow, node);
            }
            _ => {}
        }
        let flow = match event {
            Event::FlowStarted { flow, .. }
            | Event::NodeReached { flow, .. }
            | Event::CheckDone { flow, .. }
            | Event::FlowEnded { flow, .. }
            | Event::FlowRated { flow, .. } => flow.as_str(),
            _ => continue,
        };
        let run = runs.entry(flow).or_insert_with(|| RunDelta {
            first_at: at,
            last_at: at,
            ..RunDelta::default()
        });
        run.first_at = run.first_at.min(at);
        run.last_at = run.last_at.max(at);
        match event {
            Event::NodeReached { node, .. } => {
                run.steps += 1;
                if run.last_node.as_ref().is_none_or(|(t, _)| at >= *t) {
                    run.last_node = Some((at, node.clone()));
                }
                if !run.nodes.contains(node) {
                    run.nodes.push(node.clone());
                }
            }
            Event::CheckDone { check, outcome, .. } if *outcome != CheckOutcome::Pass => {
                run.failed.insert(check.clone());
            }
            Event::FlowEnded { node, end, .. }
                if run.end.as_ref().is_none_or(|(t, _, _)| at >= *t) =>
            {
                run.end = Some((at, end.as_str(), node.clone()));
            }
            _ => {}
        }
    }

    let last_ticket_at = match searches.is_empty() {
        true => None,
        false => tx
            .rows(
                "SELECT last_ticket_at_ms FROM visits WHERE visit = $1",
                &[P::T(visit)],
            )?
            .pop()
            .and_then(|row| row[0].opt_int()),
    };
    for (text, (first_at, no_result)) in &searches {
        let ticket_after = last_ticket_at.is_some_and(|t| t >= *first_at);
        let created = tx.run(
            "INSERT INTO visit_searches (visit, text, day, first_at_ms, no_result, ticket_after)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (visit, text) DO NOTHING",
            &[
                P::T(visit),
                P::T(text),
                P::I(day),
                P::I(*first_at),
                P::I(i64::from(*no_result)),
                P::I(i64::from(ticket_after)),
            ],
        )? == 1;
        // Each visit counts once per text, and once more per flag it sets.
        let flagged = |tx: &mut dyn Sql, column: &str| -> Result<bool, StoreError> {
            Ok(created
                || tx.run(
                    &format!(
                        "UPDATE visit_searches SET {column} = 1
                         WHERE visit = $1 AND text = $2 AND {column} = 0"
                    ),
                    &[P::T(visit), P::T(text)],
                )? == 1)
        };
        if created {
            bump(&mut counts, metric::SEARCH_VISITS, "", text);
        }
        if *no_result && flagged(tx, "no_result")? {
            bump(&mut counts, metric::NO_RESULT_VISITS, "", text);
        }
        if ticket_after && flagged(tx, "ticket_after")? {
            bump(&mut counts, metric::TICKET_AFTER_VISITS, "", text);
        }
    }

    for (flow, delta) in &runs {
        merge_run(tx, visit, flow, delta, day, received_ms, &mut counts)?;
    }

    if !counts.is_empty() {
        let mut sql =
            String::from("INSERT INTO daily_counts (day, metric, flow, subject, n) VALUES ");
        let mut params: Vec<P<'_>> = vec![P::I(day)];
        for (i, ((m, flow, subject), n)) in counts.iter().enumerate() {
            let b = 2 + i * 4;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("($1, ${b}, ${}, ${}, ${})", b + 1, b + 2, b + 3));
            params.extend([P::T(m), P::T(flow), P::T(subject), P::I(*n)]);
        }
        sql.push_str(
            " ON CONFLICT (day, metric, flow, subject) DO UPDATE SET n = daily_counts.n + excluded.n",
        );
        tx.run(&sql, &params)?;
    }
    Ok(Ingested::Stored(batch.events.len()))
}

fn split_list(list: &str) -> BTreeSet<String> {
    list.split('\n')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn join_list(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join("\n")
}

/// Folds one batch's events of a flow into the visit's run of it.
fn merge_run(
    tx: &mut dyn Sql,
    visit: &str,
    flow: &str,
    delta: &RunDelta,
    day: i64,
    received_ms: i64,
    counts: &mut Counts,
) -> Result<(), StoreError> {
    let created = tx.run(
        "INSERT INTO flow_runs (visit, flow, day, started_at_ms, last_at_ms, seen_ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (visit, flow) DO NOTHING",
        &[
            P::T(visit),
            P::T(flow),
            P::I(day),
            P::I(delta.first_at),
            P::I(delta.last_at),
            P::I(received_ms),
        ],
    )?;
    if created == 1 {
        bump(counts, metric::RUN_STARTED, flow, "");
    }
    let lock = tx.for_update();
    let row = tx
        .rows(
            &format!(
                "SELECT started_at_ms, last_at_ms, last_node_at_ms, nodes, failed_checks,
                        end_kind, ended_at_ms, steps
                 FROM flow_runs WHERE visit = $1 AND flow = $2{lock}"
            ),
            &[P::T(visit), P::T(flow)],
        )?
        .pop()
        .ok_or_else(|| StoreError("a flow run vanished while being updated".into()))?;
    let started = row[0].int().min(delta.first_at);
    let last = row[1].int().max(delta.last_at);
    let mut nodes = split_list(&row[3].text());
    for node in &delta.nodes {
        let depth = nodes.len() as i64;
        if nodes.insert(node.clone()) {
            bump(counts, metric::NODE_RUNS, flow, node);
            add(counts, metric::NODE_DEPTH, flow, node, depth);
        }
    }
    let mut failed = split_list(&row[4].text());
    failed.extend(delta.failed.iter().cloned());
    let (old_end, old_ended_at) = (row[5].opt_text(), row[6].opt_int());
    let last_node = match (&delta.last_node, row[2].opt_int()) {
        (Some((at, _)), Some(old_at)) if *at < old_at => None,
        (Some((at, node)), _) => Some((*at, node.as_str())),
        (None, _) => None,
    };
    let end = match (&delta.end, old_ended_at) {
        (Some((at, _, _)), Some(old_at)) if *at < old_at => None,
        (Some((at, kind, node)), _) => Some((*at, *kind, node.as_str())),
        (None, _) => None,
    };
    if old_end.is_none() {
        match end {
            Some((_, "ticket", _)) => {
                for check in &failed {
                    bump(counts, metric::TICKET_CHECKS, flow, check);
                }
            }
            Some((ended_at, "resolved", _)) => {
                let steps = row[7].int() + delta.steps;
                let seconds = (ended_at - started).max(0) / 1000;
                bump(counts, metric::RESOLVED_STEPS, flow, &steps.to_string());
                bump(counts, metric::RESOLVED_SECONDS, flow, &seconds.to_string());
            }
            _ => {}
        }
    }
    tx.run(
        "UPDATE flow_runs SET started_at_ms = $3, last_at_ms = $4, seen_ms = $5,
             steps = steps + $6, nodes = $7, failed_checks = $8,
             last_node = COALESCE($9, last_node), last_node_at_ms = COALESCE($10, last_node_at_ms),
             end_kind = COALESCE($11, end_kind), end_node = COALESCE($12, end_node),
             ended_at_ms = COALESCE($13, ended_at_ms)
         WHERE visit = $1 AND flow = $2",
        &[
            P::T(visit),
            P::T(flow),
            P::I(started),
            P::I(last),
            P::I(received_ms),
            P::I(delta.steps),
            P::T(&join_list(&nodes)),
            P::T(&join_list(&failed)),
            P::O(last_node.map(|(_, n)| n)),
            P::N(last_node.map(|(at, _)| at)),
            P::O(end.map(|(_, k, _)| k)),
            P::O(end.map(|(_, _, n)| n)),
            P::N(end.map(|(at, _, _)| at)),
        ],
    )?;
    Ok(())
}

/// Deletes raw events, and the per-visit rows derived from them, received
/// before `before_day`; daily counts stay. Returns the raw events deleted.
pub fn purge(tx: &mut dyn Sql, before_day: i64) -> Result<u64, StoreError> {
    let deleted = tx.run("DELETE FROM events WHERE day < $1", &[P::I(before_day)])?;
    for table in ["event_batches", "visits", "flow_runs", "visit_searches"] {
        tx.run(
            &format!("DELETE FROM {table} WHERE day < $1"),
            &[P::I(before_day)],
        )?;
    }
    Ok(deleted)
}

/// The days a report reads, and the moment runs are judged abandoned at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First and last UTC day of the period (inclusive).
    pub first_day: i64,
    pub last_day: i64,
    /// A run with no end whose last event was received before this is
    /// abandoned; after it, still in progress.
    pub abandoned_before_ms: i64,
}

/// What the report is computed from: aggregates, never raw events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportData {
    /// `daily_counts` rows of the period and the one before it:
    /// (day, metric, flow, subject, n).
    pub counts: Vec<(i64, String, String, String, i64)>,
    /// Abandoned runs of the period: (flow, last node, runs).
    pub abandoned: Vec<(String, Option<String>, i64)>,
    /// Runs with no end that are not yet abandoned, by flow.
    pub in_progress: Vec<(String, i64)>,
}

/// Reads what a report over `span` needs (the counts from `previous_first_day`).
pub fn report_data(
    sql: &mut dyn Sql,
    span: Span,
    previous_first_day: i64,
) -> Result<ReportData, StoreError> {
    let counts = sql
        .rows(
            "SELECT day, metric, flow, subject, n FROM daily_counts WHERE day >= $1 AND day <= $2",
            &[P::I(previous_first_day), P::I(span.last_day)],
        )?
        .into_iter()
        .map(|r| {
            (
                r[0].int(),
                r[1].text(),
                r[2].text(),
                r[3].text(),
                r[4].int(),
            )
        })
        .collect();
    let (first, last) = (P::I(span.first_day), P::I(span.last_day));
    let abandoned = sql
        .rows(
            "SELECT flow, last_node, COUNT(*) FROM flow_runs
             WHERE end_kind IS NULL AND day >= $1 AND day <= $2 AND seen_ms < $3
             GROUP BY flow, last_node",
            &[first, last, P::I(span.abandoned_before_ms)],
        )?
        .into_iter()
        .map(|r| (r[0].text(), r[1].opt_text(), r[2].int()))
        .collect();
    let in_progress = sql
        .rows(
            "SELECT flow, COUNT(*) FROM flow_runs
             WHERE end_kind IS NULL AND day >= $1 AND day <= $2 AND seen_ms >= $3
             GROUP BY flow",
            &[first, last, P::I(span.abandoned_before_ms)],
        )?
        .into_iter()
        .map(|r| (r[0].text(), r[1].int()))
        .collect();
    Ok(ReportData {
        counts,
        abandoned,
        in_progress,
    })
}
