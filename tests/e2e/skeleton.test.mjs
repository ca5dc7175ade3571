// The walking skeleton, end to end: a host page embeds the widget with one
// script tag, a visitor opens it and files a ticket, and the ticket is in the
// relay's SQLite database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentArgs, startRelay, launchBrowser, watchErrors, version, root } from './support.mjs';

test('the demo page fetches only the loader until the visitor shows intent, then a ticket reaches the database', async (t) => {
  const relay = await startRelay({ args: contentArgs() });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await relay.stop(); });
  const page = await browser.newPage();
  // Window properties before any page script runs, to spot new globals.
  await page.addInitScript(() => { window.__baselineGlobals = Object.getOwnPropertyNames(window); });
  const errors = watchErrors(page);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));

  await page.goto(relay.url);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(fetched, ['/', `/widget/${version}/embed.js`], 'nothing but the page and the loader before intent');
  assert.equal(await page.evaluate(() => typeof window.Signpost), 'function');

  const launcher = page.getByTestId('launcher');
  assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
  await launcher.click();
  await page.getByTestId('panel').waitFor({ state: 'visible' });
  assert.ok(fetched.includes(`/widget/${version}/signpost_bg.wasm`), 'the app loads on intent');
  assert.equal(await launcher.getAttribute('aria-expanded'), 'true');

  await page.getByTestId('search').fill('camera will not connect to wifi');
  await page.getByTestId('contact-route').click();
  const message = 'My Lumen Cam 2 will not join the Wi-Fi; the ring blinks orange.';
  await page.getByTestId('message').fill(message);
  await page.getByTestId('email').fill('ana@example.com');
  await page.getByTestId('send').click();

  const status = page.locator('[data-testid=ticket-status][data-state=sent]');
  await status.waitFor();
  const reference = (await status.textContent()).match(/SP-[0-9A-Z]+/)[0];

  const rows = relay.query('SELECT reference, payload FROM tickets');
  assert.equal(rows.length, 1);
  assert.equal(rows[0].reference, reference);
  const stored = JSON.parse(rows[0].payload);
  assert.equal(stored.message, message);
  assert.equal(stored.email, 'ana@example.com');
  assert.equal(stored.page_url, `${relay.url.replace(/\/$/, '')}/`);
  assert.deepEqual(errors, []);

  const added = await page.evaluate(() =>
    Object.getOwnPropertyNames(window).filter((k) => !window.__baselineGlobals.includes(k) && k !== '__baselineGlobals'));
  assert.deepEqual(added, ['Signpost'], 'the widget adds no global but Signpost, even after loading the app');
});

test('when the app cannot load, the host page keeps working and the launcher shows an error state', async (t) => {
  // A widget folder holding only the loader: the wasm and its glue are missing.
  const onlyLoader = mkdtempSync(join(tmpdir(), 'signpost-loader-only-'));
  copyFileSync(join(root, 'public/embed.js'), join(onlyLoader, 'embed.js'));
  const relay = await startRelay({ widgetDir: onlyLoader });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await relay.stop(); rmSync(onlyLoader, { recursive: true }); });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const emitted = [];
  await page.exposeFunction('recordSignpostError', (detail) => emitted.push(detail));
  await page.goto(relay.url);
  await page.evaluate(() => window.Signpost('on', 'error', (d) => window.recordSignpostError(d)));

  const launcher = page.getByTestId('launcher');
  await launcher.click();
  await page.locator('[data-testid=launcher][data-state=error]').waitFor();
  assert.match(await launcher.getAttribute('title'), /could not load/);
  // Hovering on the way to the click is intent too: the hover may start a
  // load that fails before the click retries. One event per failed attempt.
  await new Promise((ok) => setTimeout(ok, 500));
  assert.ok(emitted.length === 1 || emitted.length === 2, `error events: ${emitted.length}`);
  assert.ok(emitted.every((d) => d.message), 'each error event says what failed');
  // The host page's own script still runs.
  assert.equal(await page.evaluate(() => 1 + 1), 2);
  assert.deepEqual(pageErrors, [], 'no exception reaches the host page');
});
