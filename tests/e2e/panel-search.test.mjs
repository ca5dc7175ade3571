// Search in the panel: suggestions as you type, forgiving of typing mistakes,
// grouped into guided fixes and articles, announced, and usable from the
// keyboard as a combobox with a listbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, contentArgs, openPanel, eventually, resultIds, deepActive, watchErrors } from './support.mjs';

/** Parses "2 guided fixes and 3 articles" (either part may be missing when it is zero). */
function parseCount(text) {
  const number = (re) => {
    const m = text.match(re);
    if (!m) return 0;
    return /^(one|an?)$/i.test(m[1]) ? 1 : Number(m[1]);
  };
  return {
    flows: number(/(\d+|one|a)\s+guided\s+fix/i),
    articles: number(/(\d+|one|an?)\s+articles?/i),
  };
}

test('a query full of typos puts the camera Wi-Fi fix first, grouped, marked and counted', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(relay.url);
  await openPanel(page);

  const search = page.getByTestId('search');
  assert.equal(await search.getAttribute('role'), 'combobox');
  assert.equal(await search.getAttribute('aria-controls'), 'sp-results');
  assert.ok(await search.getAttribute('aria-expanded') !== null, 'the combobox says whether its listbox is expanded');

  // Before typing: the featured items (their order: panel-featured.test.mjs).
  await eventually(async () => assert.ok((await resultIds(page)).includes('camera-wifi')), 10000);

  await search.fill('camra wont conect to wifi');
  await eventually(async () => assert.equal((await resultIds(page))[0], 'camera-wifi'));
  assert.equal(await search.getAttribute('aria-expanded'), 'true');

  const listbox = page.getByTestId('results');
  assert.equal(await listbox.getAttribute('role'), 'listbox');
  assert.equal(await listbox.getAttribute('id'), 'sp-results');

  // Grouped: guided fixes, then articles, each group labelled.
  const groups = await page.getByTestId('result-group').evaluateAll((els) => els.map((g) => ({
    role: g.getAttribute('role'),
    kind: g.getAttribute('data-kind'),
    options: [...g.querySelectorAll('[data-testid=result]')].map((o) => ({ role: o.getAttribute('role'), kind: o.getAttribute('data-kind') })),
  })));
  assert.deepEqual(groups.map((g) => g.kind).sort(), ['article', 'flow'], JSON.stringify(groups));
  for (const g of groups) {
    assert.equal(g.role, 'group');
    assert.ok(g.options.length > 0, `the ${g.kind} group is not empty`);
    for (const o of g.options) {
      assert.equal(o.role, 'option');
      assert.equal(o.kind, g.kind, 'an option sits in the group of its kind');
    }
  }
  assert.equal(await page.getByRole('group', { name: /guided fixes/i }).count(), 1, 'the flow group is labelled "Guided fixes"');
  assert.equal(await page.getByRole('group', { name: /articles/i }).count(), 1, 'the article group is labelled "Articles"');

  // Matched words are marked.
  assert.ok(await listbox.locator('mark').count() > 0, 'some matched words are wrapped in <mark>');

  // The count is announced and agrees with what is shown.
  const status = page.getByTestId('result-count');
  assert.equal(await status.getAttribute('role'), 'status');
  await eventually(async () => {
    const shown = parseCount(await status.textContent());
    const flows = await page.locator('[data-testid=result][data-kind=flow]').count();
    const articles = await page.locator('[data-testid=result][data-kind=article]').count();
    assert.deepEqual(shown, { flows, articles }, `result-count says "${await status.textContent()}"`);
  });
  assert.deepEqual(errors, []);
});

test('ArrowDown and ArrowUp move the active option, aria-activedescendant follows, and Enter opens it', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(relay.url);
  await openPanel(page);
  const search = page.getByTestId('search');
  await search.fill('wifi');
  await eventually(async () => assert.ok((await resultIds(page)).length >= 3));
  const marks = await page.getByTestId('results').locator('mark').allTextContents();
  assert.ok(marks.some((m) => /wi-?fi|wlan|wireless/i.test(m)), `marked words: ${JSON.stringify(marks)}`);

  const options = await page.getByTestId('result').evaluateAll((els) => els.map((e) => ({
    id: e.id, dataId: e.getAttribute('data-id'), kind: e.getAttribute('data-kind'),
  })));
  assert.ok(options.every((o) => o.id), 'every option has an id for aria-activedescendant');
  assert.equal(new Set(options.map((o) => o.id)).size, options.length, 'option ids are unique');

  const active = async () => {
    const desc = await search.getAttribute('aria-activedescendant');
    const selected = await page.locator('[data-testid=result][aria-selected=true]').evaluateAll((els) => els.map((e) => e.id));
    return { desc: desc || null, selected };
  };
  const expectActive = async (index) => {
    const want = options[index].id;
    const now = await active();
    assert.equal(now.desc, want, `aria-activedescendant should point at option ${index}`);
    assert.deepEqual(now.selected, [want], 'exactly the active option has aria-selected=true');
    const target = await page.getByTestId('search').evaluate((el) => {
      const id = el.getAttribute('aria-activedescendant');
      const found = el.getRootNode().getElementById(id);
      return found && found.getAttribute('data-testid');
    });
    assert.equal(target, 'result', 'the id resolves inside the same (shadow) root');
  };

  const before = await active();
  const start = before.desc ? options.findIndex((o) => o.id === before.desc) + 1 : 0;
  assert.ok(start + 1 < options.length, 'enough options to move through');

  await page.keyboard.press('ArrowDown');
  await eventually(() => expectActive(start), 2000);
  await page.keyboard.press('ArrowDown');
  await eventually(() => expectActive(start + 1), 2000);
  await page.keyboard.press('ArrowUp');
  await eventually(() => expectActive(start), 2000);
  await page.keyboard.press('ArrowDown');
  await eventually(() => expectActive(start + 1), 2000);
  assert.equal((await deepActive(page)).testid, 'search', 'focus stays in the search box while the arrows move');

  const chosen = options[start + 1];
  await page.keyboard.press('Enter');
  if (chosen.kind === 'flow') {
    await page.locator(`[data-testid=flow][data-flow-id="${chosen.dataId}"]`).waitFor();
  } else {
    await page.locator(`[data-testid=article][data-id="${chosen.dataId}"]`).waitFor();
  }
  assert.deepEqual(errors, []);
});

test('when nothing matches, the panel says so and offers a way to contact us, which opens the form', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  await page.getByTestId('search').fill('xqzv blorf');
  const none = page.getByTestId('no-results');
  await none.waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('result').count(), 0);
  // The demo's policy is after-attempt, and a search is an attempt.
  const route = none.getByTestId('contact-route');
  await route.waitFor({ state: 'visible' });
  assert.equal(await route.evaluate((el) => el.tagName), 'BUTTON');
  await route.click();
  await page.getByTestId('contact-form').waitFor({ state: 'visible' });
  await page.getByTestId('message').waitFor({ state: 'visible' });
});
