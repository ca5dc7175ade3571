// "What we'll send": the user sees every context item, already scrubbed,
// can remove any of them, and exactly that reaches the relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentArgs, startSession } from './support.mjs';

test('identify and setContext made before load prefill the form, secrets are scrubbed in the preview, and a removed item is not sent', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(new URL('/?step=2&token=abc123#wifi', relay.url).href);

  // Queued calls: they must not load the widget, and must apply once it does.
  await page.evaluate(() => {
    window.Signpost('identify', { name: 'Ana Lima', email: 'ana@example.com', id: 'u_42' });
    window.Signpost('setContext', { plan: 'pro', cameras: 3, api_key: 'lumen_sk_live_0123456789abcdefghij' });
  });
  await page.getByTestId('launcher').click();
  await page.getByTestId('search').fill('camera offline ana@example.com');
  await page.getByTestId('contact-route').click();
  assert.equal(await page.getByTestId('name').inputValue(), 'Ana Lima');
  assert.equal(await page.getByTestId('email').inputValue(), 'ana@example.com');
  await page.getByTestId('message').fill('The camera shows offline since this morning.');

  await page.getByTestId('preview').locator('summary').click();
  const items = page.getByTestId('preview-item');
  const text = (await items.allTextContents()).join('\n');
  assert.match(text, /Page/);
  assert.doesNotMatch(text, /token=abc123|step=2|#wifi/, 'the URL has no query or fragment');
  assert.match(text, /camera offline \[email\]/, 'an email typed into search is scrubbed');
  assert.match(text, /plan: pro/);
  assert.match(text, /cameras: 3/);
  assert.match(text, /api_key: \[redacted\]/);
  assert.doesNotMatch(text, /lumen_sk_live/);
  assert.match(text, /user id: u_42/);

  // The user takes the browser facts out.
  await page.locator('[data-testid=preview-item][data-key^="environment:"] [data-testid=remove-item]').click();
  assert.equal(await page.locator('[data-testid=preview-item][data-key^="environment:"]').count(), 0);

  await page.getByTestId('send').click();
  await page.locator('[data-testid=ticket-status][data-state=sent]').waitFor();
  const rows = relay.query('SELECT payload FROM tickets');
  assert.equal(rows.length, 1);
  const ticket = JSON.parse(rows[0].payload);
  assert.equal(ticket.name, 'Ana Lima');
  assert.equal(ticket.email, 'ana@example.com');
  assert.equal(ticket.page_url, new URL(relay.url).origin + '/');
  const kinds = ticket.context.map((item) => item.kind);
  assert.ok(!kinds.includes('environment'), `removed item was sent: ${kinds}`);
  assert.ok(kinds.includes('searches') && kinds.includes('host') && kinds.includes('versions'), kinds.join());
  assert.doesNotMatch(rows[0].payload, /lumen_sk_live|token=abc123/);
});

test('"Something is down" reaches a human at once, before any search, and the ticket is an outage', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await page.getByTestId('launcher').click();
  await page.getByTestId('search').waitFor();
  // The demo's policy is after-attempt: no form before self-help...
  assert.equal(await page.getByTestId('contact-form').count(), 0);
  // ...except on the urgent routes.
  await page.getByTestId('route-outage').click();
  await page.getByTestId('message').fill('Live view is down for all my cameras.');
  await page.getByTestId('email').fill('ana@example.com');
  await page.getByTestId('send').click();
  await page.locator('[data-testid=ticket-status][data-state=sent]').waitFor();
  const rows = relay.query('SELECT payload FROM tickets');
  assert.equal(rows.length, 1);
  const ticket = JSON.parse(rows[0].payload);
  assert.equal(ticket.priority, 'outage');
  assert.equal(ticket.category, 'outage');
});
