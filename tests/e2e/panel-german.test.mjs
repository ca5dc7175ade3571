// German: a host page that asks for data-locale="de" gets a German widget,
// and the content's German translations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, contentArgs, openPanel, eventually, resultIds, serveHostPage, hostPage, watchErrors } from './support.mjs';

async function germanPage(t) {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const url = await serveHostPage(context, relay, '/de.html', hostPage({ lang: 'de', attrs: { locale: 'de', title: 'Lumen Hilfe' } }));
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  return { page, errors };
}

test('German: with data-locale="de" the launcher, the search label, the placeholder and the routes speak German', async (t) => {
  const { page, errors } = await germanPage(t);
  const launcher = page.getByTestId('launcher');
  await launcher.waitFor({ state: 'visible' });
  assert.match(await launcher.getAttribute('aria-label'), /Hilfe/, 'the launcher is labelled in German');
  await openPanel(page);

  assert.equal(await page.getByRole('combobox', { name: /Wobei brauchen Sie Hilfe\?/ }).count(), 1,
    'the search box is labelled "Wobei brauchen Sie Hilfe?"');
  const placeholder = await page.getByTestId('search').getAttribute('placeholder');
  assert.ok(placeholder && placeholder.trim().length > 0, 'there is a placeholder');
  assert.doesNotMatch(placeholder, /Describe|\bthe\b|Search/i, `the placeholder is not English: "${placeholder}"`);
  assert.doesNotMatch(await page.getByTestId('route-outage').textContent(), /Something is down/);
  assert.deepEqual(errors, []);
});

test('German content: the camera Wi-Fi fix is found by its German phrase and shows its German title and questions', async (t) => {
  const { page, errors } = await germanPage(t);
  await openPanel(page);
  // "Kamera verbindet sich nicht mit WLAN" is one of the flow's German phrases.
  await page.getByTestId('search').fill('Kamera verbindet sich nicht mit WLAN');
  await eventually(async () => assert.equal((await resultIds(page))[0], 'camera-wifi', `results: ${await resultIds(page)}`));
  const option = page.locator('[data-testid=result][data-id="camera-wifi"]');
  assert.match(await option.textContent(), /Kamera verbindet sich nicht mit dem WLAN/, 'the flow title is the German translation');
  await option.click();
  await page.locator('[data-testid=flow][data-flow-id=camera-wifi][data-node-id=ask_light]').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('flow-text').textContent(), /Was macht das Licht vorne an der Kamera\?/);
  assert.match((await page.getByTestId('choice').allTextContents()).join('|'), /Blinkt orange/);
  assert.deepEqual(errors, []);
});
