import { test, expect } from './support';

test('loading the home page requests nothing from another origin', async ({ page, baseURL, javaScriptEnabled, settle }) => {
  const origin = new URL(baseURL!).origin;
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));

  await page.goto('/');
  await settle();
  await page.waitForLoadState('networkidle');

  // The recorder saw the page and its stylesheet (and, with JavaScript, the app itself),
  // each build output under its content-hashed name.
  const paths = requested.map((u) => new URL(u).pathname);
  expect(paths).toContain('/');
  const hashed = (ext: string) => new RegExp(`^/pkg/status\\.[\\w-]{22}\\.${ext}$`);
  expect(paths.filter((p) => hashed('css').test(p))).toHaveLength(1);
  if (javaScriptEnabled) {
    expect(paths.filter((p) => hashed('js').test(p))).toHaveLength(1);
    expect(paths.filter((p) => hashed('wasm').test(p))).toHaveLength(1);
  }
  const foreign = requested.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
  expect(foreign, 'requests to other origins').toEqual([]);
  // Nothing in the page points the browser elsewhere for fonts, scripts or styles either.
  const external = await page.evaluate((own) =>
    [...document.querySelectorAll<HTMLElement>('script[src], link[href], img[src], iframe[src]')]
      .map((el) => (el as HTMLScriptElement).src || (el as HTMLLinkElement).href)
      .filter((u) => u && new URL(u, location.href).origin !== own),
  origin);
  expect(external).toEqual([]);
});
