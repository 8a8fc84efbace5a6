import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ANALYST, OTHER, launch, newPage, login, apiFromPage } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test("need-to-know: another agency's ungranted case and media are neither listed nor viewable", async () => {
  // what the other agency owns
  const other = await newPage(browser);
  await login(other, OTHER);
  const theirs = (await apiFromPage(other, 'GET', '/cases')).body.items.filter((c) => c.access === 'owner');
  assert.ok(theirs.length > 0, `${OTHER} owns a case`);
  const theirCase = theirs[0].number;
  const listed = (await apiFromPage(other, 'GET', `/cases/${encodeURIComponent(theirCase)}/media?limit=5`)).body.items;
  // Only media that exist in their case alone: a byte copy of a picture the first agency also holds is the same
  // media (one SHA-256), which that agency may rightly see through its own case.
  const theirMedia = [];
  for (const m of listed) {
    const d = (await apiFromPage(other, 'GET', `/media/${m.sha256}`)).body;
    if (!(d.evidence || []).some((e) => /shared-copy/.test(e.path || ''))) theirMedia.push(m);
  }
  assert.ok(theirMedia.length > 0);
  await other.context().close();

  const page = await newPage(browser);
  await login(page, ANALYST);
  const mine = (await apiFromPage(page, 'GET', '/cases')).body.items.map((c) => c.number);
  assert.ok(!mine.includes(theirCase), 'their case is not listed');
  assert.equal(await page.locator(`#cases tr[data-case="${theirCase}"]`).count(), 0);

  await page.goto(`${BASE}/#/case/${encodeURIComponent(theirCase)}`);
  await page.waitForSelector('#grid-status .error, #main .error');
  assert.equal(await page.locator('.grid .cell[data-sha]').count(), 0);

  const sha = theirMedia[0].sha256;
  await page.goto(`${BASE}/#/media/${sha}`);
  const err = page.locator('#main .error');
  await err.waitFor();
  assert.match(await err.getAttribute('data-code'), /^(not_found|forbidden)$/);
  assert.equal(await page.locator('#viewer').count(), 0);
  for (const path of [`/media/${sha}`, `/media/${sha}/thumbnail`, `/media/${sha}/file`, `/media/${sha}/similar?k=5`]) {
    const r = await apiFromPage(page, 'GET', path);
    assert.ok([403, 404].includes(r.status), `${path} -> ${r.status}`);
  }
  const tagged = await apiFromPage(page, 'POST', `/media/${sha}/tags`, { tag: 'x' });
  assert.ok([403, 404].includes(tagged.status), `tagging -> ${tagged.status}`);
  await page.context().close();
});
