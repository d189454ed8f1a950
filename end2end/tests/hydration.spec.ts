import type { ConsoleMessage, Request } from '@playwright/test';
import { test, expect } from './support';

// Only run in the `js` project (see playwright.config.ts).

test.describe('hydration', () => {
  test('the app hydrates without console errors or page errors', async ({ page, open }) => {
    const problems: string[] = [];
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    // The bundle's name carries its content hash (status.<hash>.wasm).
    const wasm = page.waitForResponse((r) => /^\/pkg\/status\.[\w-]+\.wasm$/.test(new URL(r.url()).pathname));

    await open('/');
    expect((await wasm).status()).toBe(200);
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
    await expect(page.locator('main .banner h1')).toHaveText('모든 서비스 정상');
  });

  test('the page loads itself again every 30 seconds without reloading', async ({ page, open }) => {
    await page.clock.install();
    await open('/');
    await page.evaluate(() => ((window as unknown as { __e2eMarker: string }).__e2eMarker = 'still here'));
    // The island loads the open page again (not a document navigation: a fetch).
    const refresh = page.waitForRequest((r) => new URL(r.url()).pathname === '/' && r.resourceType() === 'fetch', {
      timeout: 10_000,
    });
    await page.clock.fastForward(31_000);
    const request = await refresh;
    expect(request.method()).toBe('GET');
    expect((await request.response())?.status()).toBe(200);
    await expect(page.locator('main .banner h1')).toHaveText('모든 서비스 정상');
    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: string }).__e2eMarker)).toBe('still here');
  });

  test('the header links load pages in place, without reloading the document', async ({ page, open }) => {
    await open('/');
    await page.evaluate(() => ((window as unknown as { __e2eMarker: string }).__e2eMarker = 'still here'));
    const documents: Request[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'document') documents.push(request);
    });

    await page.locator('header nav').getByRole('link', { name: '장애 기록' }).click();
    await expect(page).toHaveURL(/\/history$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('장애 기록');
    await expect(page.locator('main .incident-card')).toHaveCount(5);
    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: string }).__e2eMarker)).toBe('still here');
    expect(documents.map((r) => r.url())).toEqual([]);
    await expect(page).toHaveTitle(/^장애 기록 · /);

    // Back goes back on the client too.
    await page.goBack();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('main .banner h1')).toHaveText('모든 서비스 정상');
    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: string }).__e2eMarker)).toBe('still here');
    expect(documents.map((r) => r.url())).toEqual([]);
  });

  test('switching language on the client updates the text and <html lang> in place', async ({ page, open }) => {
    await open('/');
    await page.evaluate(() => ((window as unknown as { __e2eMarker: string }).__e2eMarker = 'still here'));
    await page.locator('header a.lang-switch').click();
    await expect(page).toHaveURL(/\/\?lang=en$/);
    await expect(page.locator('main .banner h1')).toHaveText('All systems operational');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('header a.lang-switch')).toHaveText('한국어');
    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: string }).__e2eMarker)).toBe('still here');
    // The header's links now carry the language, as they do on a server-rendered English page.
    await expect(page.locator('header nav').getByRole('link', { name: 'Incident history' })).toHaveAttribute(
      'href',
      '/history?lang=en',
    );
    await expect(page.locator('header a.site-name')).toHaveAttribute('href', '/?lang=en');
  });
});
