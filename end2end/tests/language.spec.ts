import { test, expect, readCatalog, FIRE_ID, FIRE_TITLE_EN } from './support';

const catalog = readCatalog();

test.describe('language: Korean by default', () => {
  test('the page is Korean and says so in <html lang>', async ({ page, open }) => {
    await open('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
    await expect(page.locator('main .banner h1')).toHaveText('모든 서비스 정상');
    const nav = page.locator('header nav');
    await expect(nav.getByRole('link', { name: '현재 상태' })).toBeVisible();
    await expect(nav.getByRole('link', { name: '장애 기록' })).toBeVisible();
  });

  test('the English switch turns the page English, and the next link keeps English', async ({ page, open, settle }) => {
    await open('/');
    const switchLink = page.locator('header a.lang-switch');
    await expect(switchLink).toBeVisible();
    await expect(switchLink).toHaveText('English');
    await expect(switchLink).toHaveAttribute('hreflang', 'en');

    await switchLink.click();
    await expect(page).toHaveURL(/\/\?lang=en$/);
    await settle();
    await expect(page.locator('main .banner h1')).toHaveText('All systems operational');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('main .service-card h3 a')).toHaveText(catalog.services.map((s) => s.name_en));
    await expect(page.locator('main .service-card').first().locator('.component-name')).toHaveText(
      catalog.services[0].components.map((c) => c.name_en),
    );
    await expect(page).toHaveTitle(catalog.name_en);
    // The switch now offers Korean.
    await expect(switchLink).toHaveText('한국어');

    // Following the header's link to the history keeps English.
    const historyLink = page.locator('header nav').getByRole('link', { name: 'Incident history' });
    await expect(historyLink).toBeVisible();
    await historyLink.click();
    await expect(page).toHaveURL(/\/history\?lang=en$/);
    await settle();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Incident history');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });

  test('following links from an English page keeps English', async ({ page, open, settle }) => {
    await open('/?lang=en');
    await expect(page.locator('main .banner h1')).toHaveText('All systems operational');

    // A service card.
    await page.locator('main .service-card h3 a', { hasText: 'KakaoTalk' }).click();
    await expect(page).toHaveURL(/\/services\/kakaotalk\?lang=en$/);
    await settle();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('KakaoTalk');
    await expect(page.locator('main .lead')).toHaveText(catalog.services[0].description_en);

    // The header's history link.
    await page.locator('header nav').getByRole('link', { name: 'Incident history' }).click();
    await expect(page).toHaveURL(/\/history\?lang=en$/);
    await settle();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Incident history');
    await expect(page.locator('main section.month h2').first()).toHaveText('October 2022');

    // An incident in the list.
    await page.locator('main .incident-card h3 a', { hasText: FIRE_TITLE_EN }).click();
    await expect(page).toHaveURL(new RegExp(`/incidents/${FIRE_ID}\\?lang=en$`));
    await settle();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(FIRE_TITLE_EN);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('main dl.facts dt').first()).toHaveText('Started');
    await expect(page.locator('main dl.facts dd').first()).toHaveText('15 Oct 2022, 15:29 KST');
    await expect(
      page.locator('main article.kind-apology', { has: page.locator('time[datetime="2022-10-15T22:24:00Z"]') }).locator('.official'),
    ).toHaveText('Official apology');

    // The header's home link.
    await page.locator('header nav').getByRole('link', { name: 'Current status' }).click();
    await expect(page).toHaveURL(/\/\?lang=en$/);
    await settle();
    await expect(page.locator('main .banner h1')).toHaveText('All systems operational');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });

  test('the English history keeps English through the filter form', async ({ page, open, settle }) => {
    await open('/history?lang=en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    const form = page.locator('main form.filters');
    await form.locator('select[name="year"]').selectOption('2021');
    await Promise.all([page.waitForURL(/year=2021/), form.getByRole('button', { name: 'Apply' }).click()]);
    await settle();
    await expect(page).toHaveURL(/[?&]lang=en(&|$)/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Incident history');
    await expect(page.locator('main section.month h2')).toHaveText(['July 2021', 'May 2021']);
  });

  test('a bad filter is explained in English when English is chosen', async ({ page, open }) => {
    const response = await open('/history?year=abc&lang=en');
    expect(response?.status()).toBe(400);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bad request');
    await expect(page.locator('main .reason')).toHaveText("'abc' is not a year. Use four digits, such as 2022.");
  });
});

test.describe('language: an English-speaking browser', () => {
  test.use({ locale: 'en-US' });

  test('Accept-Language: en-US gives English without the switch', async ({ page, open }) => {
    const response = await open('/');
    expect(await response?.request().headerValue('accept-language')).toMatch(/^en-US/);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('main .banner h1')).toHaveText('All systems operational');
    await expect(page.locator('main .service-card h3 a')).toHaveText(catalog.services.map((s) => s.name_en));
    const switchLink = page.locator('header a.lang-switch');
    await expect(switchLink).toHaveText('한국어');
    await expect(switchLink).toHaveAttribute('lang', 'ko');
  });

  test('the switch still turns the page Korean, and Korean sticks while browsing', async ({ page, open, settle }) => {
    await open('/');
    await page.locator('header a.lang-switch').click();
    await expect(page).toHaveURL(/\/\?lang=ko$/);
    await settle();
    await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
    await expect(page.locator('main .banner h1')).toHaveText('모든 서비스 정상');
    await page.locator('header nav').getByRole('link', { name: '장애 기록' }).click();
    await expect(page).toHaveURL(/\/history\?lang=ko$/);
    await settle();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('장애 기록');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  });
});

test.describe('language: Accept-Language set on the request', () => {
  // The context's locale (ko-KR) decides Chromium's own Accept-Language, and it wins
  // over extraHTTPHeaders; so the header is replaced on the way out instead. French
  // first with English as a fallback must still give English (Korean is not named).
  test.beforeEach(async ({ page }) => {
    await page.route('**/*', (route) =>
      route.continue({ headers: { ...route.request().headers(), 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.3' } }),
    );
  });

  test('an English Accept-Language header is honoured on every page', async ({ page, open }) => {
    const response = await open('/services/kakaotalk');
    expect(await response?.request().headerValue('accept-language')).toBe('fr-FR,fr;q=0.9,en;q=0.3');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('KakaoTalk');
    await expect(page.locator('main .lead')).toHaveText(catalog.services[0].description_en);

    await open('/history');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Incident history');

    const notFound = await open('/nope');
    expect(notFound?.status()).toBe(404);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  });
});
