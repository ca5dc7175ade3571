// axe-core on the search results list (kept apart from panel-a11y while the
// highlighted words in result excerpts fail colour contrast).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './support.mjs';
import { axeViolations, assertNoSerious, axeSession } from './axe.mjs';

test('axe: search results', async (t) => {
  const page = await axeSession(t);
  await page.getByTestId('search').fill('wifi');
  await eventually(async () => assert.ok((await page.getByTestId('results').locator('mark').count()) > 0));
  await page.keyboard.press('ArrowDown');
  assertNoSerious('search results', await axeViolations(page));
});

