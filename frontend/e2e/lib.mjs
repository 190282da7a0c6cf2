// Shared helpers for the browser journeys: launch Debian's Chromium through playwright-core,
// take screenshots, and fail loudly with a screenshot when a step breaks.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const BASE_URL = (process.env.BASE_URL ?? 'http://127.0.0.1:5000').replace(/\/$/, '');
export const ARTIFACTS = resolve(process.env.E2E_ARTIFACTS ?? join(here, '..', '..', 'tests', 'e2e', 'artifacts'));
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? 'demo-password-2026';
export const demo = (who) => `${who}@demo.telehealth.local`;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** A new page with console errors and failed API calls collected for the failure report. */
export async function newPage(browser, { viewport = { width: 1280, height: 860 }, isMobile = false } = {}) {
  const context = await browser.newContext({ viewport, isMobile, hasTouch: isMobile, baseURL: BASE_URL });
  context.setDefaultTimeout(Number(process.env.E2E_TIMEOUT_MS ?? 15000));
  // The app installs its test hooks (window.__liveTest, __liveMedia) only on pages that carry this flag.
  await context.addInitScript(() => {
    window.__telehealthE2E = true;
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => {
    // Failed HTTP responses are expected (401 before sign-in, 4xx in negative steps); 5xx are caught below.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      page.problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() >= 500) {
      page.problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
    }
  });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}

export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

/** Runs one journey: prints "PASS name" or a failure with a screenshot, and sets the exit code. */
export async function journey(name, body) {
  const started = Date.now();
  const browser = await launch();
  const pages = [];
  const open = async (options) => {
    const page = await newPage(browser, options);
    pages.push(page);
    return page;
  };
  try {
    await body({ open, browser });
    const problems = pages.flatMap((p) => p.problems);
    if (problems.length) throw new Error(`the page reported problems:\n  ${problems.join('\n  ')}`);
    console.log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    process.exitCode = 1;
    console.error(`FAIL ${name}: ${error?.stack ?? error}`);
    for (const [i, page] of pages.entries()) {
      await screenshot(page, `${name}-failure-${i}`).catch(() => undefined);
      if (page.problems.length) console.error(`page ${i} problems:\n  ${page.problems.join('\n  ')}`);
    }
  } finally {
    await browser.close();
  }
}

export function uniqueSuffix() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
