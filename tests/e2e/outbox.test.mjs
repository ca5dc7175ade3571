// Tickets are never lost: written to the browser's storage before the first
// attempt, retried across reloads and offline periods, delivered exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentArgs, startSession } from './support.mjs';

const MESSAGE = 'Night vision turns on and off every few seconds.';

async function openAndWrite(page, url) {
  await page.goto(url);
  await page.getByTestId('launcher').click();
  await page.getByTestId('search').fill('night vision flickers');
  await page.getByTestId('contact-route').click();
  await page.getByTestId('message').fill(MESSAGE);
  await page.getByTestId('email').fill('ana@example.com');
}

function ticketStatus(page, state) {
  return page.locator(`[data-testid=ticket-status][data-state=${state}]`);
}

async function waitForRows(relay, count, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = relay.query('SELECT reference, payload FROM tickets');
    if (rows.length >= count || Date.now() > end) return rows;
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

test('a ticket submitted offline survives a reload and is stored exactly once when the browser is back online', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await openAndWrite(page, relay.url);
  await context.setOffline(true);
  await page.getByTestId('send').click();
  await ticketStatus(page, 'queued').waitFor();
  // Words a person understands, not the browser's "Failed to fetch".
  const why = await ticketStatus(page, 'queued').textContent();
  assert.match(why, /will be sent automatically .*offline/, why);
  assert.doesNotMatch(why, /Failed to fetch/i, why);

  // Reload while the relay is still unreachable: the loader boots the app by
  // itself because a ticket is queued, and the ticket stays queued.
  await context.route('**/api/tickets', (route) => route.abort('connectionrefused'));
  await context.setOffline(false);
  const retried = page.waitForRequest((r) => r.url().endsWith('/api/tickets'));
  await page.reload();
  await retried;
  assert.equal(relay.query('SELECT count(*) AS n FROM tickets')[0].n, 0);

  // Back online: the 'online' event (or the scheduled retry) delivers it.
  await context.setOffline(true);
  await context.unroute('**/api/tickets');
  await context.setOffline(false);
  const rows = await waitForRows(relay, 1);
  assert.equal(rows.length, 1);
  const stored = JSON.parse(rows[0].payload);
  assert.equal(stored.message, MESSAGE);
  // The context went with it: what the user searched, and browser facts.
  const searches = stored.context.find((item) => item.kind === 'searches');
  assert.deepEqual(searches.lines, ['night vision flickers']);
  const browser = stored.context.find((item) => item.kind === 'environment');
  assert.ok(browser.lines.some((line) => /^browser: Chrome \d+$/.test(line)), browser.lines.join('; '));

  await page.getByTestId('launcher').click();
  const sent = ticketStatus(page, 'sent');
  await sent.waitFor();
  assert.match(await sent.textContent(), new RegExp(rows[0].reference));
  await new Promise((ok) => setTimeout(ok, 1500));
  assert.equal(relay.query('SELECT count(*) AS n FROM tickets')[0].n, 1, 'no second copy arrives later');
});

test('two open tabs with a queued ticket deliver it once', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  // One handler for the whole test, so no request slips between two routes.
  let relayUp = false;
  let posts = 0;
  await context.route('**/api/tickets', (route) => {
    if (!relayUp) return route.abort('connectionrefused');
    posts += 1;
    return route.continue();
  });
  const first = await context.newPage();
  await openAndWrite(first, relay.url);
  await first.getByTestId('send').click();
  await ticketStatus(first, 'queued').waitFor();

  const second = await context.newPage();
  await second.goto(relay.url);
  await second.waitForRequest((r) => r.url().endsWith('/api/tickets'));

  relayUp = true;
  // Both tabs hear 'online' at once and try to flush. (Toggling the context
  // offline instead would also kill a retry already in flight, which then
  // rightly goes again and would count as a second send.)
  await Promise.all([first, second].map((p) => p.evaluate(() => window.dispatchEvent(new Event('online')))));
  const rows = await waitForRows(relay, 1);
  await new Promise((ok) => setTimeout(ok, 3000)); // let any straggler retry happen
  assert.equal(relay.query('SELECT count(*) AS n FROM tickets')[0].n, 1);
  assert.equal(posts, 1, 'the cross-tab lock lets only one tab send');
  assert.equal(JSON.parse(rows[0].payload).message, MESSAGE);
});

test('a relay that fails twice with 500 gets the ticket on the third, paced, attempt', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const attempts = [];
  await context.route('**/api/tickets', (route) => {
    attempts.push(Date.now());
    if (attempts.length <= 2) {
      return route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"database restarting"}' });
    }
    return route.continue();
  });
  const page = await context.newPage();
  await openAndWrite(page, relay.url);
  await page.getByTestId('send').click();
  await ticketStatus(page, 'sent').waitFor({ timeout: 20000 });

  assert.equal(attempts.length, 3);
  assert.equal(relay.query('SELECT count(*) AS n FROM tickets')[0].n, 1);
  // Backoff: at least the 500 ms floor between tries, and no more than the
  // jittered ceiling (2 s, then 4 s) plus scheduling slack.
  const gaps = [attempts[1] - attempts[0], attempts[2] - attempts[1]];
  assert.ok(gaps[0] >= 450 && gaps[0] <= 2500, `first gap ${gaps[0]} ms`);
  assert.ok(gaps[1] >= 450 && gaps[1] <= 4500, `second gap ${gaps[1]} ms`);
});

test('a 400 with a message is shown to the user, the ticket is kept, and it can be sent again', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  await context.route('**/api/tickets', (route) => route.fulfill({
    status: 400, contentType: 'application/json',
    body: '{"error":"message: mentions a product we do not support","field":"message"}',
  }));
  const page = await context.newPage();
  await openAndWrite(page, relay.url);
  await page.getByTestId('send').click();
  const failed = ticketStatus(page, 'failed');
  await failed.waitFor();
  assert.match(await failed.textContent(), /mentions a product we do not support/);
  const stored = await page.evaluate(() => localStorage.getItem('signpost:outbox:v1'));
  assert.ok(stored.includes(MESSAGE), 'the ticket is kept in storage');

  await context.unroute('**/api/tickets');
  await failed.getByRole('button', { name: 'Send again' }).click();
  await ticketStatus(page, 'sent').waitFor();
  const rows = relay.query('SELECT payload FROM tickets');
  assert.equal(rows.length, 1);
  assert.equal(JSON.parse(rows[0].payload).message, MESSAGE);
});
