// Takes the README's screenshot of the demo (not a test; writes a file).
//   node tests/e2e/screenshot-demo.mjs [out.png]
// Uses SIGNPOST_BIN and SIGNPOST_WIDGET_DIR like the tests. The panel is
// opened, a typo'd query typed, and the page captured once the camera Wi-Fi
// fix is the first result, so the picture shows what a user sees.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startRelay, launchBrowser, contentArgs, openPanel, resultIds, eventually, root } from './support.mjs';

const out = process.argv[2] ?? join(root, 'docs/images/demo.png');
const relay = await startRelay({ args: contentArgs() });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  await page.goto(relay.url);
  await openPanel(page);
  await page.getByTestId('search').pressSequentially('camra wont conect to wifi', { delay: 20 });
  await eventually(async () => assert.equal((await resultIds(page))[0], 'camera-wifi'), 10000);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await relay.stop();
}
