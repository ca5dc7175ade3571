// Pages we do not control: the strictest CSP with Trusted Types, DOM
// clobbering, identify after the form exists, and a pasted wall of text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, contentArgs, openPanel, eventually, resultIds, hostPage, watchErrors } from './support.mjs';

/** Serves `html` at `path` with extra response headers. */
async function servePage(context, relay, path, html, headers = {}) {
  const url = new URL(path, relay.url).href;
  await context.route(url, (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: html }));
  return url;
}

// docs/embedding.md's strictest policy: no inline script or style, wasm allowed,
// and Trusted Types required with no policy at all.
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; " +
  "require-trusted-types-for 'script'; trusted-types 'none'";

test('a page enforcing Trusted Types and a strict CSP gets a working widget: search, an article and a guided fix', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const url = await servePage(context, relay, '/strict.html', hostPage(), { 'content-security-policy': STRICT_CSP });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const violations = [];
  page.on('console', (m) => /Content Security Policy|TrustedHTML|Trusted Type/i.test(m.text()) && violations.push(m.text()));
  await page.goto(url);
  // The policy really is in force: the page itself may not set innerHTML.
  assert.equal(await page.evaluate(() => { try { document.createElement('div').innerHTML = '<b>x</b>'; return 'allowed'; } catch (e) { return 'refused'; } }), 'refused');
  violations.length = 0; // that refusal was ours; from here on only the widget acts
  errors.length = 0;
  await openPanel(page);
  await page.getByTestId('search').fill('camera wifi');
  await eventually(async () => assert.equal((await resultIds(page))[0], 'camera-wifi'));
  await page.locator('[data-testid=result][data-kind=article]').first().click();
  await page.getByTestId('article-body').waitFor();
  await page.getByTestId('back').click();
  await page.locator('[data-testid=result][data-id=camera-wifi]').click();
  await page.getByTestId('choice').first().waitFor();
  assert.equal(await page.getByTestId('launcher').getAttribute('data-state'), null, 'the launcher is not in its error state');
  assert.deepEqual(violations, [], 'nothing the widget does is refused by the policy');
  assert.deepEqual(errors, []);
});

test('DOM clobbering: an element named currentScript and a form with the id Signpost do not stop the widget', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const body = '<img name="currentScript" src="data:,"><img name="body" src="data:,"><form id="Signpost"><input name="q"><input name="loader"></form><main><h1>Host</h1></main>';
  const url = await servePage(context, relay, '/clobbered.html', hostPage({ body }));
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  assert.equal(await page.evaluate(() => typeof window.Signpost), 'function', 'the global is the loader, not the form');
  await openPanel(page);
  await page.getByTestId('search').fill('reset password');
  await eventually(async () => assert.ok((await resultIds(page)).includes('reset-password')));
  assert.deepEqual(errors, []);
});

test('a loader that cannot find its script tag says why in the console instead of failing silently', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  // Injected as a module, the script has no document.currentScript.
  const html = hostPage().replace('<script async src=', '<script type="module" src=');
  const url = await servePage(context, relay, '/module.html', html);
  const page = await context.newPage();
  const messages = [];
  page.on('console', (m) => messages.push(m.text()));
  await page.goto(url);
  await eventually(async () => assert.ok(messages.some((m) => /\[signpost\].*script/.test(m)), messages.join('\n')));
});

test('identify called after the form is open fills the name and email the user left empty', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const url = await servePage(context, relay, '/always.html', hostPage({ attrs: { contact: 'always' } }));
  const page = await context.newPage();
  await page.goto(url);
  await openPanel(page);
  await page.getByTestId('contact-route').click();
  await page.getByTestId('email').waitFor();
  assert.equal(await page.getByTestId('email').inputValue(), '');
  await page.getByTestId('name').fill('Typed By Hand');
  await page.evaluate(() => window.Signpost('identify', { name: 'Ana Lima', email: 'ana@example.com' }));
  await eventually(async () => assert.equal(await page.getByTestId('email').inputValue(), 'ana@example.com'));
  assert.equal(await page.getByTestId('name').inputValue(), 'Typed By Hand', 'what the user typed is kept');
});

test('a 300 KB paste is counted as pasted, warned about before Send, refused with its real length, and nothing is sent', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const url = await servePage(context, relay, '/paste.html', hostPage({ attrs: { contact: 'always' } }));
  const page = await context.newPage();
  await page.goto(url);
  await openPanel(page);
  await page.getByTestId('contact-route').click();
  await page.getByTestId('message').fill('x'.repeat(300_000));
  await page.getByTestId('email').fill('ana@example.com');
  assert.match(await page.getByTestId('message-count').textContent(), /300000 \/ 20000/);
  await page.getByTestId('send').click();
  const problem = page.getByTestId('form-problem');
  await eventually(async () => assert.match(await problem.textContent(), /300000 characters; the limit is 20000/));
  // In view: inside the panel's visible area, not below its scroll edge.
  const [box, panel] = [await problem.boundingBox(), await page.getByTestId('panel').boundingBox()];
  assert.ok(box && box.y >= panel.y && box.y + box.height <= panel.y + panel.height, `problem at ${JSON.stringify(box)}, panel ${JSON.stringify(panel)}`);
  assert.equal(await page.getByTestId('message').inputValue(), 'x'.repeat(300_000), 'the text is kept');
  await page.waitForTimeout(300);
  assert.equal(relay.query('SELECT count(*) AS n FROM tickets')[0].n, 0);
});

test('offline: a page opened again without a connection still gets its widget from the cache, and the help saved on this device', async (t) => {
  // No page.route here: Playwright turns the HTTP cache off while routing.
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  await page.getByTestId('search').fill('forgot my pasword');
  await eventually(async () => assert.ok((await resultIds(page)).includes('reset-password')));
  // The offline copy is written just after the panel is usable.
  await eventually(async () => assert.ok(await page.evaluate(() => !!localStorage.getItem('signpost:content:v1'))));

  await context.setOffline(true);
  const again = await context.newPage();
  await again.goto(relay.url);
  await openPanel(again);
  await again.getByTestId('search').fill('forgot my pasword');
  await eventually(async () => assert.ok((await resultIds(again)).includes('reset-password')));
  assert.match(await again.getByTestId('saved-copy').textContent(), /offline/i, 'the user is told this is the saved help');
  assert.doesNotMatch(await again.getByTestId('panel').textContent(), /Failed to fetch/);
});

test('two submits in one task store one ticket and show no error after the success', async (t) => {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const url = await servePage(context, relay, '/double.html', hostPage({ attrs: { contact: 'always' } }));
  const page = await context.newPage();
  await page.goto(url);
  await openPanel(page);
  await page.getByTestId('contact-route').click();
  await page.getByTestId('message').fill('The camera drops off the network every night.');
  await page.getByTestId('email').fill('ana@example.com');
  await page.evaluate(() => {
    const form = document.querySelector('signpost-widget').shadowRoot.querySelector('[data-testid=contact-form]');
    form.requestSubmit();
    form.requestSubmit();
  });
  await page.locator('[data-testid=ticket-status][data-state=sent]').waitFor();
  await page.waitForTimeout(300);
  assert.equal(relay.query('SELECT count(*) AS n FROM tickets')[0].n, 1);
  assert.equal((await page.getByTestId('form-problem').textContent()).trim(), '', 'no error follows the success');
});
