// The regulator's path: filter the history, open the 2022-10-15 incident's report, print
// it to PDF, and read the PDF back (pdftotext): the timeline and figures are in it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, expect, FIRE_TITLE_KO } from './support';

test.describe('incident report and availability', () => {
  test('from the filtered history to the 2022-10-15 report, printed to an A4 PDF', async ({
    page,
    open,
    settle,
    javaScriptEnabled,
  }) => {
    await open('/history');
    const form = page.locator('main form.filters');
    await form.getByLabel('서비스').selectOption('kakaomap');
    await form.getByLabel('연도').selectOption('2022');
    await Promise.all([page.waitForURL(/\/history\?/), form.getByRole('button', { name: '적용' }).click()]);
    await settle();
    await expect(page.locator('main .count')).toHaveText('1건');
    await page.getByRole('link', { name: FIRE_TITLE_KO }).click();
    await page.waitForURL(/\/incidents\/2022-10-15-pangyo-datacenter-fire$/);
    await settle();
    await page.getByRole('link', { name: /장애 보고서/ }).click();
    await page.waitForURL(/\/record$/);
    await settle();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(FIRE_TITLE_KO);
    await expect(page.locator('.tta')).toHaveText('21분');
    await expect(page.locator('.duty.standing-met h3')).toContainText('이용자 장애 고지');
    await expect(page.locator('.duty.standing-overdue h3')).toContainText('손해배상 고지');

    // Time to acknowledge names its ledger entries; following one lands on its row, which
    // shows the entry's hash.
    const source = page.locator('dd:has(.tta) .sources a').first();
    const target = (await source.getAttribute('href')) ?? '';
    expect(target).toMatch(/^#ledger-\d+$/);
    await source.click();
    await expect(page).toHaveURL(new RegExp(`${target}$`));
    const entry = page.locator(`li${target}`);
    await expect(entry).toBeInViewport();
    await expect(entry.locator('.hash')).toHaveText(/^[0-9a-f]{64}$/);

    // Chromium's PDF of the page as a browser prints it (print CSS, A4 from @page).
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: false });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-'));
    const file = path.join(dir, `fire-${javaScriptEnabled ? 'js' : 'nojs'}.pdf`);
    fs.writeFileSync(file, pdf);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    // A4 (595 × 842 points, as Chromium rounds it).
    expect(info).toMatch(/Page size:\s+59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)/);
    // Lines wrap where the page ends them: compare without white space.
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    for (const expected of [
      '장애 보고서',
      '최초 이용자 영향',
      '첫 공지',
      '21분',
      '완전한 복구가 지연되고 있는 점 다시 한번 사과드린다',
      '상담 접수 연락처',
      '이 기록의 원장 항목',
    ]) {
      expect(text, `the PDF holds ${expected}`).toContain(expected.replace(/\s+/g, ''));
    }
    // The site's frame is not printed.
    expect(text).not.toContain('이메일알림');
  });

  test('the availability overview has a chart and a table per service, and exports', async ({
    page,
    open,
    request,
  }) => {
    const response = await open('/availability?year=2022');
    expect(response?.status()).toBe(200);
    await expect(page.locator('section.service-year')).toHaveCount(6);
    await expect(page.locator('section.service-year svg.availability-chart')).toHaveCount(6);
    const talk = page.locator('section.service-year', { hasText: '카카오톡' }).first();
    // The year: (0.3 × 22 / 4 in September + 5,897.75 in October) of 525,600 minutes down.
    await expect(talk.locator('h2')).toContainText('98.87%');
    const october = talk.locator('table.figures').first().locator('tbody tr').nth(9);
    await expect(october.locator('th')).toHaveText('10월');
    await expect(october.locator('td').first()).toHaveText('86.78%');

    const csv = await request.get('/availability.csv?year=2022');
    expect(csv.headers()['content-type']).toContain('text/csv');
    const body = await csv.body();
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(body.toString('utf8')).toContain('카카오톡');
  });
});
