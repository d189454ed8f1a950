import { test, expect } from './support';

for (const url of ['/nope', '/services/nope', '/incidents/nope', '/services/kakaotalk/extra']) {
  test(`a wrong address (${url}) is a 404 page in Korean`, async ({ page, open }) => {
    const response = await open(url);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('페이지를 찾을 수 없습니다');
    await expect(page.locator('main .error-page')).toContainText('주소가 바뀌었거나 없는 페이지입니다.');
    await expect(page).toHaveTitle('페이지를 찾을 수 없습니다');
    // The header is still there, and a way back.
    await expect(page.locator('header nav').getByRole('link', { name: '장애 기록' })).toBeVisible();
    const back = page.getByRole('link', { name: '현재 상태로 돌아가기' });
    await expect(back).toHaveAttribute('href', '/');
    await back.click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('main .banner h1')).toHaveText('모든 서비스 정상');
  });
}

test('the 404 page follows the chosen language', async ({ page, open }) => {
  const response = await open('/incidents/nope?lang=en');
  expect(response?.status()).toBe(404);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expect(page.getByRole('link', { name: 'Back to current status' })).toHaveAttribute('href', '/?lang=en');
});
