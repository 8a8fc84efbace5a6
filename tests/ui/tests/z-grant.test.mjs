// Runs last (files run in name order, one at a time): granting changes what the other tests see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ANALYST, OTHER, launch, newPage, login, apiFromPage } from '../lib.mjs';

const OTHER_ADMIN = process.env.VIDI_UI_OTHER_ADMIN || 'nl-admin';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('an admin of the owning agency grants a case; the other agency then sees it (and only then)', async () => {
  const other = await newPage(browser);
  await login(other, OTHER);
  assert.equal(await other.locator('form.grant').count(), 0, 'no grant form for an analyst');
  const theirCase = (await apiFromPage(other, 'GET', '/cases')).body.items.find((c) => c.access === 'owner').number;
  // A media of their case alone (not the byte copy of a picture the first agency also holds: same SHA-256).
  let theirSha = null;
  for (const m of (await apiFromPage(other, 'GET', `/cases/${encodeURIComponent(theirCase)}/media?limit=5`)).body.items) {
    const d = (await apiFromPage(other, 'GET', `/media/${m.sha256}`)).body;
    if (!(d.evidence || []).some((e) => /shared-copy/.test(e.path || ''))) { theirSha = m.sha256; break; }
  }
  assert.ok(theirSha, 'their case holds a media of its own');
  await other.context().close();

  const page = await newPage(browser);
  await login(page, ANALYST);
  assert.ok([403, 404].includes((await apiFromPage(page, 'GET', `/media/${theirSha}`)).status), 'denied before the grant');
  const forged = await apiFromPage(page, 'POST', `/cases/${encodeURIComponent(theirCase)}/grants`, { agency: 'BE-FCCU' });
  assert.ok([403, 404].includes(forged.status), `an outsider cannot grant himself access (${forged.status})`);
  const agencyCode = (await apiFromPage(page, 'GET', '/auth/me')).body.user.agency.code;

  const admin = await newPage(browser);
  await login(admin, OTHER_ADMIN);
  const form = admin.locator(`form.grant[data-grant="${theirCase}"]`);
  await form.waitFor();
  await form.locator('select').selectOption(agencyCode);
  await form.locator('button[type="submit"]').click();
  await form.locator('.ok').waitFor();
  await admin.context().close();

  await page.goto(`${BASE}/#/cases`);
  await page.reload();
  await page.waitForSelector(`#cases tr[data-case="${theirCase}"]`);
  assert.match(await page.textContent(`#cases tr[data-case="${theirCase}"]`), /granted/);
  await page.goto(`${BASE}/#/media/${theirSha}?case=${encodeURIComponent(theirCase)}`);
  await page.waitForSelector('#viewer');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
