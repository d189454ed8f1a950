import type { Page } from '@playwright/test';
import { test, expect, FIRE_TITLE_KO } from './support';

/** Each month group on the page: its heading and the start times of its incidents. */
async function monthGroups(page: Page) {
  return page.locator('main section.month').evaluateAll((sections) =>
    sections.map((section) => ({
      heading: section.querySelector('h2')?.textContent?.trim() ?? '',
      titles: [...section.querySelectorAll('.incident-card h3 a')].map((a) => a.textContent?.trim() ?? ''),
      starts: [...section.querySelectorAll('.incident-card .when time:first-of-type')].map(
        (t) => t.getAttribute('datetime') ?? '',
      ),
    })),
  );
}

/** "2022-10-15T06:29:00Z" → "2022년 10월" (the month in Korea time). */
function kstMonthKo(isoUtc: string): string {
  const t = new Date(new Date(isoUtc).getTime() + 9 * 3600_000);
  return `${t.getUTCFullYear()}년 ${t.getUTCMonth() + 1}월`;
}

async function applyFilter(page: Page, settle: () => Promise<void>, choice: { service?: string; year?: string }) {
  const form = page.locator('main form.filters');
  if (choice.service !== undefined) await form.getByLabel('서비스').selectOption(choice.service);
  if (choice.year !== undefined) await form.getByLabel('연도').selectOption(choice.year);
  await Promise.all([page.waitForURL(/\/history\?/), form.getByRole('button', { name: '적용' }).click()]);
  await settle();
}

test.describe('incident history', () => {
  test('lists every incident newest first, grouped by month', async ({ page, open }) => {
    const response = await open('/history');
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('장애 기록');
    await expect(page.locator('main .count')).toHaveText('5건');

    const groups = await monthGroups(page);
    expect(groups.map((g) => g.heading)).toEqual(['2022년 10월', '2022년 9월', '2021년 7월', '2021년 5월']);
    const starts = groups.flatMap((g) => g.starts);
    expect(starts).toHaveLength(5);
    expect([...starts].sort().reverse(), 'newest first').toEqual(starts);
    for (const group of groups) {
      for (const start of group.starts) expect(kstMonthKo(start), `${start} under ${group.heading}`).toBe(group.heading);
    }
    expect(groups[0].titles[0]).toBe(FIRE_TITLE_KO);
    await expect(page.locator('main nav.pager')).toContainText('페이지 1 / 1');
  });

  test('filters by service with the select and the Apply button', async ({ page, open, settle }) => {
    await open('/history');
    await applyFilter(page, settle, { service: 'kakaopay' });
    await expect(page).toHaveURL(/[?&]service=kakaopay(&|$)/);
    await expect(page.locator('main .count')).toHaveText('1건');
    const cards = page.locator('main .incident-card');
    await expect(cards).toHaveCount(1);
    await expect(cards.locator('h3 a')).toHaveText(FIRE_TITLE_KO);
    await expect(cards.locator('.services')).toContainText('카카오페이');
    // The form shows the filter that is in force.
    await expect(page.locator('main form.filters select[name="service"]')).toHaveValue('kakaopay');
  });

  test('filters by year', async ({ page, open, settle }) => {
    await open('/history');
    await applyFilter(page, settle, { year: '2021' });
    await expect(page).toHaveURL(/[?&]year=2021(&|$)/);
    await expect(page.locator('main .count')).toHaveText('2건');
    await expect(page.locator('main .incident-card')).toHaveCount(2);
    const groups = await monthGroups(page);
    expect(groups.map((g) => g.heading)).toEqual(['2021년 7월', '2021년 5월']);
    for (const start of groups.flatMap((g) => g.starts)) expect(start.startsWith('2021-')).toBe(true);
    await expect(page.locator('main form.filters select[name="year"]')).toHaveValue('2021');
  });

  test('filters by service and year together', async ({ page, open, settle }) => {
    await open('/history');
    await applyFilter(page, settle, { service: 'kakaotalk', year: '2022' });
    await expect(page.locator('main .count')).toHaveText('3건');
    const cards = page.locator('main .incident-card');
    await expect(cards).toHaveCount(3);
    for (let i = 0; i < 3; i++) await expect(cards.nth(i).locator('.services')).toContainText('카카오톡');
  });

  test('a service without incidents says so', async ({ page, open }) => {
    const response = await open('/history?service=kakao-account');
    expect(response?.status()).toBe(200);
    await expect(page.locator('main .count')).toHaveText('0건');
    await expect(page.locator('main .empty')).toHaveText('조건에 맞는 장애 기록이 없습니다.');
    await expect(page.locator('main .incident-card')).toHaveCount(0);
  });

  const badFilters: Array<[string, string]> = [
    ['/history?year=abc', "'abc'는 올바른 연도가 아닙니다. 2022처럼 네 자리 숫자로 적어 주세요."],
    ['/history?page=0', "'0'는 올바른 페이지 번호가 아닙니다. 1 이상의 정수여야 합니다."],
    ['/history?service=nope', "'nope'라는 서비스는 없습니다. 목록에서 서비스를 고르세요."],
    ['/history?page=99', '99 페이지는 없습니다. 전체 1 페이지입니다.'],
  ];
  for (const [url, reason] of badFilters) {
    test(`a bad filter (${url}) is a 400 page that says why`, async ({ page, open }) => {
      const response = await open(url);
      expect(response?.status()).toBe(400);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('잘못된 요청입니다');
      await expect(page.locator('main .error-page .reason')).toHaveText(reason);
      await expect(page).toHaveTitle('잘못된 요청입니다');
      await expect(page.locator('main .incident-card')).toHaveCount(0);
      await expect(page.getByRole('link', { name: '현재 상태로 돌아가기' })).toHaveAttribute('href', '/');
    });
  }
});
