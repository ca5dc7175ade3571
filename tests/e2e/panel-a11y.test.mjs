// Accessibility of the panel: a whole journey with the keyboard alone on a
// small phone screen, axe-core on each kind of screen, and a host page whose
// CSS tries its worst.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSession, contentArgs, openPanel, eventually, resultIds, deepActive, tabTo, serveHostPage, hostPage, watchErrors,
} from './support.mjs';
import { axeViolations, assertNoSerious, axeSession } from './axe.mjs';

function flowAt(page, flowId, nodeId) {
  return page.locator(`[data-testid=flow][data-flow-id="${flowId}"][data-node-id="${nodeId}"]`);
}

/** The panel stays inside a 360 px wide screen and does not scroll sideways. */
async function fitsPhone(page, where) {
  const box = await page.getByTestId('panel').boundingBox();
  assert.ok(box, `${where}: the panel is rendered`);
  assert.ok(box.x >= -1 && box.x + box.width <= 361, `${where}: the panel fits 360 px (x ${box.x}, width ${box.width})`);
  const overflow = await page.getByTestId('panel').evaluate((el) => {
    const wide = [el, ...el.querySelectorAll('*')].filter((n) => n.scrollWidth > n.clientWidth + 1
      && getComputedStyle(n).overflowX !== 'visible' && getComputedStyle(n).overflowX !== 'hidden');
    return wide.map((n) => `${n.tagName.toLowerCase()}.${n.className}[${n.getAttribute('data-testid') ?? ''}] ${n.scrollWidth}>${n.clientWidth}`);
  });
  assert.deepEqual(overflow, [], `${where}: nothing scrolls sideways`);
}

test('keyboard only on a 360×740 screen: search → article → not helped → guided fix → step → check → resolved', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs(), contextOptions: { viewport: { width: 360, height: 740 }, hasTouch: false } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(relay.url);

  // Tab to the launcher and open it with Enter.
  await tabTo(page, 'launcher', { max: 80 });
  await page.keyboard.press('Enter');
  await page.getByTestId('panel').waitFor({ state: 'visible' });
  await eventually(async () => assert.equal((await deepActive(page))?.testid, 'search', 'focus moves into the search box'), 3000);
  await fitsPhone(page, 'search');

  await page.keyboard.type('5ghz network not showing');
  await eventually(async () => assert.ok((await resultIds(page)).includes('wifi-bands-explained')), 10000);
  const search = page.getByTestId('search');
  let reached = false;
  for (let i = 0; i < 15 && !reached; i += 1) {
    await page.keyboard.press('ArrowDown');
    const desc = await search.getAttribute('aria-activedescendant');
    const selected = await page.locator('[data-testid=result][aria-selected=true]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    reached = !!desc && selected.length === 1 && selected[0] === 'wifi-bands-explained';
  }
  assert.ok(reached, 'the arrows reach the bands article');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=article][data-id="wifi-bands-explained"]').waitFor({ state: 'visible' });
  await fitsPhone(page, 'article');

  await tabTo(page, 'helpful-no');
  await page.keyboard.press('Enter');
  await page.getByTestId('not-helped').waitFor({ state: 'visible' });
  await tabTo(page, 'related-flow');
  await page.keyboard.press('Enter');
  await flowAt(page, 'camera-wifi', 'ask_light').waitFor({ state: 'visible' });
  await fitsPhone(page, 'flow question');

  await tabTo(page, 'choice', { text: /No light/ });
  await page.keyboard.press('Enter');
  await flowAt(page, 'camera-wifi', 'step_power').waitFor({ state: 'visible' });
  await fitsPhone(page, 'flow step');

  // The camera comes online on the host's side (the demo's state, not a
  // user action in the widget), so the check that follows passes.
  await page.evaluate(() => document.getElementById('demo-camera').click());
  await tabTo(page, 'fixed-yes');
  await page.keyboard.press('Space');
  const done = flowAt(page, 'camera-wifi', 'done');
  await done.waitFor({ state: 'visible', timeout: 10000 });
  assert.equal(await done.getAttribute('data-node-kind'), 'resolved');
  await page.locator('[data-testid=check-result][data-result=pass]').waitFor({ state: 'visible' });
  await page.getByTestId('flow-resolved').waitFor({ state: 'visible' });
  await fitsPhone(page, 'resolved');

  await tabTo(page, 'rate-yes');
  await page.keyboard.press('Enter');
  await page.getByTestId('rate-thanks').waitFor({ state: 'visible' });
  assert.deepEqual(errors, []);
});

async function startCameraFlow(page) {
  await page.getByTestId('search').fill('camera wont connect to wifi');
  await eventually(async () => assert.equal((await resultIds(page))[0], 'camera-wifi'));
  await page.locator('[data-testid=result][data-id="camera-wifi"]').click();
  await flowAt(page, 'camera-wifi', 'ask_light').waitFor({ state: 'visible' });
}

test('axe: the open panel', async (t) => {
  const page = await axeSession(t);
  assertNoSerious('open panel', await axeViolations(page));
});

test('axe: an article', async (t) => {
  const page = await axeSession(t);
  await page.getByTestId('search').fill('5ghz network not showing');
  await eventually(async () => assert.ok((await resultIds(page)).includes('wifi-bands-explained')));
  await page.locator('[data-testid=result][data-id="wifi-bands-explained"]').click();
  await page.locator('[data-testid=article][data-id="wifi-bands-explained"]').waitFor({ state: 'visible' });
  assertNoSerious('article', await axeViolations(page));
});

test('axe: a flow question', async (t) => {
  const page = await axeSession(t);
  await startCameraFlow(page);
  assertNoSerious('flow question', await axeViolations(page));
});

test('axe: a flow step', async (t) => {
  const page = await axeSession(t);
  await startCameraFlow(page);
  await page.getByTestId('choice').filter({ hasText: /No light/ }).click();
  await flowAt(page, 'camera-wifi', 'step_power').waitFor({ state: 'visible' });
  assertNoSerious('flow step', await axeViolations(page));
});

const HOSTILE_CSS = `<style>
  * { all: unset !important; font-size: 40px !important; line-height: 3 !important; letter-spacing: 6px !important;
      color: #f0f !important; font-family: "Comic Sans MS", cursive !important; box-sizing: content-box !important; }
  button, input, select, textarea, label, dialog, [role=dialog], [hidden], h1, h2, h3, ul, ol, li, form, section, mark {
    display: none !important; visibility: hidden !important; opacity: 0 !important; }
  div { display: none !important; }
  html, body { overflow: hidden !important; text-transform: uppercase !important; direction: ltr !important;
      cursor: none !important; pointer-events: auto !important; }
  style, script { display: none !important; }
</style>`;

test('a hostile host page stylesheet cannot hide or break the launcher and the panel', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const url = await serveHostPage(context, relay, '/hostile.html', hostPage({
    head: HOSTILE_CSS,
    body: '<main><h1>Hostile</h1><p>Every element here is unset.</p><button>Host button</button><div>host div</div></main>',
  }));
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  const viewport = page.viewportSize();

  const launcher = page.getByTestId('launcher');
  await launcher.waitFor({ state: 'visible' });
  const lbox = await launcher.boundingBox();
  assert.ok(lbox.width >= 40 && lbox.height >= 40, `the launcher keeps its size: ${JSON.stringify(lbox)}`);
  assert.ok(lbox.x >= 0 && lbox.y >= 0 && lbox.x + lbox.width <= viewport.width && lbox.y + lbox.height <= viewport.height,
    'the launcher is on screen');

  await openPanel(page);
  const pbox = await page.getByTestId('panel').boundingBox();
  assert.ok(pbox.width >= 250 && pbox.height >= 200, `the panel keeps its size: ${JSON.stringify(pbox)}`);
  assert.ok(pbox.x >= 0 && pbox.x + pbox.width <= viewport.width + 1, 'the panel is on screen');
  await eventually(async () => assert.equal((await deepActive(page))?.testid, 'search'), 3000);
  const inputFont = await page.getByTestId('search').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(inputFont <= 24, `the host's 40px font size does not leak in: ${inputFont}px`);

  await page.getByTestId('search').fill('forgot my pasword');
  await eventually(async () => assert.ok((await resultIds(page)).includes('reset-password')), 10000);
  const option = page.locator('[data-testid=result][data-id="reset-password"]');
  assert.ok(await option.isVisible());
  await option.click();
  await page.getByTestId('article-title').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('article-title').textContent(), /Reset your Lumen password/);
  await page.getByTestId('helpful-yes').click();
  await page.getByTestId('helpful-thanks').waitFor({ state: 'visible' });
  assert.deepEqual(errors, []);
});
