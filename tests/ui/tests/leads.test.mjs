import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BASE, ANALYST, REVIEWER, DETAIL_CASE, launch, newPage, login, apiFromPage } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const COUNTRY = process.env.VIDI_UI_LEAD_COUNTRY || 'FR';
let leadId = null;

async function state(page) {
  return page.$eval('#main .state', (e) => e.dataset.state);
}

test('a lead from the media view goes through the workflow with an analyst author and a reviewer', async () => {
  const analyst = await newPage(browser);
  await login(analyst, ANALYST);
  const list = await apiFromPage(analyst, 'GET', `/cases/${encodeURIComponent(DETAIL_CASE)}/media?limit=50`);
  assert.equal(list.status, 200);
  const sha = list.body.items[0].sha256;
  await analyst.goto(`${BASE}/#/media/${sha}?case=${encodeURIComponent(DETAIL_CASE)}`);
  await analyst.waitForSelector('#new-lead');
  await analyst.click('#new-lead');
  await analyst.waitForSelector('#lead-form');
  assert.equal(await analyst.locator(`#lead-form input[name="media"][value="${sha}"]`).isChecked(), true, 'the media is pre-selected');
  const clueCount = await analyst.locator('#lead-form input[name="clues"]').count();
  await analyst.selectOption('#lead-subject', 'place');
  await analyst.fill('#lead-country', COUNTRY);
  await analyst.fill('#lead-title', 'Bakery seen through the window');
  await analyst.fill('#lead-summary', 'A shop sign and the language of the speech point to the place.');
  await analyst.click('#lead-create');
  await analyst.waitForSelector('#lead-actions');
  leadId = decodeURIComponent(analyst.url().split('#/lead/')[1]);
  assert.ok(leadId);
  assert.equal(await state(analyst), 'draft');
  const created = (await apiFromPage(analyst, 'GET', `/leads/${leadId}`)).body;
  assert.deepEqual(created.media.map((m) => (typeof m === 'object' ? m.sha256 : m)), [sha]);
  assert.equal((created.clues || []).length, clueCount);
  assert.equal(await analyst.locator('#lead-approve').count(), 0, 'the author cannot approve');
  await analyst.click('#lead-submit');
  await analyst.waitForFunction(() => document.querySelector('#main .state')?.dataset.state === 'submitted');
  assert.equal(await analyst.locator('#lead-approve').count(), 0);
  const self = await apiFromPage(analyst, 'POST', `/leads/${leadId}/approve`);
  assert.equal(self.status, 403, 'the author may not approve through the API either');

  const reviewer = await newPage(browser);
  await login(reviewer, REVIEWER);
  await reviewer.goto(`${BASE}/#/leads`);
  await reviewer.waitForSelector(`#leads tr[data-lead="${leadId}"]`);
  await reviewer.click(`#leads tr[data-lead="${leadId}"] a`);
  await reviewer.waitForSelector('#lead-reject');
  await reviewer.click('#lead-reject');
  assert.match(await reviewer.textContent('#lead-status'), /reason/i, 'a rejection needs a reason');
  await reviewer.fill('#reject-reason', 'Say which clue shows the street.');
  await reviewer.click('#lead-reject');
  await reviewer.waitForFunction(() => document.querySelector('#main .state')?.dataset.state === 'rejected');

  await analyst.reload();
  await analyst.waitForSelector('#lead-edit');
  await analyst.fill('#edit-summary', 'The OCR clue (shop sign) shows the street; the speech is French.');
  await analyst.click('#lead-edit button[type="submit"]');
  await analyst.waitForFunction(() => document.querySelector('#main .state')?.dataset.state === 'draft');
  await analyst.click('#lead-submit');
  await analyst.waitForFunction(() => document.querySelector('#main .state')?.dataset.state === 'submitted');

  await reviewer.reload();
  await reviewer.waitForSelector('#lead-approve');
  await reviewer.fill('#comment-text', 'Checked against the map.');
  await reviewer.click('#comment-form button[type="submit"]');
  await reviewer.waitForFunction(() => document.getElementById('comments')?.textContent.includes('Checked against the map.'));
  await reviewer.click('#lead-approve');
  await reviewer.waitForFunction(() => document.querySelector('#main .state')?.dataset.state === 'approved');
  const hist = await reviewer.$$eval('#history li', (els) => els.map((e) => e.textContent));
  assert.ok(hist.length >= 5, `full history (${hist.length}): ${hist.join(' | ')}`);
  assert.ok(hist.some((x) => x.includes(ANALYST)) && hist.some((x) => x.includes(REVIEWER)), 'both users in the history');
  assert.deepEqual(analyst.problems, []);
  assert.deepEqual(reviewer.problems, []);
  await analyst.context().close();
  await reviewer.context().close();
});

test('a package for the target country is built, downloaded and verified', async () => {
  assert.ok(leadId, 'needs the approved lead of the previous test');
  const page = await newPage(browser);
  await login(page, REVIEWER);
  await page.goto(`${BASE}/#/packages`);
  await page.waitForSelector('#pkg-form');
  await page.fill('#pkg-country', COUNTRY);
  await page.click('#pkg-form button[type="submit"]');
  await page.waitForSelector('#pkg-download');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#pkg-download')]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidi-ui-pkg-'));
  try {
    const file = path.join(dir, download.suggestedFilename() || 'package');
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.length > 0);
    const listed = (await apiFromPage(page, 'GET', '/packages')).body.items;
    const pkg = listed.find((p) => p.country === COUNTRY);
    assert.ok(pkg, 'the package is listed');
    assert.ok(pkg.leads >= 1, 'it holds the approved lead');
    assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), pkg.sha256, 'downloaded bytes match the listed SHA-256');
    const verify = process.env.VIDI_UI_VERIFY;
    // the lead is then sent: approved -> disseminated
    await page.goto(`${BASE}/#/lead/${encodeURIComponent(leadId)}`);
    await page.waitForSelector('#lead-disseminate');
    await page.click('#lead-disseminate');
    await page.waitForFunction(() => document.querySelector('#main .state')?.dataset.state === 'disseminated');
    if (verify) {
      const [cmd, ...args] = verify.split(' ').filter(Boolean);
      const out = execFileSync(cmd, [...args, file], { encoding: 'utf8' });
      console.log(`# package verify: ${out.trim().split('\n').pop()}`);
    } else {
      console.log('# package verify: skipped (VIDI_UI_VERIFY not set: the mock server signs nothing)');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await page.context().close();
  }
});
