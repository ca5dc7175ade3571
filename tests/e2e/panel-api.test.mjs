// The integrator's JavaScript API for the panel: open an article or a guided
// fix from the host page, and hear what the user does through events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, contentArgs, watchErrors } from './support.mjs';

function flowAt(page, flowId, nodeId) {
  return page.locator(`[data-testid=flow][data-flow-id="${flowId}"][data-node-id="${nodeId}"]`);
}

test('Signpost("showArticle") and Signpost("startFlow") open the panel there, and article, flow, step and resolved events reach listeners', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const events = [];
  await page.exposeFunction('recordSignpostEvent', (name, detail) => events.push({ name, detail }));
  await page.goto(relay.url);
  const seen = (name) => events.filter((e) => e.name === name);
  const waitFor = async (name, count = 1) => {
    const end = Date.now() + 10000;
    while (seen(name).length < count) {
      if (Date.now() > end) throw new Error(`no "${name}" event; got ${JSON.stringify(events)}`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
    return seen(name);
  };

  // Listeners and the first call are made before the app has loaded.
  await page.evaluate(() => {
    for (const name of ['article', 'flow', 'step', 'resolved']) {
      window.Signpost('on', name, (detail) => window.recordSignpostEvent(name, JSON.parse(JSON.stringify(detail ?? null))));
    }
    window.Signpost('showArticle', 'reset-password');
  });
  await page.getByTestId('panel').waitFor({ state: 'visible' });
  await page.locator('[data-testid=article][data-id="reset-password"]').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('article-title').textContent(), /Reset your Lumen password/);
  const [article] = await waitFor('article');
  assert.match(JSON.stringify(article.detail), /reset-password/, 'the article event names the article');

  await page.evaluate(() => window.Signpost('startFlow', 'camera-wifi'));
  await flowAt(page, 'camera-wifi', 'ask_light').waitFor({ state: 'visible' });
  const [flow] = await waitFor('flow');
  assert.match(JSON.stringify(flow.detail), /camera-wifi/, 'the flow event names the flow');

  await page.getByTestId('choice').filter({ hasText: /No light/ }).click();
  await flowAt(page, 'camera-wifi', 'step_power').waitFor({ state: 'visible' });
  await waitFor('step');

  // The demo camera comes online, so the check after the step passes.
  await page.evaluate(() => document.getElementById('demo-camera').click());
  await page.getByTestId('fixed-yes').click();
  await flowAt(page, 'camera-wifi', 'done').waitFor({ state: 'visible', timeout: 10000 });
  await page.getByTestId('flow-resolved').waitFor({ state: 'visible' });
  const [resolved] = await waitFor('resolved');
  assert.match(JSON.stringify(resolved.detail), /camera-wifi/, 'the resolved event names the flow');

  await page.getByTestId('rate-yes').click();
  await page.getByTestId('rate-thanks').waitFor({ state: 'visible' });
  assert.equal(seen('resolved').length, 1, 'resolved fires once');
  assert.deepEqual(errors, []);
});
