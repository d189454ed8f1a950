import { test, expect, horizontalOverflow, FIRE_URL } from './support';

// At 390×844 (a phone), nothing may push the page sideways.
const pages = ['/', '/services/kakaotalk', FIRE_URL, '/history', '/history?lang=en', `${FIRE_URL}?lang=en`];

for (const url of pages) {
  test(`no horizontal scroll on ${url} at 390×844`, async ({ page, open }) => {
    await open(url);
    await expect(page.locator('main h1').first()).toBeVisible();
    const viewport = page.viewportSize()!;
    expect(viewport.width).toBe(390);
    expect(await page.evaluate(() => document.documentElement.clientWidth)).toBeLessThanOrEqual(390);
    expect(await horizontalOverflow(page), 'scrollWidth - clientWidth').toBeLessThanOrEqual(0);
    // Scrolling sideways must not move the page either.
    await page.evaluate(() => window.scrollTo(200, 0));
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
  });
}
