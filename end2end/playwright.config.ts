import { defineConfig } from '@playwright/test';

// The server is started by whoever runs the suite (see run.sh); this file only says
// where it is. Chromium is Debian's: `npx playwright install` is never used.
const baseURL = process.env.BASE_URL || 'http://127.0.0.1:3217';

export default defineConfig({
  testDir: 'tests',
  timeout: 30_000,
  expect: { timeout: 7_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  workers: 2,
  retries: 0,
  // `list` ends with the count of passed / failed / skipped tests.
  reporter: 'list',
  use: {
    baseURL,
    browserName: 'chromium',
    viewport: { width: 390, height: 844 },
    locale: 'ko-KR',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
  projects: [
    {
      name: 'js',
      use: { javaScriptEnabled: true },
      testIgnore: /console\.spec\.ts$/,
    },
    {
      name: 'nojs',
      use: { javaScriptEnabled: false },
      // Hydration and client-side navigation only exist with JavaScript on.
      testIgnore: [/hydration\.spec\.ts$/, /console\.spec\.ts$/],
    },
    // The console changes the public state, so it runs after the public-page suites,
    // one project at a time.
    {
      name: 'console-js',
      use: { javaScriptEnabled: true },
      testMatch: /console\.spec\.ts$/,
      dependencies: ['js', 'nojs'],
    },
    // html-validate runs here a second time (first in nojs): on the state the console
    // tests leave, with today's incidents in the uptime bars and the reports of report.spec.
    {
      name: 'console-nojs',
      use: { javaScriptEnabled: false },
      testMatch: [/console\.spec\.ts$/, /html-validate\.spec\.ts$/],
      dependencies: ['console-js'],
    },
  ],
});
