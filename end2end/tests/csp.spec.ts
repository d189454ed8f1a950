// The Content-Security-Policy, in a real browser: every page hydrates and opens its live
// stream under the policy the server sends, and Chromium reports no violation (a blocked
// inline script, style or connection would both break the page and be reported here).
import type { Page } from '@playwright/test';
import { test, expect, waitForHydration, FIRE_URL } from './support';

const ADMIN = process.env.E2E_ADMIN_NAME ?? '';
const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? '';

/** Collects what Chromium says about the policy: violation events and console errors. */
async function watchPolicy(page: Page): Promise<string[]> {
  const problems: string[] = [];
  // Injected by the test driver, not the page: the policy does not apply to it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI} (${event.sample})`);
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy|Refused to/.test(message.text())) {
      problems.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

test.describe('content security policy', () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'hydration only happens with JavaScript on');

  for (const path of ['/', '/services/kakaotalk', FIRE_URL, '/history', '/subscribe', '/?lang=en']) {
    test(`${path} hydrates and goes live under its policy with no violation`, async ({ page }) => {
      const problems = await watchPolicy(page);
      const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/events');
      const response = await page.goto(path);
      const policy = response?.headers()['content-security-policy'] ?? '';
      expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
      expect(policy).not.toContain('unsafe-inline');
      await waitForHydration(page);
      expect((await stream).status()).toBe(200);
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
    });
  }

  test('the staff console hydrates under its policy with no violation', async ({ page }) => {
    expect(ADMIN, 'scripts/test.sh creates the first admin and sets E2E_ADMIN_NAME').not.toBe('');
    const problems = await watchPolicy(page);
    await page.goto('/admin/signin');
    await waitForHydration(page);
    await page.getByLabel('계정 이름').fill(ADMIN);
    await page.getByLabel('비밀번호').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: '로그인' }).click();
    await expect(page.getByText('로그인했습니다.')).toBeVisible({ timeout: 20_000 });
    await expect(page).toHaveURL(/\/admin$/);
    const policy = (await page.request.get('/admin')).headers()['content-security-policy'] ?? '';
    expect(policy).toContain("frame-ancestors 'none'");
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
  });

  test('the widget is framable by another page and styled under its own policy', async ({ page, baseURL }) => {
    const problems = await watchPolicy(page);
    // A page of no origin of ours (about:blank) frames it, as another site would.
    await page.setContent(`<iframe src="${new URL('/embed', baseURL).href}" title="widget"></iframe>`);
    const frame = page.frameLocator('iframe');
    await expect(frame.locator('li').first()).toBeVisible();
    // The status pill has its colour from the hashed style sheet, not a style attribute.
    const colour = await frame.locator('.state').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(colour).not.toBe('rgba(0, 0, 0, 0)');
    expect(problems).toEqual([]);
  });
});
