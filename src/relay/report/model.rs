//! The report's figures, computed from the stored aggregates
//! ([`ReportData`]); pure, so every figure is unit-tested here.

use super::period::{date_text, Period, ABANDONED_AFTER_MS};
use crate::relay::store::analytics::{metric, ReportData};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A search text is shown only when at least this many visits made it.
pub const MIN_VISITS_SHOWN: i64 = 3;
/// Resolutions that take more steps than this (median) flag a flow.
pub const MAX_STEPS: f64 = 6.0;
/// Resolutions that take longer than this (median, seconds) flag a flow.
pub const MAX_SECONDS: f64 = 180.0;
/// Rows listed per ranking.
const LISTED: usize = 20;

/// What each figure means; printed under it in every format.
pub const DEFINITIONS: [(&str, &str); 12] = [
    ("visits_with_intent", "Visits (browser tabs) in which the panel was opened."),
    ("verified_resolutions", "Guided fixes that reached a `resolved` end, plus articles answered \"Yes\" to \"Did this answer your question?\". A user who just left is never counted."),
    ("tickets", "Tickets the relay accepted from the widget (ticket_sent)."),
    ("abandoned", "Guided fixes with no end event 30 minutes after their last event."),
    ("in_progress", "Guided fixes with no end yet whose last event is less than 30 minutes old."),
    ("self_service_rate", "Verified resolutions ÷ (verified resolutions + tickets)."),
    ("fix_in_product", "The `resolved` ends reached most often: setup mistakes users keep making, with the change against the period before of the same length."),
    ("funnel", "Runs (one visit's use of one guided fix) that reached each node; \"stopped here\" counts abandoned runs whose last node it was."),
    ("checks_before_ticket", "Checks that failed (or errored) in runs that ended with a ticket."),
    ("time_to_resolution", "Median nodes reached and median time from start to a `resolved` end; flagged above 6 steps or 3 minutes."),
    ("content_gaps", "Searches with no result, searches followed by a ticket in the same visit, and articles answered \"No\". A search text is shown only when at least 3 different visits made it; rarer ones are counted as \"other\"."),
    ("tickets_by", "Tickets by tier, category and origin (the flow node, article or route the contact form was opened from)."),
];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub period: PeriodInfo,
    pub outcome: SelfServiceOutcome,
    pub fix_in_product: Vec<Fix>,
    pub flows: Vec<FlowFunnel>,
    pub content_gaps: ContentGaps,
    pub tickets: Tickets,
    pub daily: Vec<Daily>,
    /// Events the widget had to drop while offline (queue full).
    pub dropped_offline: i64,
    pub definitions: BTreeMap<&'static str, &'static str>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeriodInfo {
    pub since: String,
    pub until: String,
    pub days: i64,
    pub previous_since: String,
    pub previous_until: String,
    pub abandoned_after_minutes: i64,
    /// `--flow`: the flow sections show only this flow.
    pub flow: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SelfServiceOutcome {
    pub visits_with_intent: i64,
    pub verified_resolutions: i64,
    pub resolved_flows: i64,
    pub helpful_articles: i64,
    pub tickets: i64,
    pub abandoned: i64,
    pub in_progress: i64,
    /// `None` when there were neither resolutions nor tickets.
    pub self_service_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fix {
    pub flow: String,
    pub node: String,
    pub count: i64,
    /// The same count in the period before.
    pub previous: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlowFunnel {
    pub flow: String,
    pub started: i64,
    pub nodes: Vec<NodeStep>,
    pub resolved: i64,
    pub tickets: i64,
    pub abandoned: i64,
    pub in_progress: i64,
    pub checks_failed_before_ticket: Vec<Named>,
    pub median_steps_to_resolution: Option<f64>,
    pub median_seconds_to_resolution: Option<f64>,
    /// Resolutions take more than 6 steps or 3 minutes (medians).
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeStep {
    pub node: String,
    pub reached: i64,
    pub abandoned_here: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Named {
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContentGaps {
    pub searches: i64,
    pub no_result_searches: i64,
    /// Texts searched with no result, by visits.
    pub no_result: TextList,
    /// Texts searched before a ticket in the same visit, by visits.
    pub then_ticket: TextList,
    pub articles_answered_no: Vec<ArticleAnswers>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct TextList {
    pub shown: Vec<SearchText>,
    /// Visits whose text was made by fewer than 3 visits: counted, not shown.
    pub other_visits: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchText {
    pub text: String,
    pub visits: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ArticleAnswers {
    pub article: String,
    pub no: i64,
    pub yes: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tickets {
    pub total: i64,
    pub by_tier: Vec<Named>,
    pub by_category: Vec<Named>,
    pub by_origin: Vec<Named>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Daily {
    pub date: String,
    pub resolutions: i64,
    pub tickets: i64,
    pub self_service_rate: Option<f64>,
}

/// Self-service rate: resolutions ÷ (resolutions + tickets).
pub fn rate(resolutions: i64, tickets: i64) -> Option<f64> {
    let all = resolutions + tickets;
    (all > 0).then(|| resolutions as f64 / all as f64)
}

/// The median of values given with how often each occurs.
pub fn median_of_counts(counts: &mut [(f64, i64)]) -> Option<f64> {
    counts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: i64 = counts.iter().map(|(_, n)| (*n).max(0)).sum();
    if total == 0 {
        return None;
    }
    // The values at 0-based positions (total - 1) / 2 and total / 2.
    let at = |position: i64| {
        let mut seen = 0;
        for (value, n) in counts.iter() {
            seen += (*n).max(0);
            if seen > position {
                return *value;
            }
        }
        counts.last().map_or(0.0, |(v, _)| *v)
    };
    Some((at((total - 1) / 2) + at(total / 2)) / 2.0)
}

/// Counters of one period, summed over its days.
#[derive(Default)]
struct Sums(BTreeMap<(String, String, String), i64>);

impl Sums {
    fn get(&self, metric: &str, flow: &str, subject: &str) -> i64 {
        self.0
            .get(&(metric.to_string(), flow.to_string(), subject.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// (flow, subject, n) of one metric.
    fn of<'a>(&'a self, metric: &'a str) -> impl Iterator<Item = (&'a str, &'a str, i64)> + 'a {
        self.0
            .iter()
            .filter(move |((m, _, _), _)| m == metric)
            .map(|((_, f, s), n)| (f.as_str(), s.as_str(), *n))
    }

    /// Sum of one metric over all flows and subjects.
    fn total(&self, metric: &str) -> i64 {
        self.of(metric).map(|(_, _, n)| n).sum()
    }
}

fn ranked(items: impl Iterator<Item = (String, i64)>) -> Vec<Named> {
    let mut merged: BTreeMap<String, i64> = BTreeMap::new();
    for (name, count) in items {
        *merged.entry(name).or_default() += count;
    }
    let mut list: Vec<Named> = merged
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(name, count)| Named { name, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    list.truncate(LISTED);
    list
}

fn text_list(rows: impl Iterator<Item = (String, i64)>) -> TextList {
    let mut list = TextList::default();
    for (text, visits) in rows.filter(|(_, v)| *v > 0) {
        if visits >= MIN_VISITS_SHOWN {
            list.shown.push(SearchText { text, visits });
        } else {
            list.other_visits += visits;
        }
    }
    list.shown
        .sort_by(|a, b| b.visits.cmp(&a.visits).then_with(|| a.text.cmp(&b.text)));
    list.shown.truncate(LISTED);
    list
}

/// Computes the report over `period`; `flow` narrows the flow sections.
pub fn build(data: &ReportData, period: &Period, flow: Option<&str>) -> Report {
    let span = period.span;
    let (mut now, mut before) = (Sums::default(), Sums::default());
    let mut per_day: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (day, m, f, subject, n) in &data.counts {
        let key = (m.clone(), f.clone(), subject.clone());
        if (span.first_day..=span.last_day).contains(day) {
            *now.0.entry(key).or_default() += n;
            let entry = per_day.entry(*day).or_default();
            match m.as_str() {
                metric::RESOLVED | metric::ARTICLE_YES => entry.0 += n,
                metric::TICKETS => entry.1 += n,
                _ => {}
            }
        } else if (period.previous_first_day..span.first_day).contains(day) {
            *before.0.entry(key).or_default() += n;
        }
    }
    let wanted = |f: &str| flow.is_none_or(|w| w == f);

    let resolved_flows = now.total(metric::RESOLVED);
    let helpful_articles = now.total(metric::ARTICLE_YES);
    let tickets = now.total(metric::TICKETS);
    let abandoned_all: i64 = data.abandoned.iter().map(|(_, _, n)| n).sum();
    let in_progress_all: i64 = data.in_progress.iter().map(|(_, n)| n).sum();
    let outcome = SelfServiceOutcome {
        visits_with_intent: now.total(metric::INTENT),
        verified_resolutions: resolved_flows + helpful_articles,
        resolved_flows,
        helpful_articles,
        tickets,
        abandoned: abandoned_all,
        in_progress: in_progress_all,
        self_service_rate: rate(resolved_flows + helpful_articles, tickets),
    };

    let mut fix_in_product: Vec<Fix> = now
        .of(metric::RESOLVED)
        .filter(|(f, _, _)| wanted(f))
        .map(|(f, node, count)| Fix {
            flow: f.to_string(),
            node: node.to_string(),
            count,
            previous: before.get(metric::RESOLVED, f, node),
        })
        .collect();
    fix_in_product.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| (&a.flow, &a.node).cmp(&(&b.flow, &b.node)))
    });
    fix_in_product.truncate(LISTED);

    let mut flow_ids: BTreeSet<&str> = BTreeSet::new();
    for m in [
        metric::RUN_STARTED,
        metric::NODE_RUNS,
        metric::RESOLVED,
        metric::FLOW_TICKET,
    ] {
        flow_ids.extend(now.of(m).map(|(f, _, _)| f));
    }
    flow_ids.extend(data.abandoned.iter().map(|(f, _, _)| f.as_str()));
    flow_ids.extend(data.in_progress.iter().map(|(f, _)| f.as_str()));
    let mut flows: Vec<FlowFunnel> = flow_ids
        .into_iter()
        .filter(|f| !f.is_empty() && wanted(f))
        .map(|id| funnel(id, &now, data))
        .collect();
    flows.sort_by(|a, b| b.started.cmp(&a.started).then_with(|| a.flow.cmp(&b.flow)));

    let mut articles: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (_, article, n) in now.of(metric::ARTICLE_NO) {
        articles.entry(article).or_default().0 += n;
    }
    for (_, article, n) in now.of(metric::ARTICLE_YES) {
        if let Some(entry) = articles.get_mut(article) {
            entry.1 += n;
        }
    }
    let mut articles_answered_no: Vec<ArticleAnswers> = articles
        .into_iter()
        .map(|(article, (no, yes))| ArticleAnswers {
            article: article.to_string(),
            no,
            yes,
        })
        .collect();
    articles_answered_no.sort_by(|a, b| b.no.cmp(&a.no).then_with(|| a.article.cmp(&b.article)));
    articles_answered_no.truncate(LISTED);

    let content_gaps = ContentGaps {
        searches: now.total(metric::SEARCHES),
        no_result_searches: now.total(metric::NO_RESULT),
        no_result: text_list(
            now.of(metric::NO_RESULT_VISITS)
                .map(|(_, t, n)| (t.to_string(), n)),
        ),
        then_ticket: text_list(
            now.of(metric::TICKET_AFTER_VISITS)
                .map(|(_, t, n)| (t.to_string(), n)),
        ),
        articles_answered_no,
    };

    let by = |m: &str| ranked(now.of(m).map(|(_, s, n)| (s.to_string(), n)));
    let tickets_section = Tickets {
        total: tickets,
        by_tier: by(metric::TICKET_TIER),
        by_category: by(metric::TICKET_CATEGORY),
        by_origin: by(metric::TICKET_ORIGIN),
    };

    let daily = (span.first_day..=span.last_day)
        .map(|day| {
            let (resolutions, tickets) = per_day.get(&day).copied().unwrap_or_default();
            Daily {
                date: date_text(day),
                resolutions,
                tickets,
                self_service_rate: rate(resolutions, tickets),
            }
        })
        .collect();

    Report {
        period: PeriodInfo {
            since: date_text(span.first_day),
            until: date_text(span.last_day),
            days: period.days(),
            previous_since: date_text(period.previous_first_day),
            previous_until: date_text(span.first_day - 1),
            abandoned_after_minutes: ABANDONED_AFTER_MS / 60_000,
            flow: flow.map(str::to_string),
        },
        outcome,
        fix_in_product,
        flows,
        content_gaps,
        tickets: tickets_section,
        daily,
        dropped_offline: now.total(metric::DROPPED),
        definitions: DEFINITIONS.into_iter().collect(),
    }
}

fn funnel(id: &str, now: &Sums, data: &ReportData) -> FlowFunnel {
    let mut stopped: BTreeMap<&str, i64> = BTreeMap::new();
    let mut abandoned = 0;
    for (f, node, n) in &data.abandoned {
        if f == id {
            abandoned += n;
            *stopped.entry(node.as_deref().unwrap_or("")).or_default() += n;
        }
    }
    let mut nodes: Vec<(f64, NodeStep)> = now
        .of(metric::NODE_RUNS)
        .filter(|(f, _, _)| *f == id)
        .map(|(_, node, reached)| {
            let depth = now.get(metric::NODE_DEPTH, id, node) as f64 / reached.max(1) as f64;
            let step = NodeStep {
                node: node.to_string(),
                reached,
                abandoned_here: stopped.get(node).copied().unwrap_or(0),
            };
            (depth, step)
        })
        .collect();
    // From the start on: by the mean number of nodes runs had reached
    // before this one, then the most reached first.
    nodes.sort_by(|(da, a), (db, b)| {
        da.total_cmp(db)
            .then_with(|| b.reached.cmp(&a.reached))
            .then_with(|| a.node.cmp(&b.node))
    });
    let nodes: Vec<NodeStep> = nodes.into_iter().map(|(_, step)| step).collect();
    let mut checks: Vec<Named> = now
        .of(metric::TICKET_CHECKS)
        .filter(|(f, _, _)| *f == id)
        .map(|(_, check, count)| Named {
            name: check.to_string(),
            count,
        })
        .collect();
    checks.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    checks.truncate(LISTED);
    let histogram = |m: &str| -> Vec<(f64, i64)> {
        now.of(m)
            .filter(|(f, _, _)| *f == id)
            .filter_map(|(_, value, n)| Some((value.parse::<f64>().ok()?, n)))
            .collect()
    };
    let median_steps = median_of_counts(&mut histogram(metric::RESOLVED_STEPS));
    let median_seconds = median_of_counts(&mut histogram(metric::RESOLVED_SECONDS));
    let flagged = median_steps.is_some_and(|s| s > MAX_STEPS)
        || median_seconds.is_some_and(|s| s > MAX_SECONDS);
    FlowFunnel {
        flow: id.to_string(),
        started: now.get(metric::RUN_STARTED, id, ""),
        nodes,
        resolved: now
            .of(metric::RESOLVED)
            .filter(|(f, _, _)| *f == id)
            .map(|(_, _, n)| n)
            .sum(),
        tickets: now
            .of(metric::FLOW_TICKET)
            .filter(|(f, _, _)| *f == id)
            .map(|(_, _, n)| n)
            .sum(),
        abandoned,
        in_progress: data
            .in_progress
            .iter()
            .filter(|(f, _)| f == id)
            .map(|(_, n)| n)
            .sum(),
        checks_failed_before_ticket: checks,
        median_steps_to_resolution: median_steps,
        median_seconds_to_resolution: median_seconds,
        flagged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::store::analytics::Span;

    fn period() -> Period {
        Period {
            span: Span {
                first_day: 100,
                last_day: 106,
                abandoned_before_ms: 0,
            },
            previous_first_day: 93,
        }
    }

    fn count(
        day: i64,
        m: &str,
        flow: &str,
        subject: &str,
        n: i64,
    ) -> (i64, String, String, String, i64) {
        (day, m.into(), flow.into(), subject.into(), n)
    }

    #[test]
    fn the_self_service_rate_counts_verified_resolutions_against_tickets() {
        assert_eq!(rate(3, 1), Some(0.75));
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(0, 2), Some(0.0));
        let data = ReportData {
            counts: vec![
                count(100, metric::RESOLVED, "wifi", "fixed", 2),
                count(101, metric::ARTICLE_YES, "", "reset", 1),
                count(101, metric::ARTICLE_NO, "", "reset", 4),
                count(102, metric::TICKETS, "", "", 1),
                count(102, metric::INTENT, "", "", 9),
                // Outside the period: not counted.
                count(99, metric::TICKETS, "", "", 5),
                count(107, metric::TICKETS, "", "", 5),
            ],
            ..ReportData::default()
        };
        let report = build(&data, &period(), None);
        assert_eq!(report.outcome.verified_resolutions, 3);
        assert_eq!(report.outcome.tickets, 1);
        assert_eq!(report.outcome.visits_with_intent, 9);
        assert_eq!(report.outcome.self_service_rate, Some(0.75));
        assert_eq!(report.daily.len(), 7);
        assert_eq!(report.daily[0].self_service_rate, Some(1.0));
        assert_eq!(report.daily[2].self_service_rate, Some(0.0));
        assert_eq!(report.daily[3].self_service_rate, None);
        assert_eq!(
            report.content_gaps.articles_answered_no,
            [ArticleAnswers {
                article: "reset".into(),
                no: 4,
                yes: 1
            }]
        );
    }

    #[test]
    fn fixes_are_ranked_with_the_change_against_the_period_before() {
        let data = ReportData {
            counts: vec![
                count(100, metric::RESOLVED, "wifi", "band", 5),
                count(105, metric::RESOLVED, "wifi", "band", 2),
                count(101, metric::RESOLVED, "mail", "verify", 9),
                count(95, metric::RESOLVED, "wifi", "band", 3),
                count(92, metric::RESOLVED, "mail", "verify", 50),
            ],
            ..ReportData::default()
        };
        let fixes = build(&data, &period(), None).fix_in_product;
        let got: Vec<_> = fixes
            .iter()
            .map(|f| (f.flow.as_str(), f.node.as_str(), f.count, f.previous))
            .collect();
        // Day 92 is before the previous period (93..=99).
        assert_eq!(got, [("mail", "verify", 9, 0), ("wifi", "band", 7, 3)]);
        let only = build(&data, &period(), Some("wifi")).fix_in_product;
        assert_eq!(only.len(), 1);
    }

    #[test]
    fn a_funnel_counts_runs_per_node_and_where_abandoned_runs_stopped() {
        let data = ReportData {
            counts: vec![
                count(100, metric::RUN_STARTED, "wifi", "", 10),
                count(100, metric::NODE_RUNS, "wifi", "start", 10),
                count(100, metric::NODE_RUNS, "wifi", "band", 7),
                count(100, metric::NODE_RUNS, "wifi", "fixed", 4),
                // Mean depths: start 0, band 1, fixed 2 (listed in that order
                // even though "band" < "fixed" < "start" by name).
                count(100, metric::NODE_DEPTH, "wifi", "band", 7),
                count(100, metric::NODE_DEPTH, "wifi", "fixed", 8),
                count(100, metric::RESOLVED, "wifi", "fixed", 4),
                count(100, metric::FLOW_TICKET, "wifi", "escalate", 1),
                count(100, metric::TICKET_CHECKS, "wifi", "browser.online", 1),
                // Four resolved runs: 3, 4, 8, 9 steps; 20, 30, 100, 400 s.
                count(100, metric::RESOLVED_STEPS, "wifi", "3", 1),
                count(100, metric::RESOLVED_STEPS, "wifi", "9", 1),
                count(101, metric::RESOLVED_STEPS, "wifi", "8", 1),
                count(101, metric::RESOLVED_STEPS, "wifi", "4", 1),
                count(100, metric::RESOLVED_SECONDS, "wifi", "20", 1),
                count(100, metric::RESOLVED_SECONDS, "wifi", "400", 1),
                count(101, metric::RESOLVED_SECONDS, "wifi", "100", 1),
                count(101, metric::RESOLVED_SECONDS, "wifi", "30", 1),
            ],
            abandoned: vec![
                ("wifi".into(), Some("start".into()), 3),
                ("wifi".into(), Some("band".into()), 1),
            ],
            in_progress: vec![("wifi".into(), 1)],
        };
        let report = build(&data, &period(), None);
        let flow = &report.flows[0];
        assert_eq!((flow.started, flow.resolved, flow.tickets), (10, 4, 1));
        assert_eq!((flow.abandoned, flow.in_progress), (4, 1));
        let nodes: Vec<_> = flow
            .nodes
            .iter()
            .map(|n| (n.node.as_str(), n.reached, n.abandoned_here))
            .collect();
        assert_eq!(nodes, [("start", 10, 3), ("band", 7, 1), ("fixed", 4, 0)]);
        assert_eq!(flow.median_steps_to_resolution, Some(6.0));
        assert_eq!(flow.median_seconds_to_resolution, Some(65.0));
        assert!(!flow.flagged, "6 steps and 65 s are within bounds");
        assert_eq!(flow.checks_failed_before_ticket[0].name, "browser.online");
    }

    #[test]
    fn slow_or_long_resolutions_flag_their_flow() {
        let runs = |steps: i64, seconds: i64| ReportData {
            counts: vec![
                count(100, metric::RUN_STARTED, "wifi", "", 1),
                count(100, metric::RESOLVED_STEPS, "wifi", &steps.to_string(), 1),
                count(
                    100,
                    metric::RESOLVED_SECONDS,
                    "wifi",
                    &seconds.to_string(),
                    1,
                ),
            ],
            ..ReportData::default()
        };
        assert!(build(&runs(7, 1), &period(), None).flows[0].flagged);
        assert!(build(&runs(2, 181), &period(), None).flows[0].flagged);
        assert!(!build(&runs(6, 180), &period(), None).flows[0].flagged);
    }

    #[test]
    fn a_search_text_is_shown_only_when_three_visits_made_it() {
        let data = ReportData {
            counts: vec![
                count(100, metric::SEARCH_VISITS, "", "zigbee", 5),
                count(100, metric::NO_RESULT_VISITS, "", "zigbee", 2),
                count(101, metric::NO_RESULT_VISITS, "", "zigbee", 2),
                count(100, metric::NO_RESULT_VISITS, "", "my name is ana", 1),
                count(100, metric::TICKET_AFTER_VISITS, "", "my name is ana", 1),
                count(100, metric::NO_RESULT_VISITS, "", "hub reset", 2),
                count(100, metric::TICKET_AFTER_VISITS, "", "hub reset", 3),
            ],
            ..ReportData::default()
        };
        let gaps = build(&data, &period(), None).content_gaps;
        assert_eq!(
            gaps.no_result.shown,
            [SearchText {
                text: "zigbee".into(),
                visits: 4
            }]
        );
        assert_eq!(gaps.no_result.other_visits, 3);
        assert_eq!(
            gaps.then_ticket.shown,
            [SearchText {
                text: "hub reset".into(),
                visits: 3
            }]
        );
        assert_eq!(gaps.then_ticket.other_visits, 1);
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(
            median_of_counts(&mut [(3.0, 1), (1.0, 1), (2.0, 1)]),
            Some(2.0)
        );
        assert_eq!(median_of_counts(&mut []), None);
        assert_eq!(median_of_counts(&mut [(5.0, 2), (1.0, 1)]), Some(5.0));
        assert_eq!(
            median_of_counts(&mut [(4.0, 1), (1.0, 1), (3.0, 1), (2.0, 1)]),
            Some(2.5)
        );
        assert_eq!(median_of_counts(&mut [(10.0, 3), (20.0, 3)]), Some(15.0));
    }
}
