import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ANALYST, OTHER, DETAIL_CASE, launch, newPage, login, apiFromPage } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('series: created by an analyst, listed, shown under the wellness rules, a grid filter, hidden from another agency', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  const list = await apiFromPage(page, 'GET', `/cases/${encodeURIComponent(DETAIL_CASE)}/media?limit=2`);
  const shas = list.body.items.map((m) => m.sha256);
  assert.equal(shas.length, 2);
  const name = `UI series ${Date.now() % 1000000}`;
  await page.goto(`${BASE}/#/series`);
  await page.waitForSelector('#form-series');
  await page.fill('#form-series input[name="name"]', name);
  await page.click('#form-series button[type="submit"]');
  await page.waitForFunction((n) => (document.getElementById('series-name') || {}).textContent === n, name);
  const id = Number(new URL(page.url()).hash.split('/')[2]);
  assert.ok(id > 0);
  for (const sha of shas) {
    await page.fill('#form-series-add input[name="sha"]', sha);
    await page.click('#form-series-add button[type="submit"]');
    await page.waitForSelector(`#series-media .cell[data-sha="${sha}"]`);
  }
  // thumbnails protected by default
  assert.match(await page.$eval('#series-media .media-el', (e) => getComputedStyle(e).filter), /blur/);
  assert.ok((await page.textContent('#series-cases')).includes(DETAIL_CASE));
  assert.ok((await page.textContent('#series-history')).includes('add'));
  // listed
  await page.goto(`${BASE}/#/series`);
  await page.waitForSelector(`#series-list tr[data-series="${id}"]`);
  // the grid filter
  await page.goto(`${BASE}/#/case/${encodeURIComponent(DETAIL_CASE)}?series=${id}`);
  await page.waitForSelector('.grid .cell[data-sha]');
  assert.match(await page.textContent('#grid-count'), /^2 media/);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // another agency without a grant: like a series that does not exist
  const other = await newPage(browser);
  await login(other, OTHER);
  const r = await apiFromPage(other, 'GET', `/series/${id}`);
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'not_found');
  const theirs = await apiFromPage(other, 'GET', '/series?limit=1000');
  assert.ok(!theirs.body.items.some((s) => s.id === id));
  await other.goto(`${BASE}/#/series/${id}`);
  await other.waitForSelector('#main .error');
  assert.equal(await other.locator('#series-media').count(), 0);
  await other.context().close();
});

test('find-similar: the panel shows hits under the wellness rules, or says why it is not available', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  const list = await apiFromPage(page, 'GET', `/cases/${encodeURIComponent(DETAIL_CASE)}/media?kind=image&limit=1`);
  const sha = list.body.items[0].sha256;
  const api = await apiFromPage(page, 'GET', `/media/${sha}/similar?k=20`);
  assert.equal(api.status, 200);
  await page.goto(`${BASE}/#/media/${sha}?case=${encodeURIComponent(DETAIL_CASE)}`);
  await page.click('#find-similar');
  await page.waitForSelector('#similar-hits, #similar-unavailable, #similar .error');
  if (api.body.available === false) {
    assert.equal(await page.getAttribute('#similar-unavailable', 'data-code'), api.body.code);
  } else {
    assert.equal(await page.locator('#similar .cell').count(), api.body.items.length);
    if (api.body.items.length) assert.match(await page.$eval('#similar .media-el', (e) => getComputedStyle(e).filter), /blur/);
    assert.equal(await page.locator('#similar-restricted li').count(), api.body.restricted.length);
  }
  console.log(`# similar: available ${api.body.available}, ${(api.body.items || []).length} hits, ${(api.body.restricted || []).length} restricted`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
