// Shared helpers for the end-to-end tests: a real relay on a free port with
// a fresh database, and Debian's Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const root = resolve(import.meta.dirname, '../..');
export const version = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];

export async function startRelay({ widgetDir = process.env.SIGNPOST_WIDGET_DIR ?? join(root, 'dist'), args: extraArgs = [] } = {}) {
  const bin = process.env.SIGNPOST_BIN ?? join(root, 'target/debug/signpost');
  const dir = mkdtempSync(join(tmpdir(), 'signpost-e2e-'));
  const db = join(dir, 'tickets.sqlite3');
  const child = spawn(bin, ['serve', '--port', '0', '--db', db, '--widget-dir', widgetDir,
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

/** A relay and a fresh browser context, both closed when test `t` ends. */
export async function startSession(t) {
  const relay = await startRelay();
  const browser = await launchBrowser();
  const context = await browser.newContext();
  t.after(async () => { await browser.close(); await relay.stop(); });
  return { relay, context };
}

/** Collects uncaught page errors and console errors, which must stay empty. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  return errors;
}
