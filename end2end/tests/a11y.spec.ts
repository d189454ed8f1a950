import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, FIRE_URL } from './support';

const pages = [
  '/',
  '/services/kakaotalk',
  // Its mail check always fails in end2end/checks.toml: the checks banner and panel.
  '/services/daum',
  FIRE_URL,
  `${FIRE_URL}/record`,
  '/history',
  '/availability?year=2022',
  '/availability?year=2022&service=kakaotalk',
  '/subscribe',
  '/admin/signin',
];

for (const url of pages) {
  test(`axe finds no violations on ${url}`, async ({ page, open, browser, javaScriptEnabled, baseURL, viewport, locale }) => {
    let audited: Page = page;
    if (javaScriptEnabled) {
      await open(url);
    } else {
      // axe has to run inside the page, and this project turns page scripts off (axe's
      // timers never fire there). So the same server-rendered document is audited in a
      // context where only axe runs: the app's own script and wasm are refused, and the
      // page stays exactly as served to a reader without JavaScript (never hydrated).
      const context = await browser.newContext({ baseURL, viewport, locale, javaScriptEnabled: true });
      await context.route(/\/pkg\/status(_bg)?\.(js|wasm)(\?.*)?$/, (route) => route.abort());
      audited = await context.newPage();
      const response = await audited.goto(url);
      expect(response?.status()).toBe(200);
    }
    try {
      await expect(audited.locator('main h1').first()).toBeVisible();
      const results = await new AxeBuilder({ page: audited }).analyze();
      // Sanity: axe did run its rules on this page.
      expect(results.passes.length).toBeGreaterThan(10);
      const summary = results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      }));
      expect(summary, JSON.stringify(summary, null, 2)).toEqual([]);
    } finally {
      if (audited !== page) await audited.context().close();
    }
  });
}
