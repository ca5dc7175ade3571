// axe-core for the end-to-end tests: runs it on the widget, its open shadow
// root included, and asserts there is nothing serious or critical.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startSession, contentArgs, openPanel, eventually, resultIds } from './support.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe on `<signpost-widget>` and returns the serious and critical
 * violations, the others by name, and whether the shadow tree was seen. */
export async function axeViolations(page) {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: axeSource });
  await page.waitForTimeout(400); // let any opening transition finish, for colour contrast
  return page.evaluate(async () => {
    const result = await window.axe.run(document.querySelector('signpost-widget'), { resultTypes: ['violations'] });
    const inShadow = (nodes) => nodes.some((n) => Array.isArray(n.target[0]));
    return {
      sawShadow: inShadow(result.passes.flatMap((r) => r.nodes)) || inShadow(result.violations.flatMap((r) => r.nodes)),
      violations: result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
      })),
      minor: result.violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map((v) => `${v.id} (${v.impact})`),
    };
  });
}

/** Fails with a summary of each serious or critical violation. */
export function assertNoSerious(where, { sawShadow, violations, minor }) {
  assert.ok(sawShadow, `${where}: axe looked inside the widget's shadow root`);
  if (minor.length) console.log(`axe ${where}: minor/moderate: ${minor.join(', ')}`);
  const summary = violations.map((v) => `- ${v.id} [${v.impact}] ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n');
  assert.equal(violations.length, 0, `axe ${where}: serious or critical violations:\n${summary}`);
  console.log(`axe ${where}: no serious or critical violations`);
}

/** A relay with the demo content and the demo page with the panel open,
 * its featured items shown. */
export async function axeSession(t) {
  const { relay, context } = await startSession(t, { args: contentArgs() });
  const page = await context.newPage();
  await page.goto(relay.url);
  await openPanel(page);
  await eventually(async () => assert.ok((await resultIds(page)).length > 0), 10000);
  return page;
}
