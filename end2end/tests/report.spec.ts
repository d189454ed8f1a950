// "It's broken for me": two taps from the home page, one from a service page; a repeat is
// thanked, not counted; the service page shows what users report, apart from the
// official status. Each project reports a different service (same address and browser).
import { test, expect } from './support';

test('two taps from the home page report a problem, and a repeat is answered politely', async ({ page, open, settle, javaScriptEnabled }) => {
  const service = javaScriptEnabled ? { slug: 'kakaomap', name: '카카오맵', problem: '길찾기' } : { slug: 'kakaot', name: '카카오T', problem: '택시 호출' };
  await open('/');
  const report = page.locator('section.report');
  await expect(report.getByRole('heading', { name: '문제가 있나요?' })).toBeVisible();
  // Tap 1: the service.
  await report.getByRole('link', { name: service.name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/report/${service.slug}$`));
  await settle();
  // Tap 2: what is wrong.
  await page.getByRole('button', { name: service.problem }).click();
  await expect(page).toHaveURL(new RegExp(`/report/${service.slug}/thanks\\?result=counted$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('제보해 주셔서 고맙습니다. 제보가 집계되었습니다.');
  await expect(page.locator('.thanks .crowd-count')).toHaveText(/^[1-9]\d*$/);

  await open(`/services/${service.slug}`);
  await page.getByRole('button', { name: service.problem }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/이미 제보하셨습니다/);
});

test('the service page shows user reports as a chart with a table, apart from the official status', async ({ page, open }) => {
  await open('/services/kakaotalk');
  const panel = page.locator('section.crowd-panel');
  await expect(panel.getByRole('heading', { name: '사용자 제보' })).toBeVisible();
  await expect(panel.locator('.crowd-note')).toContainText('공식 상태가 아닙니다');
  const chart = panel.getByRole('img', { name: /지난 24시간 사용자 제보/ });
  await expect(chart).toBeVisible();
  await panel.getByText('표로 보기').click();
  await expect(panel.locator('table tbody tr')).toHaveCount(24);
  await expect(page.getByLabel('지역 (선택)')).toBeVisible();
});
