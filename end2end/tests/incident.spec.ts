import { test, expect, FIRE_ID, FIRE_URL, FIRE_TITLE_KO, kstTextKo } from './support';

const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

test.describe('the 2022-10-15 data-centre fire', () => {
  test('is reached from the history page by its link', async ({ page, open }) => {
    await open('/history');
    const link = page.locator('main .incident-card h3 a', { hasText: FIRE_TITLE_KO });
    await expect(link).toHaveCount(1);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/incidents/${FIRE_ID}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(FIRE_TITLE_KO);
    await expect(page).toHaveTitle(FIRE_TITLE_KO);
  });

  test('shows start, first notice, resolution and duration in Korea time', async ({ page, open }) => {
    const response = await open(FIRE_URL);
    expect(response?.status()).toBe(200);
    const facts = page.locator('main dl.facts');
    const fact = (term: string) => facts.locator(`dt:text-is("${term}") + dd`);

    await expect(fact('발생')).toHaveText('2022년 10월 15일 15:29 KST');
    await expect(fact('발생').locator('time')).toHaveAttribute('datetime', '2022-10-15T06:29:00Z');
    await expect(fact('첫 공지').locator('time')).toHaveAttribute('datetime', '2022-10-15T06:50:00Z');
    await expect(fact('첫 공지')).toHaveText('2022년 10월 15일 15:50 KST');
    await expect(fact('해결')).toHaveText('2022년 10월 20일 23:00 KST');
    await expect(fact('해결').locator('time')).toHaveAttribute('datetime', '2022-10-20T14:00:00Z');
    await expect(fact('지속 시간')).toHaveText('5일 7시간 31분');
    await expect(page.locator('main .meta .impact')).toHaveText('영향도 심각');
    await expect(page.locator('main .meta .state')).toHaveText('해결됨');
  });

  test('lists the affected features with their state in words', async ({ page, open }) => {
    await open(FIRE_URL);
    const affected = page.locator('main ul.affected > li');
    await expect(affected).toHaveCount(16);
    const messages = affected.filter({ hasText: '카카오톡 · 메시지 수발신 (일반·오픈채팅)' });
    await expect(messages).toHaveCount(1);
    await expect(messages.locator('.badge')).toHaveText('전면 장애');
  });

  test('shows the timeline newest first, with the 07:24 apology marked as an official apology', async ({ page, open }) => {
    await open(FIRE_URL);
    await expect(page.getByRole('heading', { level: 2, name: '경과' })).toBeVisible();
    const entries = page.locator('main ol.timeline > li > article.update');
    await expect(entries).toHaveCount(12);

    // Newest first.
    const times = await entries.locator('header time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
    expect(times).toHaveLength(12);
    expect([...times].sort().reverse(), 'timeline is newest first').toEqual(times);
    expect(times[times.length - 1]).toBe('2022-10-15T06:50:00Z');

    // The apology published on Twitter at 07:24 KST on 16 October.
    const apology = entries.filter({ has: page.locator('time[datetime="2022-10-15T22:24:00Z"]') });
    await expect(apology).toHaveCount(1);
    await expect(apology).toHaveClass(/\bkind-apology\b/);
    await expect(apology.locator('header time')).toHaveText('2022년 10월 16일 07:24 KST');
    await expect(apology.locator('header .official')).toHaveText('공식 사과');
    await expect(apology.locator('header .official')).toBeVisible();
    await expect(apology.locator('.official-label')).toHaveText('공식 입장');
    await expect(apology.locator('.text')).toContainText('완전한 복구가 지연되고 있는 점 다시 한번 사과드린다');
    // Published at the time, so not marked as written afterwards.
    await expect(apology.locator('.retro')).toHaveCount(0);

    // A routine update is not dressed up as an official statement.
    const routine = entries.filter({ has: page.locator('time[datetime="2022-10-15T12:40:00Z"]') });
    await expect(routine).toHaveCount(1);
    await expect(routine.locator('.official')).toHaveCount(0);
    await expect(routine.locator('header time')).toHaveText('2022년 10월 15일 21:40 KST');

    // The co-CEO's apology of 19 October is the other official apology.
    const official = entries.locator('header .official', { hasText: '공식 사과' });
    await expect(official).toHaveCount(2);
  });

  test('every <time> carries its moment in UTC and shows the same moment in KST', async ({ page, open }) => {
    await open(FIRE_URL);
    const times = await page
      .locator('main time')
      .evaluateAll((els) => els.map((e) => ({ datetime: e.getAttribute('datetime') ?? '', text: (e.textContent ?? '').trim() })));
    expect(times.length).toBeGreaterThan(12);
    for (const { datetime, text } of times) {
      expect(datetime, `datetime of "${text}"`).toMatch(UTC_SECONDS);
      // A record known only by its date (the government's finding of 6 December 2022)
      // shows the date alone, never an invented clock time.
      const full = kstTextKo(datetime);
      expect([full, full.replace(/ \d{2}:\d{2} KST$/, '')], `text of ${datetime}`).toContain(text);
    }
    expect(times.map((t) => t.text)).toContain('2022년 12월 6일');
    expect(times.map((t) => t.datetime)).toContain('2022-10-15T06:29:00Z');
  });

  test('links back to the whole history', async ({ page, open }) => {
    await open(FIRE_URL);
    await page.getByRole('link', { name: '장애 기록 전체 보기' }).click();
    await expect(page).toHaveURL(/\/history$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('장애 기록');
  });
});
