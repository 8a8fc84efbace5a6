import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ANALYST, BIG_CASE, launch, newPage, login, apiFromPage } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('the grid renders only the visible rows while scrolling a large case, and fetches pages by cursor', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  const first = await apiFromPage(page, 'GET', `/cases/${encodeURIComponent(BIG_CASE)}/media?limit=1`);
  const total = first.body.total;
  assert.ok(total >= 300, `case ${BIG_CASE} must be large enough to scroll (has ${total})`);
  const requests = [];
  page.on('request', (r) => { if (/\/media\?/.test(r.url())) requests.push(r.url()); });
  await page.goto(`${BASE}/#/case/${encodeURIComponent(BIG_CASE)}`);
  await page.waitForSelector('.grid .cell[data-sha]');
  assert.match(await page.textContent('#grid-count'), new RegExp(`^${total} media`));
  const spacerH = await page.$eval('.grid-spacer', (e) => e.getBoundingClientRect().height);
  const viewH = await page.$eval('#grid', (e) => e.clientHeight);
  assert.ok(spacerH > viewH * 3, 'the scroll area stands for every item');
  let maxCells = 0;
  let maxRows = 0;
  const steps = 12;
  for (let i = 1; i <= steps; i++) {
    const target = Math.min(spacerH - viewH, (spacerH * i) / steps / (total > 20000 ? 20 : 1));
    await page.$eval('#grid', (e, t) => { e.scrollTop = t; }, target);
    await page.waitForFunction((t) => {
      const g = document.getElementById('grid');
      const rows = [...g.querySelectorAll('.grid-row')];
      return rows.some((r) => {
        const y = parseFloat(r.style.transform.replace(/[^0-9.]/g, ''));
        return y <= g.scrollTop + 1 && y + r.getBoundingClientRect().height >= g.scrollTop;
      }) && g.querySelector('.cell[data-sha]');
    }, target);
    const { cells, rows } = await page.$eval('#grid', (g) => ({ cells: g.querySelectorAll('.cell').length, rows: g.querySelectorAll('.grid-row').length }));
    maxCells = Math.max(maxCells, cells);
    maxRows = Math.max(maxRows, rows);
  }
  const cols = await page.$eval('.grid-row', (r) => r.querySelectorAll('.cell').length);
  const visibleRows = Math.ceil(viewH / 120) + 1;
  assert.ok(maxRows <= visibleRows + 6, `DOM rows bounded: ${maxRows} for ~${visibleRows} visible`);
  assert.ok(maxCells <= (visibleRows + 6) * cols, `DOM cells bounded: ${maxCells}`);
  assert.ok(maxCells < total, 'never the whole case in the DOM');
  assert.ok(requests.length >= 1);
  assert.ok(requests.every((u) => /limit=\d+/.test(u)), 'paginated requests');
  assert.ok(requests.slice(1).every((u) => /cursor=/.test(u)), 'later pages fetched by cursor');
  // a jump to the very end (End key) loads the pages up to it and still renders only the rows on screen
  await page.focus('#grid');
  await page.keyboard.press('End');
  await page.waitForSelector(`#cell-${total - 1}[data-sha]`, { timeout: 180000 });
  const atEnd = await page.$eval('#grid', (g) => g.querySelectorAll('.cell').length);
  assert.ok(atEnd <= (visibleRows + 6) * cols, `DOM cells bounded at the end: ${atEnd}`);
  console.log(`# grid: total ${total}, ${cols} columns, at most ${maxRows} rows / ${maxCells} cells in the DOM while scrolling, ${atEnd} at the end, ${requests.length} page requests`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('keyboard: arrows move a visible focus, Enter opens, Escape comes back to the same place', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  await page.goto(`${BASE}/#/case/${encodeURIComponent(BIG_CASE)}`);
  await page.waitForSelector('.grid .cell[data-sha]');
  await page.focus('#grid');
  const active = () => page.$eval('#grid', (g) => g.getAttribute('aria-activedescendant'));
  assert.equal(await active(), 'cell-0');
  const outline = await page.$eval('#cell-0', (e) => getComputedStyle(e).outlineStyle);
  assert.notEqual(outline, 'none', 'visible focus');
  await page.keyboard.press('ArrowRight');
  assert.equal(await active(), 'cell-1');
  const cols = await page.$eval('.grid-row', (r) => r.querySelectorAll('.cell').length);
  await page.keyboard.press('ArrowDown');
  assert.equal(await active(), `cell-${1 + cols}`);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await active(), `cell-${cols}`);
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
  const idx = cols + 8 * cols;
  assert.equal(await active(), `cell-${idx}`);
  assert.ok(await page.$eval('#grid', (g) => g.scrollTop) > 0, 'the grid scrolls to the focused item');
  const sha = await page.$eval(`#cell-${idx}`, (e) => e.dataset.sha);
  await page.keyboard.press(' ');
  assert.equal(await page.$eval(`#cell-${idx} .shield`, (e) => e.classList.contains('revealed')), true, 'Space reveals');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('.shield.revealed').count(), 0, 'moving on blurs it again');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#viewer');
  assert.ok(page.url().includes(`#/media/${sha}`));
  await page.keyboard.press('Escape');
  await page.waitForSelector('#grid .cell[data-sha]');
  assert.equal(await active(), `cell-${idx}`);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'grid');
  await page.context().close();
});

test('filters narrow the grid through the API (kind, has GPS, status)', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  await page.goto(`${BASE}/#/case/${encodeURIComponent(BIG_CASE)}`);
  await page.waitForSelector('.grid .cell[data-sha]');
  const seen = [];
  page.on('request', (r) => { if (/\/media\?/.test(r.url())) seen.push(new URL(r.url()).searchParams); });
  await page.check('#f-has_gps');
  await page.waitForFunction(() => location.hash.includes('has_gps=true'));
  await page.waitForSelector('.grid .cell[data-sha], #grid-empty');
  await page.selectOption('#f-status', 'new');
  await page.waitForFunction(() => location.hash.includes('status=new'));
  await page.waitForSelector('.grid .cell[data-sha], #grid-empty');
  const last = seen[seen.length - 1];
  assert.equal(last.get('has_gps'), 'true');
  assert.equal(last.get('status'), 'new');
  const expect = await apiFromPage(page, 'GET', `/cases/${encodeURIComponent(BIG_CASE)}/media?has_gps=true&status=new&limit=1`);
  await page.waitForFunction((n) => document.getElementById('grid-count').textContent.startsWith(`${n} `), expect.body.total);
  await page.click('#filters button[type="reset"]');
  await page.waitForFunction(() => !location.hash.includes('?'));
  await page.context().close();
});
