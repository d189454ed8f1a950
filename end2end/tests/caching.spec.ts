import { test, expect } from './support';

// Build outputs (stylesheet, script, WebAssembly) carry their content hash in their name,
// so a browser keeps them for a year without asking again; a new build has new names.
// What has no hash in its name (the pages, the icon) is checked again on every visit.
const YEAR = 'public, max-age=31536000, immutable';

test('the build outputs a page names are content-hashed and cached for a year', async ({ request }) => {
  const page = await request.get('/');
  expect(page.status()).toBe(200);
  expect(page.headers()['cache-control'] ?? '').not.toContain('immutable');
  const html = await page.text();

  const named = (pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]);
  const stylesheets = named(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g);
  // The island loader names the script and the bundle (no preload hints: issue 14).
  const scripts = named(/"(\/pkg\/[^"]+\.js)"/g);
  const bundles = named(/"(\/pkg\/[^"]+\.wasm)"/g);
  expect(stylesheets).toEqual([expect.stringMatching(/^\/pkg\/status\.[\w-]{22}\.css$/)]);
  expect(scripts).toEqual([expect.stringMatching(/^\/pkg\/status\.[\w-]{22}\.js$/)]);
  expect(bundles).toEqual([expect.stringMatching(/^\/pkg\/status\.[\w-]{22}\.wasm$/)]);

  for (const href of [...stylesheets, ...scripts, ...bundles]) {
    const asset = await request.get(href);
    expect(asset.status(), href).toBe(200);
    expect(asset.headers()['cache-control'], href).toBe(YEAR);
  }

  const icon = await request.get('/favicon.svg');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['cache-control']).not.toContain('immutable');
});
