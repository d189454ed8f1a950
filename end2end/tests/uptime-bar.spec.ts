import type { Locator, Page } from '@playwright/test';
import { test, expect, parseKoDate, todayKst, DAY_MS, horizontalOverflow } from './support';

// A day cell's label (date · availability · state) is its accessible name, and CSS draws
// it as the cell's tooltip (::after) while the cell is hovered or focused. Days with
// incidents carry a real tooltip element with links instead.
const LABEL = /^\d{4}년 \d{1,2}월 \d{1,2}일 · 가동률 \d{1,3}(\.\d{2})?% · (정상|점검 중|성능 저하|부분 장애|전면 장애)$/;

async function tooltip(cell: Locator): Promise<{ content: string; width: number }> {
  return cell.evaluate((el) => {
    const after = getComputedStyle(el, '::after');
    const tip = el.querySelector('.tip');
    if (tip) return { content: (tip as HTMLElement).innerText, width: tip.getBoundingClientRect().width };
    return { content: after.content, width: parseFloat(after.width) || 0 };
  });
}

async function expectTooltipShown(page: Page, cell: Locator) {
  const label = (await cell.getAttribute('aria-label')) ?? '';
  expect(label).toMatch(LABEL);
  await expect.poll(async () => (await tooltip(cell)).width, { message: 'tooltip width once focused' }).toBeGreaterThan(60);
  const shown = await tooltip(cell);
  expect(shown.content, 'the tooltip says the date and the availability').toContain(label.split(' · ')[0]);
  expect(shown.content).toContain('가동률');
  expect(await horizontalOverflow(page), 'the tooltip stays inside the phone screen').toBeLessThanOrEqual(0);
}

async function expectTooltipHidden(cell: Locator) {
  const { width, content } = await tooltip(cell);
  expect(width <= 1 || content === 'none' || content === 'normal', 'no tooltip while the day is not focused').toBe(true);
}

test.describe('90-day bar', () => {
  test("a day cell is reached with the Tab key and shows that day's availability", async ({ page, open }) => {
    await open('/');
    const cells = page.locator('main .service-card').first().locator('ol.bar > li.day');
    const firstCell = cells.first();
    await expectTooltipHidden(firstCell);

    // Tab from the top of the page until a day cell has the focus.
    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.matches('li.day') ?? false);
    }
    expect(reached, 'a day cell can be reached with Tab').toBe(true);
    // The first day cell reached is the oldest day of the first service (카카오톡).
    await expect(firstCell).toBeFocused();
    await expectTooltipShown(page, firstCell);

    // The next Tab moves to the next day: its tooltip shows, the previous one hides.
    await page.keyboard.press('Tab');
    const secondCell = cells.nth(1);
    await expect(secondCell).toBeFocused();
    await expectTooltipShown(page, secondCell);
    await expectTooltipHidden(firstCell);
    const first = parseKoDate((await firstCell.getAttribute('aria-label'))!);
    const second = parseKoDate((await secondCell.getAttribute('aria-label'))!);
    expect(second.getTime() - first.getTime(), 'consecutive cells are consecutive days').toBe(DAY_MS);
  });

  test('focusing a cell shows its date and availability; the bar spans the last 90 days', async ({ page, open }) => {
    await open('/');
    const cells = page.locator('main .service-card').nth(2).locator('ol.bar > li.day');
    await expect(cells).toHaveCount(90);

    for (const index of [0, 45, 89]) {
      const cell = cells.nth(index);
      await expectTooltipHidden(cell);
      await cell.focus();
      await expect(cell).toBeFocused();
      await expectTooltipShown(page, cell);
    }

    const oldest = parseKoDate((await cells.nth(0).getAttribute('aria-label'))!);
    const newest = parseKoDate((await cells.nth(89).getAttribute('aria-label'))!);
    expect((newest.getTime() - oldest.getTime()) / DAY_MS, 'first and last cell are 89 days apart').toBe(89);
    // The last cell is today in Korea (or yesterday, right around midnight KST).
    const lag = (todayKst().getTime() - newest.getTime()) / DAY_MS;
    expect(lag === 0 || lag === 1, `the newest cell (${newest.toISOString().slice(0, 10)}) is today in KST`).toBe(true);
  });

  test('the service page bars work from the keyboard too', async ({ page, open }) => {
    await open('/services/kakaotalk');
    const cell = page.locator('main .component-bars ol.bar').first().locator('li.day').nth(60);
    await cell.focus();
    await expect(cell).toBeFocused();
    await expectTooltipShown(page, cell);
  });
});
