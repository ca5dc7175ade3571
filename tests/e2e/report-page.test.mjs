// The analytics report page (#16) in real Chromium: `GET /inbox/report`
// behind the inbox token, after scripted journeys posted to /api/events.
// axe finds nothing serious or critical, the page loads nothing from
// outside, hostile search text stays text, and a screenshot is kept in
// target/e2e-artifacts/report.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startSession, root } from './support.mjs';

const TOKEN = 'report-page-token-0123456789';
process.env.SIGNPOST_INBOX_TOKEN = TOKEN;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function postBatch(relay, visit, events) {
  const id = `batch-${visit}`;
  const response = await fetch(`${relay.url.replace(/\/$/, '')}/api/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ version: 1, batch: id, visit, events }),
  });
  assert.equal(response.status, 202, await response.text());
}

test('the report page is accessible, self-contained and escapes what users typed', async (t) => {
  const { relay, context } = await startSession(t);
  const t0 = Date.now() - 120_000;
  const fix = (visit, ms, end) => [
    { kind: 'panel_opened', at: t0 },
    { kind: 'flow_started', at: t0 + 1000, flow: 'camera-wifi', from: 'search' },
    { kind: 'node_reached', at: t0 + 1000, flow: 'camera-wifi', node: 'band' },
    { kind: 'check_done', at: t0 + 1500, flow: 'camera-wifi', node: 'band', check: 'browser.online', outcome: 'fail', ms: 20 },
    { kind: 'node_reached', at: t0 + ms / 2, flow: 'camera-wifi', node: 'switch-band', answer: '5 GHz' },
    ...(end ? [{ kind: 'flow_ended', at: t0 + ms, flow: 'camera-wifi', node: end === 'resolved' ? 'fixed-band' : 'escalate', end }] : []),
    ...(end === 'ticket' ? [{ kind: 'ticket_sent', at: t0 + ms + 5000, tier: 'defect', category: 'wifi', origin: 'camera-wifi/escalate' }] : []),
  ];
  await postBatch(relay, 'visit-report-01', fix('visit-report-01', 20_000, 'resolved'));
  await postBatch(relay, 'visit-report-02', fix('visit-report-02', 240_000, 'resolved'));
  await postBatch(relay, 'visit-report-03', fix('visit-report-03', 30_000, 'ticket'));
  await postBatch(relay, 'visit-report-04', fix('visit-report-04', 10_000, null));
  for (const n of [5, 6, 7]) {
    await postBatch(relay, `visit-report-0${n}`, [
      { kind: 'panel_opened', at: t0 },
      { kind: 'searched', at: t0 + 500, query: '<img src=x onerror=alert(1)> hub', results: 0 },
      { kind: 'article_viewed', at: t0 + 900, article: 'reset-camera' },
      { kind: 'article_answered', at: t0 + 4000, article: 'reset-camera', helpful: n !== 7 },
    ]);
  }

  await context.setExtraHTTPHeaders({ Authorization: `Bearer ${TOKEN}` });
  const page = await context.newPage();
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(relay.url)) outside.push(r.url()); });
  const until = new Date(Date.now() + 31 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const response = await page.goto(`${relay.url.replace(/\/$/, '')}/inbox/report?until=${until}`);
  assert.equal(response.status(), 200);

  const headings = await page.locator('h2').allTextContents();
  assert.deepEqual(headings, ['Self-service outcome', 'Fix in the product', 'Where self-help fails', 'Content gaps', 'Tickets']);
  assert.equal(await page.locator('svg').count(), 2, 'a daily chart and one funnel');
  assert.match(await page.locator('main').innerText(), /Self-service rate\s+80\.0%/);
  // The hostile text is shown as text (3 visits made it), never as markup.
  assert.equal(await page.locator('main img').count(), 0);
  assert.match(await page.locator('main').innerText(), /<img src=x onerror=alert\(1\)> hub/);
  assert.deepEqual(outside, [], 'the page loads nothing from elsewhere');

  await page.addScriptTag({ content: axeSource }).catch(() => {});
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  // The inbox's CSP forbids scripts; axe is then run on a copy of the page.
  let violations;
  if (hasAxe) {
    violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  } else {
    const html = await page.content();
    const copy = await context.newPage();
    await copy.setContent(html);
    await copy.addScriptTag({ content: axeSource });
    violations = await copy.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  }
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help}`), [], 'axe: nothing serious or critical');

  const artifacts = join(root, 'target/e2e-artifacts');
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
});
