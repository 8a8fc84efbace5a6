import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ANALYST, PASSWORD, launch, newPage, login } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('a wrong password is refused with a clear message and no session', async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/`);
  await page.fill('#login-username', ANALYST);
  await page.fill('#login-password', `${PASSWORD}-wrong`);
  await page.click('#login-form button[type="submit"]');
  const err = page.locator('#login-status .error');
  await err.waitFor();
  assert.match(await err.textContent(), /wrong user name or password/i);
  assert.equal(await page.locator('header#top').isHidden(), true);
  assert.equal(await page.inputValue('#login-password'), '');
  await page.context().close();
});

test('login shows the case list; reload keeps the session; logout ends it', async () => {
  const page = await newPage(browser);
  await login(page, ANALYST);
  assert.match(await page.textContent('#whoami'), new RegExp(ANALYST));
  const cookies = await page.context().cookies();
  const sess = cookies.find((c) => c.name === 'vidi_session');
  assert.ok(sess, 'session cookie set');
  assert.equal(sess.httpOnly, true);
  assert.equal(sess.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie.includes('vidi_session')), false, 'cookie not readable by scripts');
  await page.reload();
  await page.waitForSelector('#cases');
  await page.click('#logout');
  await page.waitForSelector('#login-form');
  const me = await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status));
  assert.equal(me, 401);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
