import { test, expect, readCatalog, STATUS_TEXT_KO } from './support';

const catalog = readCatalog();

test.describe('home page', () => {
  test('the catalog file has the six Kakao services', () => {
    // Guards the reader itself: if it silently read nothing, the tests below would be empty.
    expect(catalog.services.map((s) => s.name_ko)).toEqual(['카카오톡', '카카오페이', '카카오T', '카카오맵', '다음', '카카오계정']);
    expect(catalog.services.map((s) => s.slug)).toEqual(['kakaotalk', 'kakaopay', 'kakaot', 'kakaomap', 'daum', 'kakao-account']);
  });

  test('shows the overall banner in words', async ({ page, open }) => {
    const response = await open('/');
    expect(response?.status()).toBe(200);
    await expect(page).toHaveTitle(catalog.name_ko);
    const banner = page.locator('main .banner');
    await expect(banner).toBeVisible();
    await expect(banner).toHaveAttribute('role', 'status');
    await expect(banner.getByRole('heading', { level: 1 })).toHaveText('모든 서비스 정상');
    await expect(page.locator('header .site-name')).toContainText(catalog.name_ko);
  });

  test('lists every service of the catalog with its components and their status in words', async ({ page, open }) => {
    await open('/');
    const cards = page.locator('main .services > article.service-card');
    await expect(cards).toHaveCount(catalog.services.length);

    for (const [index, service] of catalog.services.entries()) {
      const card = cards.nth(index);
      const link = card.locator('.service-head h3 a');
      await expect(link).toHaveText(service.name_ko);
      await expect(link).toHaveAttribute('href', `/services/${service.slug}`);
      // The service's own status, as text.
      await expect(card.locator('.service-head .badge')).toHaveText('정상');

      const components = card.locator('ul.components > li.component');
      await expect(components, `${service.slug}: components`).toHaveCount(service.components.length);
      await expect(components.locator('.component-name')).toHaveText(service.components.map((c) => c.name_ko));
      for (let i = 0; i < service.components.length; i++) {
        const badge = components.nth(i).locator('.badge');
        await expect(badge).toBeVisible();
        const text = (await badge.innerText()).trim();
        expect(STATUS_TEXT_KO, `${service.slug}/${service.components[i].slug} status text`).toContain(text);
        // The banner says every service is operational, so every component must say so too.
        expect(text).toBe('정상');
      }
    }
  });

  test('each service has a 90-day bar of 90 day cells', async ({ page, open }) => {
    await open('/');
    const cards = page.locator('main .services > article.service-card');
    await expect(cards).toHaveCount(catalog.services.length);
    for (const [index, service] of catalog.services.entries()) {
      const card = cards.nth(index);
      // Named by the group around it: "카카오톡 · 최근 90일 가동률".
      const uptime = card.getByRole('group', { name: `${service.name_ko} · 최근 90일 가동률`, exact: true });
      const bar = uptime.locator('ol.bar');
      await expect(bar).toHaveCount(1);
      await expect(bar.locator(':scope > li.day'), `${service.slug}: day cells`).toHaveCount(90);
      await expect(card.locator('.uptime-head')).toContainText('최근 90일 가동률');
      await expect(card.locator('.uptime-head strong')).toHaveText(/^\d{1,3}(\.\d{2})?%$/);
      // Cells take up room: a bar that collapsed to nothing would show no days at all.
      const box = await bar.locator(':scope > li.day').first().boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(1);
      expect(box?.height ?? 0).toBeGreaterThan(10);
    }
  });

  test('a service card leads to the service page', async ({ page, open }) => {
    await open('/');
    await page.locator('main .service-card h3 a', { hasText: '카카오톡' }).click();
    await expect(page).toHaveURL(/\/services\/kakaotalk$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('카카오톡');
    const kakaotalk = catalog.services.find((s) => s.slug === 'kakaotalk')!;
    const bars = page.locator('main .component-bars > article.component-bar');
    await expect(bars).toHaveCount(kakaotalk.components.length);
    await expect(bars.locator('h3')).toHaveText(kakaotalk.components.map((c) => c.name_ko));
    for (let i = 0; i < kakaotalk.components.length; i++) {
      await expect(bars.nth(i).locator('ol.bar > li.day')).toHaveCount(90);
    }
    // The service's incident history includes the 2022 data-centre fire.
    await expect(page.locator('main .incident-card h3 a', { hasText: '판교 데이터센터 화재' })).toBeVisible();
  });
});
