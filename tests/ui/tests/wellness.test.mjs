import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ANALYST, BIG_CASE, DETAIL_CASE, launch, newPage, login, apiFromPage, filterOf, waitFilter } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const FIRST = '.grid .cell[data-sha] .media-el';

test('thumbnails are small, blurred and greyscale by default; one is revealed on click and blurred again on leaving', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  const settings = await apiFromPage(page, 'GET', '/me/settings');
  assert.equal(settings.status, 200);
  assert.equal(settings.body.blur, true);
  assert.equal(settings.body.greyscale, true);
  assert.equal(settings.body.thumb_size, 'small');
  assert.equal(settings.body.muted, true);

  await page.goto(`${BASE}/#/case/${encodeURIComponent(BIG_CASE)}`);
  await page.waitForSelector(FIRST);
  const f = await filterOf(page, FIRST);
  assert.match(f, /blur\(\d+(\.\d+)?px\)/, `filter is ${f}`);
  assert.match(f, /grayscale\(1\)/, `filter is ${f}`);
  const box = await page.locator('.grid .cell[data-sha] .shield').first().boundingBox();
  assert.ok(box.width <= 100 && box.height <= 100, `small thumbnail, got ${box.width}x${box.height}`);
  // every rendered thumbnail is protected
  const unprotected = await page.$$eval('.grid .media-el', (els) => els.filter((e) => !/blur/.test(getComputedStyle(e).filter)).length);
  assert.equal(unprotected, 0);

  const cells = page.locator('.grid .cell[data-sha]');
  await cells.nth(0).locator('.shield').click();
  assert.equal(await waitFilter(page, FIRST, true), 'none', 'revealed on click');
  const second = '.grid .cell[data-sha]:nth-child(2) .media-el';
  assert.match(await filterOf(page, second), /blur/, 'only one revealed');
  // reveal another: the first is blurred again
  await cells.nth(1).locator('.shield').click();
  assert.match(await waitFilter(page, FIRST, false), /blur/);
  assert.equal(await waitFilter(page, second, true), 'none');
  // leaving it blurs it again
  await page.mouse.move(5, 5);
  assert.match(await waitFilter(page, second, false), /grayscale\(1\)/);
  assert.equal(await page.locator('.shield.revealed').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('videos start muted until sound is asked for; the media view is blurred too', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  const list = await apiFromPage(page, 'GET', `/cases/${encodeURIComponent(DETAIL_CASE)}/media?kind=video&limit=1`);
  assert.equal(list.status, 200);
  if (!list.body.items.length) {
    console.log(`# skipped: case ${DETAIL_CASE} has no video`);
    await page.context().close();
    return;
  }
  const sha = list.body.items[0].sha256;
  await page.goto(`${BASE}/#/media/${sha}?case=${encodeURIComponent(DETAIL_CASE)}`);
  await page.waitForSelector('#media-video');
  assert.equal(await page.$eval('#media-video', (v) => v.muted), true);
  assert.match(await filterOf(page, '#media-video'), /blur.*grayscale|grayscale.*blur/);
  await page.click('#sound');
  assert.equal(await page.$eval('#media-video', (v) => v.muted), false);
  await page.context().close();
});

test('per-user settings change the defaults and are kept by the server', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  try {
    await page.goto(`${BASE}/#/settings`);
    await page.waitForSelector('#settings-form');
    await page.uncheck('#set-grey');
    await page.selectOption('#set-size', 'medium');
    await page.click('#settings-form button[type="submit"]');
    await page.waitForSelector('#main .ok');
    const s = await apiFromPage(page, 'GET', '/me/settings');
    assert.equal(s.body.greyscale, false);
    assert.equal(s.body.thumb_size, 'medium');
    assert.equal(s.body.blur, true);
    await page.goto(`${BASE}/#/case/${encodeURIComponent(BIG_CASE)}`);
    await page.waitForSelector(FIRST);
    const f = await filterOf(page, FIRST);
    assert.match(f, /blur/);
    assert.doesNotMatch(f, /grayscale/);
    const box = await page.locator('.grid .cell[data-sha] .shield').first().boundingBox();
    assert.ok(box.width > 140, `medium thumbnails, got ${box.width}`);
  } finally {
    await apiFromPage(page, 'PUT', '/me/settings', { blur: true, greyscale: true, thumb_size: 'small', muted: true });
    await page.context().close();
  }
});
