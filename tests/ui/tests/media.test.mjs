import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ANALYST, DETAIL_CASE, launch, newPage, login, apiFromPage } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

/** The media of the detail case, with details, the one with the most clues first. */
async function detailed(page) {
  const list = await apiFromPage(page, 'GET', `/cases/${encodeURIComponent(DETAIL_CASE)}/media?limit=50`);
  assert.equal(list.status, 200);
  const out = [];
  for (const it of list.body.items) out.push((await apiFromPage(page, 'GET', `/media/${it.sha256}`)).body);
  out.sort((a, b) => (b.clues || []).length - (a.clues || []).length);
  return out;
}

test('media view: hashes, metadata, clues drawn as boxes, links, hypotheses, similar', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  const all = await detailed(page);
  assert.ok(all.length > 0);
  const m = all.find((x) => x.kind === 'image') || all[0];
  await page.goto(`${BASE}/#/media/${m.sha256}?case=${encodeURIComponent(DETAIL_CASE)}`);
  await page.waitForSelector('#viewer');
  const text = await page.textContent('#main');
  assert.ok(text.includes(m.sha256), 'SHA-256 shown');
  if (m.md5) assert.ok(text.includes(m.md5), 'MD5 shown');
  if (m.pdq) assert.ok(text.includes(m.pdq), 'PDQ shown');
  const withRegion = (m.clues || []).filter((c) => c.region);
  assert.equal(await page.locator('#viewer svg.overlay rect.clue-box').count(), withRegion.length, 'one box per clue with a region');
  assert.equal(await page.locator('#clues tbody tr').count(), (m.clues || []).length);
  for (const l of m.links || []) {
    if (l.restricted) {
      const li = page.locator('#links li[data-restricted="true"]').first();
      assert.match(await li.textContent(), new RegExp(`match in a case of agency ${l.other_agency.code}.*ask for access`));
    }
  }
  for (const hy of m.hypotheses || []) assert.ok((await page.textContent('#hypotheses')).includes(hy.country));
  await page.click('#find-similar');
  await page.waitForSelector('#similar-hits, #similar-unavailable, #similar .error');
  assert.equal(await page.locator('#similar .error').count(), 0, 'find-similar answered without an error');
  const sim = page.locator('#similar .cell');
  if (await sim.count()) assert.match(await page.$eval('#similar .media-el', (e) => getComputedStyle(e).filter), /blur/);
  console.log(`# media view: ${withRegion.length} boxes, ${(m.clues || []).length} clues, ${(m.links || []).length} links, ${await sim.count()} similar`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('media view: the analyst adds a tag, a note, a category and a manual clue', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  const list = await apiFromPage(page, 'GET', `/cases/${encodeURIComponent(DETAIL_CASE)}/media?kind=image&limit=1`);
  const sha = list.body.items[0].sha256;
  await page.goto(`${BASE}/#/media/${sha}?case=${encodeURIComponent(DETAIL_CASE)}`);
  await page.waitForSelector('#form-tag');
  const tag = `t${Date.now() % 100000}`;
  await page.fill('#form-tag input[name="tag"]', tag);
  await page.click('#form-tag button[type="submit"]');
  await page.waitForFunction((t) => document.getElementById('tags') && document.getElementById('tags').textContent.includes(t), tag);
  await page.fill('#form-note textarea', 'bakery sign visible, check street view');
  await page.click('#form-note button[type="submit"]');
  await page.waitForFunction(() => document.getElementById('notes') && document.getElementById('notes').textContent.includes('bakery sign'));
  await page.fill('#form-category input[name="code"]', '2');
  await page.click('#form-category button[type="submit"]');
  await page.waitForFunction(() => /\b2\b/.test(document.getElementById('categories')?.textContent || ''));
  const before = await page.locator('#clues tbody tr').count();
  await page.fill('#form-clue input[name="kind"]', 'shop_sign');
  await page.fill('#form-clue input[name="value"]', 'Boulangerie du Coin');
  await page.fill('#form-clue input[name="region"]', '10,10,50,20');
  await page.click('#form-clue button[type="submit"]');
  await page.waitForFunction((n) => document.querySelectorAll('#clues tbody tr').length === n + 1, before);
  const after = (await apiFromPage(page, 'GET', `/media/${sha}`)).body;
  assert.ok(after.tags.map((t) => (typeof t === 'object' ? t.text ?? t.tag : t)).includes(tag));
  assert.ok(after.clues.some((c) => JSON.stringify(c.value).includes('Boulangerie du Coin')));
  assert.ok(await page.locator('#viewer rect.clue-box').count() >= 1, 'the manual clue box is drawn');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('map: country shapes from the app, GPS points and hypothesis countries, offline', async () => {
  const page = await newPage(browser);
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(BASE)) outside.push(r.url()); });
  await login(page, ANALYST);
  await page.goto(`${BASE}/#/map`);
  await page.waitForSelector('#map path.country');
  assert.ok(await page.locator('#map path.country').count() > 150, 'world country shapes');
  const data = (await apiFromPage(page, 'GET', '/map')).body;
  assert.equal(await page.locator('#map circle.point').count(), data.points.length);
  assert.equal(await page.locator('#map path.country.hyp').count() > 0, data.countries.length > 0);
  assert.deepEqual(outside, [], 'no request leaves the server');
  await page.context().close();
});
