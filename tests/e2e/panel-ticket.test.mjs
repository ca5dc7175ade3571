// Reaching a human from the panel: a guided fix whose checks fail ends in a
// ticket that carries the path taken; feedback and ideas; page errors sent
// only with consent; and the incident banner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSession, contentArgs, copyContent, openPanel, eventually, resultIds, waitForTickets } from './support.mjs';

function flowAt(page, flowId, nodeId) {
  return page.locator(`[data-testid=flow][data-flow-id="${flowId}"][data-node-id="${nodeId}"]`);
}

test('checks that fail lead to an outage ticket inside the flow, and the ticket carries the transcript, category and priority', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  // check_cloud (http.reachable) asks status.lumen.example. Hold that request
  // so the "Checking…" state can be seen, then make it fail.
  let release;
  const gate = new Promise((ok) => { release = ok; });
  await context.route('https://status.lumen.example/**', async (route) => {
    await gate;
    try { await route.abort('connectionrefused'); } catch { /* the check gave up first */ }
  });
  t.after(() => release());
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  await page.getByTestId('search').fill('camera wont connect to wifi');
  await eventually(async () => assert.equal((await resultIds(page))[0], 'camera-wifi'));
  await page.locator('[data-testid=result][data-id="camera-wifi"]').click();
  await flowAt(page, 'camera-wifi', 'ask_light').waitFor({ state: 'visible' });

  // The demo camera has not checked in, so lumen.camera_online fails and the
  // flow moves on by itself to the next check.
  await page.getByTestId('choice').filter({ hasText: /Solid blue/ }).click();
  const cloud = flowAt(page, 'camera-wifi', 'check_cloud');
  await cloud.waitFor({ state: 'visible' });
  assert.equal(await cloud.getAttribute('data-node-kind'), 'check');
  const running = page.locator('[data-testid=flow-check][data-state=running]');
  await running.waitFor({ state: 'visible' });
  assert.match(await running.textContent(), /Checking/i);
  const failed = page.locator('[data-testid=check-result][data-result=fail]');
  await failed.waitFor({ state: 'visible' });
  assert.ok((await failed.textContent()).trim().length > 10, 'the failed check is explained in a plain-language line');

  release();
  // http.reachable fails, browser.online passes: Lumen's servers look down.
  const ticketNode = flowAt(page, 'camera-wifi', 'ticket_outage');
  await ticketNode.waitFor({ state: 'visible', timeout: 15000 });
  assert.equal(await ticketNode.getAttribute('data-node-kind'), 'ticket');
  await page.locator('[data-testid=check-result][data-result=pass]').waitFor({ state: 'visible' });
  const form = ticketNode.getByTestId('contact-form');
  await form.waitFor({ state: 'visible' });

  await form.getByTestId('message').fill('Live view has been down all morning.');
  await form.getByTestId('email').fill('ana@example.com');
  await form.getByTestId('send').click();
  await page.locator('[data-testid=ticket-status][data-state=sent]').waitFor();

  const rows = await waitForTickets(relay, 1);
  assert.equal(rows.length, 1);
  const { ticket } = rows[0];
  assert.equal(ticket.category, 'service-outage');
  assert.equal(ticket.priority, 'outage');
  const flowItem = ticket.context.find((item) => item.kind === 'flow');
  assert.ok(flowItem, `a flow item is in the context: ${ticket.context.map((i) => i.kind)}`);
  const transcript = flowItem.lines.join('\n');
  assert.match(transcript, /Solid blue/, 'the answer given');
  assert.ok(flowItem.lines.length >= 4, `the answer and three checks: ${JSON.stringify(flowItem.lines)}`);
  assert.match(transcript, /camera/i, 'the camera check');
  assert.match(transcript, /fail|not|no camera/i, 'with its failure');
});

test('"Share feedback or an idea" opens a feedback form: email optional, no context sent, category feedback', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  const route = page.getByTestId('route-feedback');
  assert.match(await route.textContent(), /feedback|idea/i);
  await route.click();
  const form = page.locator('[data-testid=contact-form][data-mode=feedback]');
  await form.waitFor({ state: 'visible' });
  assert.equal(await form.getByTestId('preview-item').count(), 0, 'nothing but the message will be sent');

  const message = 'It would be great to see battery level in the camera list.';
  await form.getByTestId('message').fill(message);
  await form.getByTestId('send').click(); // no email
  await page.locator('[data-testid=ticket-status][data-state=sent]').waitFor();

  const rows = await waitForTickets(relay, 1);
  assert.equal(rows.length, 1);
  const { ticket } = rows[0];
  assert.equal(ticket.category, 'feedback');
  assert.equal(ticket.message, message);
  assert.ok(!ticket.email, `no email needed: ${ticket.email}`);
  assert.deepEqual(ticket.context ?? [], [], 'no context items');
});

/** Opens the contact form through a search that finds nothing. */
async function contactAfterSearch(page) {
  await page.getByTestId('search').fill('xqzv blorf');
  await page.getByTestId('no-results').getByTestId('contact-route').click();
  await page.getByTestId('contact-form').waitFor({ state: 'visible' });
}

function throwInPage(page) {
  return page.evaluate(() => setTimeout(() => { throw new Error('boom token=sk_live_abc123def456'); }));
}

test('page errors go with a ticket only when the user ticks the consent box, scrubbed', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  await contactAfterSearch(page);
  assert.equal(await page.getByTestId('page-errors-consent').count(), 0, 'no consent box while the page has thrown nothing');

  // The page throws: the box appears, and left unticked, nothing is sent.
  await throwInPage(page);
  const consent = page.getByTestId('page-errors-consent');
  await consent.waitFor({ state: 'visible' });
  assert.equal(await consent.isChecked(), false, 'not ticked by default');
  await page.getByTestId('message').fill('Something broke (no consent).');
  await page.getByTestId('email').fill('ana@example.com');
  await page.getByTestId('send').click();
  await page.locator('[data-testid=ticket-status][data-state=sent]').first().waitFor();
  let rows = await waitForTickets(relay, 1);
  assert.equal(rows.length, 1);
  assert.ok(!rows[0].ticket.context.some((i) => i.kind === 'page_errors'), 'unticked: no page errors sent');

  // A new page view, a new error, and this time the box is ticked.
  await page.reload();
  await openPanel(page);
  await throwInPage(page);
  await contactAfterSearch(page);
  await consent.waitFor({ state: 'visible' });
  await consent.check();
  await page.getByTestId('message').fill('Something broke (with consent).');
  await page.getByTestId('email').fill('ana@example.com');
  await page.getByTestId('send').click();
  rows = await waitForTickets(relay, 2);
  assert.equal(rows.length, 2);
  const second = rows.map((r) => r.ticket).find((tk) => /with consent/.test(tk.message));
  const item = second.context.find((i) => i.kind === 'page_errors');
  assert.ok(item, `ticked: page errors sent: ${second.context.map((i) => i.kind)}`);
  assert.match(item.lines.join('\n'), /boom/);
  const raw = rows.map((r) => r.payload).join('\n');
  assert.doesNotMatch(raw, /sk_live_abc123def456/, 'the token in the error message is scrubbed');
});

test('an incident in the bundle shows a banner above the search, and "Something is down" says we know', async (t) => {
  const dir = copyContent();
  const toml = join(dir, 'signpost.toml');
  appendFileSync(toml, '\n[incident]\ntitle = "Live view is slow in Europe"\nbody = "We are working on it. Recording is not affected."\n');
  assert.match(readFileSync(toml, 'utf8'), /\[incident\]/);
  const { relay, context } = await startSession(t, { args: contentArgs(dir) });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);

  const banner = page.getByTestId('incident');
  await banner.waitFor({ state: 'visible', timeout: 10000 });
  assert.match(await banner.textContent(), /Live view is slow in Europe/);
  const [bannerBox, searchBox] = [await banner.boundingBox(), await page.getByTestId('search').boundingBox()];
  assert.ok(bannerBox.y < searchBox.y, 'the banner is above the search');

  await page.getByTestId('route-outage').click();
  const ack = page.getByTestId('incident-ack');
  await ack.waitFor({ state: 'visible' });
  assert.match(await ack.textContent(), /we know/i);
});

test('a ticket node\'s required field is asked for before Send, and its answer travels with the ticket', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  await page.evaluate(() => window.Signpost('startFlow', 'camera-wifi'));
  await page.getByTestId('choice').filter({ hasText: /No light/ }).click();
  await page.getByTestId('fixed-no').click();
  await page.getByTestId('contact-form').waitFor();
  await page.getByTestId('message').fill('No light at all, even with the supplied adapter.');
  await page.getByTestId('email').fill('ana@example.com');
  await page.getByTestId('send').click();
  await eventually(async () => assert.match(await page.getByTestId('form-problem').textContent(), /serial number.*please fill this in/i));
  assert.equal(relay.query('SELECT count(*) AS n FROM tickets')[0].n, 0, 'nothing is sent without it');

  await page.getByTestId('field-camera_serial').fill('LM2-0042');
  await page.getByTestId('send').click();
  await page.locator('[data-testid=ticket-status][data-state=sent]').waitFor();
  const ticket = JSON.parse(relay.query('SELECT payload FROM tickets')[0].payload);
  assert.equal(ticket.fields.camera_serial, 'LM2-0042');
});
