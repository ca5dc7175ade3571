// Focus management for keyboard users: a button that the panel replaces
// when pressed must not drop focus to the host page's <body>, or Escape stops
// working and a screen reader loses its place in the (modal) dialog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, contentArgs, eventually, resultIds, deepActive, tabTo } from './support.mjs';

async function assertFocusInPanel(page, where) {
  await eventually(async () => {
    const now = await deepActive(page);
    assert.ok(now && now.inShadow && now.testid !== 'launcher',
      `${where}: focus stays in the panel, but it is on <${now?.tag}>${now?.inShadow ? ' in the widget' : ' of the host page'}`);
  }, 1000);
}

/** From the search box, ArrowDown until this result is active, then Enter. */
async function pickWithArrows(page, id) {
  for (let i = 0; i < 15; i += 1) {
    await page.keyboard.press('ArrowDown');
    const selected = await page.locator('[data-testid=result][aria-selected=true]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    if (selected[0] === id) return page.keyboard.press('Enter');
  }
  throw new Error(`the arrows never reached ${id}`);
}

test('keyboard only: focus stays in the panel after "No", "Yes" and rating, and Escape then closes it back to the launcher', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await tabTo(page, 'launcher', { max: 80 });
  await page.keyboard.press('Enter');
  await page.getByTestId('panel').waitFor({ state: 'visible' });
  await eventually(async () => assert.equal((await deepActive(page))?.testid, 'search'), 3000);

  // An article: "No".
  await page.keyboard.type('5ghz network not showing');
  await eventually(async () => assert.ok((await resultIds(page)).includes('wifi-bands-explained')), 10000);
  await pickWithArrows(page, 'wifi-bands-explained');
  await page.locator('[data-testid=article][data-id="wifi-bands-explained"]').waitFor({ state: 'visible' });
  await tabTo(page, 'helpful-no');
  await page.keyboard.press('Enter');
  await page.getByTestId('not-helped').waitFor({ state: 'visible' });
  await assertFocusInPanel(page, 'after "No"');

  // Back to the results, another article: "Yes".
  await tabTo(page, 'back');
  await page.keyboard.press('Enter');
  await page.getByTestId('results').waitFor({ state: 'visible' });
  await page.locator('[data-testid=result][data-id="wifi-bands-explained"]').waitFor();
  await tabTo(page, 'search');
  await pickWithArrows(page, 'wifi-bands-explained');
  await page.getByTestId('article').waitFor({ state: 'visible' });
  await tabTo(page, 'helpful-yes');
  await page.keyboard.press('Enter');
  await page.getByTestId('helpful-thanks').waitFor({ state: 'visible' });
  await assertFocusInPanel(page, 'after "Yes"');

  // A resolved flow: rating it.
  await page.evaluate(() => document.getElementById('demo-camera').click()); // the host's state: the camera is online
  await page.evaluate(() => window.Signpost('startFlow', 'camera-wifi'));
  await page.locator('[data-testid=flow][data-node-id=ask_light]').waitFor({ state: 'visible' });
  await tabTo(page, 'choice', { text: /Solid blue/ });
  await page.keyboard.press('Enter');
  await page.getByTestId('flow-resolved').waitFor({ state: 'visible', timeout: 10000 });
  await tabTo(page, 'rate-yes');
  await page.keyboard.press('Enter');
  await page.getByTestId('rate-thanks').waitFor({ state: 'visible' });
  await assertFocusInPanel(page, 'after rating');

  await page.keyboard.press('Escape');
  await page.getByTestId('panel').waitFor({ state: 'hidden', timeout: 3000 });
  assert.equal((await deepActive(page))?.testid, 'launcher', 'focus returns to the launcher');
});
