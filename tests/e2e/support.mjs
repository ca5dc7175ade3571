// Shared helpers for the end-to-end tests: a real relay on a free port with
// a fresh database, and Debian's Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const root = resolve(import.meta.dirname, '../..');
export const version = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
/** The `signpost` binary under test. */
export const signpostBin = process.env.SIGNPOST_BIN ?? join(root, 'target/debug/signpost');

export async function startRelay({ widgetDir = process.env.SIGNPOST_WIDGET_DIR ?? join(root, 'dist'), args: extraArgs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-e2e-'));
  const db = join(dir, 'tickets.sqlite3');
  const child = spawn(signpostBin, ['serve', '--port', '0', '--db', db, '--widget-dir', widgetDir,
    '--demo-dir', join(root, 'public/demo'), ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/[^\s]+/);
      if (m) ok(m[0]);
    });
    child.on('exit', (code) => fail(new Error(`signpost serve exited with ${code}`)));
  });
  return {
    url,
    db,
    query(sql) {
      const out = execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8' }).trim();
      return out ? JSON.parse(out) : [];
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.on('exit', ok)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
}

/** A relay and a fresh browser context, both closed when test `t` ends.
 * `args` go to `signpost serve` (e.g. `contentArgs()`), `contextOptions` to
 * the browser context (e.g. a viewport). */
export async function startSession(t, { args = [], contextOptions = {} } = {}) {
  const relay = await startRelay({ args });
  const browser = await launchBrowser();
  const context = await browser.newContext(contextOptions);
  t.after(async () => { await browser.close(); await relay.stop(); });
  return { relay, context, browser };
}

/** Collects uncaught page errors and console errors, which must stay empty. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  return errors;
}

// ---- Helpers for the panel journeys ----------------------------------------

/** The demo's content folder (articles, flows, signpost.toml). */
export const demoContent = join(root, 'public/demo/content');

/** Relay flags that build, watch and serve a content folder at /content/bundle.json. */
export function contentArgs(dir = demoContent) {
  return ['--content', dir];
}

/** A throwaway copy of the demo content, removed when the test process
 * exits (not when the test ends: the relay watching it stops after that). */
export function copyContent() {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-content-'));
  cpSync(demoContent, dir, { recursive: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Clicks the launcher and waits for the panel and its search box. */
export async function openPanel(page) {
  await page.getByTestId('launcher').click();
  await page.getByTestId('panel').waitFor({ state: 'visible' });
  await page.getByTestId('search').waitFor({ state: 'visible' });
}

/** The element that has focus, looking through open shadow roots. */
export function deepActive(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    return {
      tag: el.tagName.toLowerCase(),
      testid: el.getAttribute('data-testid'),
      id: el.id,
      text: (el.textContent || '').trim().slice(0, 120),
      inShadow: el.getRootNode() !== document,
    };
  });
}

/** Presses Tab (only the keyboard) until the focused element matches, at most `max` times. */
export async function tabTo(page, testid, { text, max = 60, key = 'Tab' } = {}) {
  const seen = [];
  for (let i = 0; i < max; i += 1) {
    const now = await deepActive(page);
    if (now && now.testid === testid && (!text || text.test(now.text))) return now;
    seen.push(now ? `${now.tag}[${now.testid ?? ''}]` : 'none');
    await page.keyboard.press(key);
  }
  throw new Error(`Tab never reached [data-testid=${testid}]${text ? ` ${text}` : ''}; focus went: ${seen.slice(-25).join(' > ')}`);
}

/** Polls the relay's database until `count` tickets are stored (or the time is up). */
export async function waitForTickets(relay, count, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = relay.query('SELECT reference, payload FROM tickets');
    if (rows.length >= count || Date.now() > end) return rows.map((r) => ({ ...r, ticket: JSON.parse(r.payload) }));
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

/** Serves `html` at `path` on the relay's origin through the browser context,
 * so a test can use its own host page with the real widget files. */
export async function serveHostPage(context, relay, path, html) {
  const url = new URL(path, relay.url).href;
  await context.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  return url;
}

/** A minimal host page embedding the widget with the given data-* attributes. */
export function hostPage({ attrs = {}, head = '', body = '<main><h1>Host page</h1><p>Some text.</p></main>', lang = 'en' } = {}) {
  const data = Object.entries({ endpoint: '/api/tickets', content: '/content/bundle.json', ...attrs })
    .map(([k, v]) => ` data-${k}="${v}"`).join('');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host</title><link rel="icon" href="data:,">${head}</head><body>${body}
<script async src="/widget/${version}/embed.js"${data}></script></body></html>`;
}

/** Retries `check` (which throws while not yet true) until it passes or
 * `timeoutMs` runs out; then rethrows its last error. */
export async function eventually(check, timeoutMs = 5000, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((ok) => setTimeout(ok, everyMs));
    }
  }
}

/** The `data-id`s of the result options, in order. */
export function resultIds(page) {
  return page.getByTestId('result').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
}
