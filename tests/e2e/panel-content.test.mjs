// The content bundle as the panel sees it: an author's edit shows after a
// reload, and the last good bundle keeps search working when the bundle
// cannot be fetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startSession, contentArgs, copyContent, openPanel, eventually, resultIds, watchErrors,
} from './support.mjs';

async function search(page, query, id) {
  await page.getByTestId('search').fill(query);
  await eventually(async () => assert.ok((await resultIds(page)).includes(id), `"${query}" lists ${id}: ${await resultIds(page)}`), 10000);
  return page.locator(`[data-testid=result][data-id="${id}"]`);
}

test('the authoring loop: an article title edited while the relay runs is found after a reload', async (t) => {
  const dir = copyContent();
  const { relay, context } = await startSession(t, { args: contentArgs(dir) });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  const before = await search(page, 'reset password', 'reset-password');
  assert.match(await before.textContent(), /Reset your Lumen password/);

  const file = join(dir, 'articles/reset-password.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: Choose a new Lumen passphrase'));
  // The relay rebuilds within a second or so.
  const bundleUrl = new URL('/content/bundle.json', relay.url).href;
  await eventually(async () => assert.match(await (await fetch(bundleUrl)).text(), /Choose a new Lumen passphrase/), 10000, 200);

  await page.reload();
  await openPanel(page);
  const after = await search(page, 'passphrase', 'reset-password');
  await eventually(async () => assert.match(await after.textContent(), /Choose a new Lumen passphrase/));
  await after.click();
  await page.locator('[data-testid=article][data-id="reset-password"]').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('article-title').textContent(), /Choose a new Lumen passphrase/);
});

test('offline bundle: after one visit online, search still finds articles when the bundle cannot be fetched', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const first = await context.newPage();
  await first.goto(relay.url);
  await openPanel(first);
  await search(first, 'forgot my pasword', 'reset-password');
  await first.close();

  // The page loads online and only the bundle request fails, as it does on
  // a flaky connection (hostile-page.test.mjs covers a page opened again
  // fully offline).
  const blocked = [];
  await context.route('**/content/bundle.json', (route) => { blocked.push(route.request().url()); return route.abort('internetdisconnected'); });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(relay.url);
  await openPanel(page);
  const hit = await search(page, 'forgot my pasword', 'reset-password');
  await search(page, 'camra wont conect to wifi', 'camera-wifi');
  await page.getByTestId('search').fill('forgot my pasword');
  await eventually(async () => assert.ok((await resultIds(page)).includes('reset-password')));
  await hit.click();
  await page.locator('[data-testid=article][data-id="reset-password"]').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('article-body').textContent(), /Send link/);
  assert.ok(!errors.some((e) => e.startsWith('pageerror')), `no uncaught errors: ${errors}`);
});
