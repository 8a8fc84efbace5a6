// The grid of a 100,000-media workspace on the real server (seeded by `vidi bench seed`, see run-big.sh): the
// keyboard takes the grid to the very last item of the largest case, the DOM stays small all the way, and pages
// are fetched by cursor. Environment: VIDI_UI_BASE, VIDI_UI_PASSWORD, VIDI_UI_ANALYST (a user of the agency that
// owns VIDI_UI_BIG_CASE), CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ANALYST, BIG_CASE, launch, newPage, login, apiFromPage } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('100,000 media: keyboard to the end of the largest case, the DOM stays small, the last item appears', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  const cases = await apiFromPage(page, 'GET', '/cases');
  const all = cases.body.items.reduce((n, c) => n + c.media_count, 0);
  const first = await apiFromPage(page, 'GET', `/cases/${encodeURIComponent(BIG_CASE)}/media?limit=1`);
  const total = first.body.total;
  assert.ok(total >= 20000, `case ${BIG_CASE} must be large (has ${total})`);
  const requests = [];
  page.on('request', (r) => { if (/\/media\?/.test(r.url())) requests.push(r.url()); });
  await page.goto(`${BASE}/#/case/${encodeURIComponent(BIG_CASE)}`);
  await page.waitForSelector('.grid .cell[data-sha]');
  assert.match(await page.textContent('#grid-count'), new RegExp(`^${total} media`));
  const viewH = await page.$eval('#grid', (e) => e.clientHeight);
  const cols = await page.$eval('.grid-row', (r) => r.querySelectorAll('.cell').length);
  const bound = (Math.ceil(viewH / 120) + 1 + 6) * cols;
  await page.focus('#grid');
  // A few screens down with the keyboard, checking the DOM each time.
  let maxCells = 0;
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => document.querySelector('#grid .cell[data-sha]'));
    maxCells = Math.max(maxCells, await page.$eval('#grid', (g) => g.querySelectorAll('.cell').length));
  }
  // Then to the very end: every page up to it is fetched by cursor, only the rows on screen are rendered.
  await page.keyboard.press('End');
  await page.waitForSelector(`#cell-${total - 1}[data-sha]`, { timeout: 90000 });
  const atEnd = await page.$eval('#grid', (g) => g.querySelectorAll('.cell').length);
  maxCells = Math.max(maxCells, atEnd);
  assert.ok(maxCells <= bound, `DOM cells bounded: ${maxCells} (bound ${bound})`);
  assert.ok(maxCells < total / 100, 'never more than a sliver of the case in the DOM');
  const active = await page.$eval('#grid', (g) => g.getAttribute('aria-activedescendant'));
  assert.equal(active, `cell-${total - 1}`, 'the focus is on the last item');
  const lastSha = await page.$eval(`#cell-${total - 1}`, (e) => e.dataset.sha);
  assert.match(lastSha, /^[0-9a-f]{64}$/);
  assert.ok(requests.length >= 2, 'several pages');
  assert.ok(requests.slice(1).every((u) => /cursor=/.test(u)), 'later pages fetched by cursor');
  console.log(`# grid-100k: workspace ${all} evidence media, case ${BIG_CASE} ${total}, ${cols} columns, at most ${maxCells} cells in the DOM, ${requests.length} page requests to the end`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
