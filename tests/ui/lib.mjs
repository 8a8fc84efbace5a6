// Shared helpers of the UI tests: the browser, the server address, the accounts.
// Environment (set by run.sh): VIDI_UI_BASE (http://127.0.0.1:PORT), VIDI_UI_PASSWORD, VIDI_UI_ANALYST,
// VIDI_UI_REVIEWER, VIDI_UI_OTHER (a user of another agency), VIDI_UI_BIG_CASE (a case large enough to scroll),
// VIDI_UI_DETAIL_CASE (a case with clues), CHROMIUM (executable), VIDI_UI_VERIFY (command verifying a package file).
import { chromium } from 'playwright-core';

export const BASE = process.env.VIDI_UI_BASE || 'http://127.0.0.1:8099';
export const PASSWORD = process.env.VIDI_UI_PASSWORD || 'vidi-test-pw';
export const ANALYST = process.env.VIDI_UI_ANALYST || 'be-analyst';
export const REVIEWER = process.env.VIDI_UI_REVIEWER || 'be-reviewer';
export const OTHER = process.env.VIDI_UI_OTHER || 'nl-analyst';
export const BIG_CASE = process.env.VIDI_UI_BIG_CASE || 'BE-2026-001';
export const DETAIL_CASE = process.env.VIDI_UI_DETAIL_CASE || 'BE-2026-002';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** A new page in its own context; records page errors and CSP violations in `page.problems`. */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, ...opts });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) page.problems.push(`csp: ${m.text()}`);
  });
  return page;
}

export async function login(page, username, password = PASSWORD) {
  await page.goto(`${BASE}/`);
  await page.waitForSelector('#login-form');
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-form button[type="submit"]');
  await page.waitForSelector('#cases, #main p.muted:has-text("No case")');
}

/** Calls the API from inside the page (same cookie and CSRF as the UI). */
export async function apiFromPage(page, method, path, body) {
  return page.evaluate(
    async ([m, p, b]) => {
      const me = await fetch('/api/v1/auth/me').then((r) => r.json());
      const r = await fetch(`/api/v1${p}`, {
        method: m,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token || '' },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      const t = await r.text();
      let j = null;
      try { j = JSON.parse(t); } catch (e) { j = null; }
      return { status: r.status, body: j };
    },
    [method, path, body],
  );
}

export const filterOf = (page, selector) => page.$eval(selector, (el) => getComputedStyle(el).filter);

/** Waits until the computed filter of `selector` is `none` (revealed) or contains a blur (protected); returns it. */
export async function waitFilter(page, selector, revealed) {
  await page.waitForFunction(
    ([sel, rev]) => {
      const el = document.querySelector(sel);
      if (!el) return false;
      const f = getComputedStyle(el).filter;
      return rev ? f === 'none' : /blur\((?!0px)/.test(f) && el.getAnimations().length === 0;
    },
    [selector, revealed],
  );
  return filterOf(page, selector);
}
