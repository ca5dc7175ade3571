// Articles and guided fixes in the panel: reading an article, saying it did
// not help and being offered the related fix, and walking a flow with Back,
// Start over and a reload in the middle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, contentArgs, openPanel, eventually, resultIds, watchErrors } from './support.mjs';

/** Types a query and opens the result with this data-id. */
async function openResult(page, query, id) {
  await page.getByTestId('search').fill(query);
  const option = page.locator(`[data-testid=result][data-id="${id}"]`);
  await eventually(async () => assert.ok((await resultIds(page)).includes(id), `"${query}" lists ${id}: ${await resultIds(page)}`));
  await option.click();
}

function flowAt(page, flowId, nodeId) {
  return page.locator(`[data-testid=flow][data-flow-id="${flowId}"][data-node-id="${nodeId}"]`);
}

test('an article is rendered from its safe tree; "No" offers the related guided fix and a contact route, and the fix starts', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(relay.url);
  await openPanel(page);
  await openResult(page, '5ghz network not showing', 'wifi-bands-explained');

  const article = page.locator('[data-testid=article][data-id="wifi-bands-explained"]');
  await article.waitFor({ state: 'visible' });
  const title = page.getByTestId('article-title');
  assert.match(await title.textContent(), /2\.4 GHz and 5 GHz Wi-Fi/);
  assert.ok(await title.evaluate((el) => /^H[1-6]$/.test(el.tagName) || el.getAttribute('role') === 'heading'), 'the title is a heading');

  // The body is real elements built from the safe tree: a table, a list,
  // emphasis and http(s) links, and no script.
  const body = page.getByTestId('article-body');
  const shape = await body.evaluate((el) => ({
    tables: el.querySelectorAll('table').length,
    lists: el.querySelectorAll('ol, ul').length,
    strong: el.querySelectorAll('strong, b').length,
    headings: el.querySelectorAll('h1, h2, h3, h4, h5, h6').length,
    scripts: el.querySelectorAll('script, iframe, object, embed').length,
    handlers: [...el.querySelectorAll('*')].filter((n) => [...n.attributes].some((a) => /^on/i.test(a.name))).length,
    hrefs: [...el.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
    text: el.textContent,
  }));
  assert.ok(shape.tables >= 1, 'the comparison table is a <table>');
  assert.ok(shape.lists >= 1, 'the numbered steps are a list');
  assert.ok(shape.strong >= 1, 'bold text is emphasised');
  assert.ok(shape.headings >= 1, 'section headings are headings');
  assert.equal(shape.scripts, 0);
  assert.equal(shape.handlers, 0);
  assert.ok(shape.hrefs.length >= 1, 'links are links');
  assert.ok(shape.hrefs.every((h) => /^(https?:|mailto:)/.test(h)), `only http(s)/mailto links: ${shape.hrefs}`);
  assert.doesNotMatch(shape.text, /\*\*|\|---|<\w+/, 'no raw Markdown or markup shows as text');

  await page.getByTestId('helpful-no').click();
  const notHelped = page.getByTestId('not-helped');
  await notHelped.waitFor({ state: 'visible' });
  const related = notHelped.getByTestId('related-flow');
  assert.deepEqual(await related.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), ['camera-wifi'],
    'the fix named in related_flows is offered');
  assert.equal(await notHelped.getByTestId('contact-route').count(), 1, 'and a way to contact us');

  await related.click();
  const flow = flowAt(page, 'camera-wifi', 'ask_light');
  await flow.waitFor({ state: 'visible' });
  assert.equal(await flow.getAttribute('data-node-kind'), 'question');
  assert.deepEqual(errors, []);
});

test('"Yes, it helped" thanks the reader, and Back returns to the results with the query kept', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  await openResult(page, 'forgot my pasword', 'reset-password');
  await page.locator('[data-testid=article][data-id="reset-password"]').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('article-title').textContent(), /Reset your Lumen password/);

  await page.getByTestId('helpful-yes').click();
  await page.getByTestId('helpful-thanks').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('not-helped').count(), 0);

  await page.getByTestId('back').click();
  await page.getByTestId('results').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('search').inputValue(), 'forgot my pasword', 'the query is kept');
  assert.ok((await resultIds(page)).includes('reset-password'));
  assert.equal(await page.getByTestId('article').count(), 0);
});

test('a guided fix: questions in order, Back, an article node, a reload that resumes on the same node, Start over and Home', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(relay.url);
  await openPanel(page);
  await openResult(page, 'camera wont connect to wifi', 'camera-wifi');

  const flow = page.getByTestId('flow');
  await flowAt(page, 'camera-wifi', 'ask_light').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('flow-title').textContent(), /Camera won.t join Wi-Fi/);
  assert.match(await page.getByTestId('flow-text').textContent(), /light on the front of the camera/);
  assert.match(await page.getByTestId('flow-progress').textContent(), /\b1\b/);
  const choices = await page.getByTestId('choice').allTextContents();
  assert.equal(choices.length, 3);
  assert.match(choices[0], /Blinking amber/);
  assert.match(choices[1], /Solid blue/);
  assert.match(choices[2], /No light/);

  await page.getByTestId('choice').filter({ hasText: /Blinking amber/ }).click();
  await flowAt(page, 'camera-wifi', 'ask_band').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('flow-progress').textContent(), /\b2\b/);

  // Back goes to the previous question.
  await page.getByTestId('flow-back').click();
  await flowAt(page, 'camera-wifi', 'ask_light').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('flow-progress').textContent(), /\b1\b/);
  await page.getByTestId('choice').filter({ hasText: /Blinking amber/ }).click();
  await flowAt(page, 'camera-wifi', 'ask_band').waitFor({ state: 'visible' });

  // "I don't know" shows the bands article inside the flow.
  await page.getByTestId('choice').filter({ hasText: /know/ }).click();
  const articleNode = flowAt(page, 'camera-wifi', 'article_bands');
  await articleNode.waitFor({ state: 'visible' });
  assert.equal(await flow.getAttribute('data-node-kind'), 'article');
  assert.match(await flow.textContent(), /which band your network uses/);
  assert.match(await flow.textContent(), /broadcast two Wi-Fi/, 'the article itself is shown');
  assert.ok(await flow.locator('table').count() >= 1, 'with its body rendered');
  await page.getByTestId('continue').waitFor({ state: 'visible' });

  // A reload in the middle: open the panel again and the flow resumes here.
  await page.reload();
  await page.getByTestId('launcher').click();
  await articleNode.waitFor({ state: 'visible' });

  await page.getByTestId('continue').click();
  const step = flowAt(page, 'camera-wifi', 'step_switch_band');
  await step.waitFor({ state: 'visible' });
  assert.equal(await flow.getAttribute('data-node-kind'), 'step');
  const stepText = page.getByTestId('flow-text');
  assert.ok(await stepText.locator('strong, b').count() >= 1, 'Markdown emphasis is rendered as elements');
  assert.ok(await stepText.locator('ol li').count() >= 3, 'the numbered list is a list');
  assert.doesNotMatch(await stepText.textContent(), /\*\*/);
  await page.getByTestId('fixed-yes').waitFor({ state: 'visible' });
  await page.getByTestId('fixed-no').waitFor({ state: 'visible' });

  // Start over returns to the first question.
  await page.getByTestId('flow-restart').click();
  await flowAt(page, 'camera-wifi', 'ask_light').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('flow-progress').textContent(), /\b1\b/);

  // Home returns to search.
  await page.getByTestId('home').click();
  await page.getByTestId('search').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('flow').count(), 0);
  assert.deepEqual(errors, []);
});
