// Anonymous usage events from the widget: what a product team reads must
// arrive at the relay exactly once, offline included, and must never
// identify anyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  signpostBin, startRelay, launchBrowser, contentArgs, openPanel, eventually, resultIds, watchErrors,
  serveHostPage, hostPage, waitForTickets,
} from './support.mjs';

async function session(t) {
  const relay = await startRelay({ args: contentArgs() });
  const browser = await launchBrowser();
  const context = await browser.newContext();
  t.after(async () => { await browser.close(); await relay.stop(); });
  return { relay, context };
}

/** Listens to the widget's `event` stream, as an integrator forwarding it would. */
async function recordEvents(page) {
  const events = [];
  await page.exposeFunction('recordSignpostEvent', (detail) => events.push(detail));
  await page.addInitScript(() => {
    window.addEventListener('DOMContentLoaded', () => {
      window.Signpost('on', 'event', (detail) => window.recordSignpostEvent(JSON.parse(JSON.stringify(detail))));
    });
  });
  return events;
}

function flowAt(page, flowId, nodeId) {
  return page.locator(`[data-testid=flow][data-flow-id="${flowId}"][data-node-id="${nodeId}"]`);
}

async function openResult(page, query, id) {
  await page.getByTestId('search').fill(query);
  await eventually(async () => assert.ok((await resultIds(page)).includes(id), `"${query}" lists ${id}`));
  await page.locator(`[data-testid=result][data-id="${id}"]`).click();
}

/** Finds the camera Wi-Fi fix by search and answers its first question: "No light". */
async function cameraFixToPowerStep(page) {
  await openResult(page, 'camera wont connect to wifi', 'camera-wifi');
  await page.getByTestId('choice').filter({ hasText: /No light/ }).click();
  await flowAt(page, 'camera-wifi', 'step_power').waitFor({ state: 'visible' });
}

/** Walks the camera Wi-Fi fix to its resolved end (the demo's camera check passes). */
async function resolveCameraFix(page) {
  await cameraFixToPowerStep(page);
  await page.evaluate(() => document.getElementById('demo-camera').click());
  await page.getByTestId('fixed-yes').click();
  await flowAt(page, 'camera-wifi', 'done').waitFor({ state: 'visible', timeout: 10000 });
}

/** Answers the password-reset article "No", then sends a ticket from it. */
async function articleNoThenTicket(page, { email, message }) {
  await openResult(page, 'forgot my pasword', 'reset-password');
  await page.getByTestId('helpful-no').click();
  await page.getByTestId('not-helped').getByTestId('contact-route').click();
  const form = page.getByTestId('contact-form');
  await form.getByTestId('email').fill(email);
  await form.getByTestId('message').fill(message);
  await form.getByTestId('send').click();
  await page.locator('[data-testid=ticket-status][data-state=sent]').waitFor();
}

function storedEvents(relay) {
  return relay.query('SELECT kind, visit, flow, node, item, text, outcome, number, source, origin, category, tier FROM events ORDER BY at_ms, rowid');
}

async function waitForEvents(relay, check, timeoutMs = 15000) {
  return eventually(() => {
    const rows = storedEvents(relay);
    check(rows);
    return rows;
  }, timeoutMs, 200);
}

const count = (rows, kind, where = {}) =>
  rows.filter((r) => r.kind === kind && Object.entries(where).every(([k, v]) => r[k] === v)).length;

test('a resolved fix, an article that did not help and its ticket, and a search with no answer reach the relay once, anonymously', async (t) => {
  const { relay, context } = await session(t);
  const page = await context.newPage();
  const errors = watchErrors(page);
  const heard = await recordEvents(page);
  await page.goto(relay.url);
  await openPanel(page);

  // A search with no answer, left to settle: one event, not one per key.
  await page.getByTestId('search').pressSequentially('zzqv flurble', { delay: 30 });
  await page.getByTestId('no-results').waitFor({ state: 'visible' });
  await page.waitForTimeout(1400);

  // A guided fix found by search, walked to its resolved end, and rated.
  await resolveCameraFix(page);
  await page.getByTestId('rate-yes').click();

  // An article that did not help, then a ticket from it.
  await page.getByTestId('home').click();
  await articleNoThenTicket(page, {
    email: 'jane.doe@example.com',
    message: 'The reset mail never arrives. My email is jane.doe@example.com',
  });

  // Closing the tab hands what is left to the browser as a beacon.
  await page.close({ runBeforeUnload: true });

  const rows = await waitForEvents(relay, (r) => assert.equal(count(r, 'ticket_sent'), 1, JSON.stringify(r.map((x) => x.kind))));
  assert.equal(count(rows, 'searched', { text: 'zzqv flurble', number: 0 }), 1, 'the unanswered search, once');
  assert.equal(rows.filter((r) => r.kind === 'searched' && /^zzq/.test(r.text)).length, 1, 'no event per keystroke');
  assert.equal(count(rows, 'result_chosen', { item: 'camera-wifi' }), 1);
  assert.equal(count(rows, 'flow_started', { flow: 'camera-wifi', source: 'search' }), 1);
  assert.equal(count(rows, 'node_reached', { flow: 'camera-wifi', node: 'step_power', text: 'No light at all' }), 1,
    'the node, with the answer that led there');
  assert.equal(count(rows, 'check_done', { flow: 'camera-wifi', node: 'check_camera', outcome: 'pass' }), 1);
  assert.equal(count(rows, 'flow_ended', { flow: 'camera-wifi', node: 'done', outcome: 'resolved' }), 1);
  assert.equal(count(rows, 'flow_rated', { flow: 'camera-wifi', outcome: 'yes' }), 1);
  assert.equal(count(rows, 'article_viewed', { item: 'reset-password' }), 1);
  assert.equal(count(rows, 'article_answered', { item: 'reset-password', outcome: 'no' }), 1);
  assert.equal(count(rows, 'contact_opened', { source: 'article', origin: 'reset-password' }), 1);
  assert.ok(count(rows, 'panel_opened') >= 1);

  // One visit, never the ticket's, and nothing that names the user.
  const visits = new Set(rows.map((r) => r.visit));
  assert.equal(visits.size, 1, 'one visit id for the tab');
  const [ticket] = await waitForTickets(relay, 1);
  const [visit] = visits;
  assert.ok(!ticket.payload.includes(visit), 'the visit id is not in the ticket');
  assert.doesNotMatch(JSON.stringify(rows), /jane|example\.com/i, 'no email or name in any event');
  const stored = relay.query('SELECT * FROM events');
  assert.ok(stored.every((r) => !Object.values(r).some((v) => /127\.0\.0\.1|::1/.test(String(v)))), 'no client IP is stored');

  // Host listeners got the same stream.
  assert.ok(heard.some((e) => e.kind === 'flow_ended' && e.end === 'resolved' && e.flow === 'camera-wifi'), JSON.stringify(heard.map((e) => e.kind)));
  assert.ok(heard.some((e) => e.kind === 'searched' && e.results === 0), 'numbers arrive as numbers');
  assert.deepEqual(errors, []);
});

test('events from an offline spell arrive once after reconnecting', async (t) => {
  const { relay, context } = await session(t);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(relay.url);
  await openPanel(page);
  // The help content has arrived; the connection drops before anything is sent.
  await eventually(async () => assert.ok((await resultIds(page)).length > 0, 'featured results show'), 10000);
  await context.setOffline(true);
  await openResult(page, 'forgot my pasword', 'reset-password');
  await page.getByTestId('helpful-yes').click();
  await page.waitForTimeout(5000); // past the first send: it fails quietly
  assert.equal(storedEvents(relay).length, 0);
  assert.equal(await page.getByTestId('panel').locator('[role=alert]').count(), 0, 'no error is shown for events');

  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  const rows = await waitForEvents(relay, (r) => assert.equal(count(r, 'article_answered', { item: 'reset-password', outcome: 'yes' }), 1));
  await page.waitForTimeout(1500);
  assert.equal(count(storedEvents(relay), 'article_viewed', { item: 'reset-password' }), 1, 'sent once, not once per attempt');
  assert.equal(rows.filter((r) => r.kind === 'panel_opened').length, 1);
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
});

test('events the relay could not take survive a reload and arrive once, with the same visit', async (t) => {
  const { relay, context } = await session(t);
  const page = await context.newPage();
  // The browser refuses the beacon as the page hides (as it does over its
  // quota), so what was not sent must wait in the tab's storage.
  await page.addInitScript(() => { navigator.sendBeacon = () => false; });
  await page.goto(relay.url);
  await openPanel(page);
  await eventually(async () => assert.ok((await resultIds(page)).length > 0, 'featured results show'), 10000);
  // The relay's events endpoint is unreachable (a proxy, an outage); the
  // rest of the page works.
  let refused = 0;
  await context.route('**/api/events', (route) => { refused += 1; return route.abort(); });
  await openResult(page, 'forgot my pasword', 'reset-password');
  await page.getByTestId('helpful-yes').click();
  await page.waitForTimeout(5000); // past the first send
  assert.ok(refused >= 1, 'the widget tried to send');
  // A search the page leaves before it settles is counted as the page hides.
  await page.evaluate(() => window.Signpost('search', 'zzqv flurble'));
  await page.reload();
  assert.equal(storedEvents(relay).length, 0, 'nothing got through before the reload');

  // Reachable again: the next page's widget sends what the last one kept.
  await context.unroute('**/api/events');
  await openPanel(page);
  const rows = await waitForEvents(relay, (r) => {
    assert.equal(count(r, 'article_answered', { item: 'reset-password', outcome: 'yes' }), 1);
    assert.equal(count(r, 'panel_opened'), 2, 'both pages opened the panel');
    assert.equal(count(r, 'searched', { text: 'zzqv flurble', number: 0 }), 1, 'the search left as the page hid');
  });
  await page.waitForTimeout(1500);
  assert.equal(count(storedEvents(relay), 'article_viewed', { item: 'reset-password' }), 1, 'sent once');
  assert.equal(new Set(rows.map((r) => r.visit)).size, 1, 'one tab, one visit');
});

test('data-analytics="off" sends nothing to the relay', async (t) => {
  const { relay, context } = await session(t);
  const requests = [];
  context.on('request', (r) => { if (r.url().includes('/api/events')) requests.push(r.url()); });
  const url = await serveHostPage(context, relay, '/off.html', hostPage({ attrs: { analytics: 'off' } }));
  const page = await context.newPage();
  await page.goto(url);
  await openPanel(page);
  await openResult(page, 'forgot my pasword', 'reset-password');
  await page.getByTestId('helpful-yes').click();
  await page.waitForTimeout(5000);
  await page.close({ runBeforeUnload: true });
  await new Promise((ok) => setTimeout(ok, 500));
  assert.deepEqual(requests, []);
  assert.equal(storedEvents(relay).length, 0);
});

/** `signpost report --format json` over the relay's database. */
function reportJson(relay, args = []) {
  const out = execFileSync(signpostBin, ['report', '--db', relay.db, '--format', 'json', ...args], { encoding: 'utf8' });
  return JSON.parse(out);
}

test('signpost report counts five journeys made in Chromium exactly', async (t) => {
  const { relay, context } = await session(t);
  // Each journey in its own tab: its own visit, as people come and go.
  const journey = async (walk) => {
    const page = await context.newPage();
    await page.goto(relay.url);
    await openPanel(page);
    await walk(page);
    // Closing the tab hands what is left to the browser as a beacon.
    await page.close({ runBeforeUnload: true });
  };
  // 1. A fix resolved.
  await journey(resolveCameraFix);
  // 2. An article answered Yes.
  await journey(async (page) => {
    await openResult(page, 'forgot my pasword', 'reset-password');
    await page.getByTestId('helpful-yes').click();
  });
  // 3. An article answered No, then a ticket from it.
  await journey((page) => articleNoThenTicket(page, { email: 'sam@example.org', message: 'The reset mail never arrives.' }));
  // 4. A flow left halfway: abandoned once 30 minutes pass without an end.
  await journey(cameraFixToPowerStep);
  // 5. A search with no result, left to settle.
  await journey(async (page) => {
    await page.getByTestId('search').pressSequentially('zzqv flurble', { delay: 30 });
    await page.getByTestId('no-results').waitFor({ state: 'visible' });
    await page.waitForTimeout(1400);
  });

  await waitForEvents(relay, (r) => {
    assert.equal(new Set(r.map((x) => x.visit)).size, 5, 'five visits');
    assert.equal(count(r, 'ticket_sent'), 1);
    assert.equal(count(r, 'searched', { number: 0 }), 1);
    assert.equal(count(r, 'node_reached', { node: 'step_power' }), 2);
  });
  // Judged 31 minutes from now, so the flow left halfway counts as abandoned.
  const until = new Date(Date.now() + 31 * 60 * 1000).toISOString();
  const report = reportJson(relay, ['--until', until]);
  const { outcome } = report;
  const shown = JSON.stringify(report, null, 1);
  assert.equal(outcome.visits_with_intent, 5, shown);
  assert.equal(outcome.resolved_flows, 1, shown);
  assert.equal(outcome.helpful_articles, 1, shown);
  assert.equal(outcome.verified_resolutions, 2, shown);
  assert.equal(outcome.tickets, 1, shown);
  assert.equal(outcome.abandoned, 1, shown);
  assert.equal(outcome.self_service_rate, 2 / 3, shown);
  const [flow, ...others] = report.flows;
  assert.equal(others.length, 0, shown);
  assert.equal(flow.flow, 'camera-wifi');
  assert.deepEqual([flow.started, flow.resolved, flow.tickets, flow.abandoned], [2, 1, 0, 1], shown);
  assert.deepEqual(report.fix_in_product.map((f) => [f.flow, f.node, f.count]), [['camera-wifi', 'done', 1]], shown);
  assert.equal(report.content_gaps.no_result_searches, 1, shown);
  assert.deepEqual(report.content_gaps.articles_answered_no, [{ article: 'reset-password', no: 1, yes: 1 }], shown);
  assert.deepEqual(report.tickets.by_origin, [{ name: 'reset-password', count: 1 }], shown);
});
