import { test, expect } from './support';

test('loading the home page requests nothing from another origin', async ({ page, baseURL, javaScriptEnabled, settle }) => {
  const origin = new URL(baseURL!).origin;
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));

  await page.goto('/');
  await settle();
  await page.waitForLoadState('networkidle');

  // The recorder saw the page and its stylesheet (and, with JavaScript, the app itself).
  expect(requested.map((u) => new URL(u).pathname)).toEqual(expect.arrayContaining(['/', '/pkg/status.css']));
  if (javaScriptEnabled) {
    expect(requested.map((u) => new URL(u).pathname)).toEqual(expect.arrayContaining(['/pkg/status.js', '/pkg/status.wasm']));
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
