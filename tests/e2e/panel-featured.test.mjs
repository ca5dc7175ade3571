// Before the user types, the panel suggests the featured items in the order
// signpost.toml's `featured` list gives (the demo puts camera-wifi first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, contentArgs, openPanel, eventually, resultIds } from './support.mjs';

test('before typing, the featured items show in the order signpost.toml lists them, camera-wifi first', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const bundle = await (await fetch(new URL('/content/bundle.json', relay.url))).json();
  assert.equal(bundle.featured[0], 'camera-wifi', 'the bundle keeps the configured order');
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  await eventually(async () => assert.ok((await resultIds(page)).length > 0), 10000);
  const ids = await resultIds(page);
  assert.equal(ids[0], 'camera-wifi', `featured shown: ${ids}`);
  // Within each group, the configured order: flows, then articles.
  const flows = bundle.featured.filter((id) => bundle.flows.some((f) => f.id === id));
  const articles = bundle.featured.filter((id) => bundle.articles.some((a) => a.id === id));
  const shownFlows = await page.locator('[data-testid=result][data-kind=flow]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
  const shownArticles = await page.locator('[data-testid=result][data-kind=article]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
  assert.deepEqual(shownFlows, flows.slice(0, shownFlows.length), 'featured guided fixes in the configured order');
  assert.deepEqual(shownArticles, articles.slice(0, shownArticles.length), 'featured articles in the configured order');
});
