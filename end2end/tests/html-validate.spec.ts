// The server-rendered HTML of every public page kind and every console page, as a
// reader without JavaScript gets it, checked by html-validate (`html-validate:recommended`):
// no errors. Fetched with the `request` fixture (no browser), so the `js` project skips it.
// It runs in `nojs` (the seeded history) and again in `console-nojs` (after the console
// tests: incidents of today in the bars' tips, user reports on the service pages). It
// changes no public state: the console part signs in (a ledger entry) and asks for a
// preview and for refusals, never publishes.
import { HtmlValidate, type ConfigData, type Message } from 'html-validate';
import type { APIRequestContext, APIResponse } from '@playwright/test';
import { test, expect, readCatalog, FIRE_ID, FIRE_URL } from './support';

const catalog = readCatalog();
const ADMIN = process.env.E2E_ADMIN_NAME ?? '';
const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? '';

const config: ConfigData = {
  extends: ['html-validate:recommended'],
  rules: {
    // A group of checkboxes sharing one name is how HTML sends a multi-valued field
    // (`services=a&services=b`; the server reads every value: `FormData::all`).
    // The rule's default only allows this for radio buttons and buttons.
    'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }],
  },
};
const validator = new HtmlValidate(config);

/**
 * What Leptos itself writes, set aside before validating (nothing of ours):
 * - `<!>`, the empty comments that mark where a dynamic child goes for hydration. The
 *   HTML parser reads them as (empty) comments; html-validate's tokenizer stops at the
 *   first one ("parser-error: failed to tokenize"), which would hide everything after it.
 */
function withoutLeptosArtifacts(html: string): string {
  return html.replaceAll('<!>', '');
}

/** "rule line:column message" and the source line around the spot, for each message. */
function explain(html: string, messages: Message[]): string {
  const lines = html.split('\n');
  return messages
    .map((m) => {
      const line = lines[m.line - 1] ?? '';
      const from = Math.max(0, m.column - 1 - 80);
      const snippet = line.slice(from, m.column - 1 + 120).trim();
      return `${m.ruleId} ${m.line}:${m.column} ${m.message}\n    at ${m.selector ?? '?'}\n    ${snippet}`;
    })
    .join('\n');
}

async function expectValid(response: APIResponse, status = 200) {
  const url = response.url();
  expect(response.status(), url).toBe(status);
  expect(response.headers()['content-type'] ?? '', url).toContain('text/html');
  const html = withoutLeptosArtifacts(await response.text());
  const report = await validator.validateString(html, url);
  const messages = report.results.flatMap((r) => r.messages).filter((m) => m.severity === 2);
  expect(messages.length, `html-validate on ${url}:\n${explain(html, messages)}`).toBe(0);
}

/** The incidents the API lists (newest first), ongoing or resolved. */
async function incidentIds(request: APIRequestContext): Promise<string[]> {
  const response = await request.get('/api/v1/incidents');
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { incidents: { id: string }[] };
  return body.incidents.map((i) => i.id);
}

// The same HTML is served with JavaScript on and off: not checked again with it on.
test.skip(({ javaScriptEnabled }) => javaScriptEnabled !== false, 'server-rendered HTML: checked in the nojs projects');

const publicPages: [string, number][] = [
  ['/', 200],
  ['/?lang=en', 200],
  ...catalog.services.map((s): [string, number] => [`/services/${s.slug}`, 200]),
  ['/services/kakaotalk?lang=en', 200],
  [FIRE_URL, 200],
  [`${FIRE_URL}?lang=en`, 200],
  ['/history', 200],
  ['/history?lang=en', 200],
  ['/history?service=kakaotalk', 200],
  ['/history?year=2022', 200],
  ['/history?service=kakao-account&year=2022&lang=en', 200],
  ['/history?year=abc', 400],
  ['/availability?year=2022', 200],
  ['/availability?year=2022&service=kakaot&lang=en', 200],
  ['/availability?year=1999', 400],
  ['/incidents/2022-10-15-pangyo-datacenter-fire/record', 200],
  ['/incidents/2022-10-15-pangyo-datacenter-fire/record?lang=en', 200],
  ['/report/kakaotalk', 200],
  ['/report/kakaotalk?lang=en', 200],
  ['/report/kakaotalk/thanks?result=counted', 200],
  ['/report/kakaotalk/thanks?result=repeat&lang=en', 200],
  ['/report/kakaotalk/thanks?result=saved', 200],
  ['/report/kakaotalk/thanks?result=saved&lang=en', 200],
  ['/subscribe', 200],
  ['/subscribe?lang=en', 200],
  ['/subscribe?done=sent', 200],
  ['/subscribe?error=email&lang=en', 200],
  ['/subscribe/confirm?token=0123456789abcdef', 200],
  ['/subscribe/confirm', 200],
  ['/unsubscribe?id=0123456789abcdef&lang=en', 200],
  ['/nope', 404],
  ['/services/nope', 404],
  ['/incidents/nope?lang=en', 404],
  ['/admin/signin', 200],
  ['/admin/signin?lang=en', 200],
  // Written by the server itself, not by Leptos.
  ['/api', 200],
  ['/api?lang=en', 200],
  ['/embed', 200],
  ['/embed/kakaotalk', 200],
];

test.describe('html-validate: public pages', () => {
  test('the title is escaped once (app::format::rcdata; Leptos 0.8 does not)', async ({ request }) => {
    expect(await (await request.get(FIRE_URL)).text()).toContain('<title>SK C&amp;C 판교');
  });

  for (const [url, status] of publicPages) {
    test(`no errors on ${url}`, async ({ request }) => {
      await expectValid(await request.get(url), status);
    });
  }

  test('no errors on the page refusing a report (an unknown region: nothing is counted)', async ({ request }) => {
    await expectValid(await request.post('/report/kakaotalk', { form: { problem: 'media', region: 'atlantis' } }), 400);
  });

  test('no errors on the other incident pages (from the API)', async ({ request }) => {
    const ids = await incidentIds(request);
    expect(ids).toContain(FIRE_ID);
    for (const id of ids.filter((id) => id !== FIRE_ID)) {
      await expectValid(await request.get(`/incidents/${id}`));
    }
  });
});

// ---------------------------------------------------------------------------
// The console, signed in as the admin scripts/test.sh creates.

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function signIn(staff: APIRequestContext) {
  const form = await staff.get('/admin/signin');
  const response = await staff.post('/admin/actions/signin', {
    form: { csrf: csrfOf(await form.text()), name: ADMIN, password: ADMIN_PASSWORD },
  });
  const html = await response.text();
  expect(response.url(), 'signed in, back on the dashboard').toMatch(/\/admin$/);
  expect(html).toContain('로그인했습니다.');
}

/** Now in Korea, as a datetime-local field wants it. */
function kstNow(): string {
  return new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 16);
}

test.describe('html-validate: the staff console', () => {
  // One sign-in (Argon2id, slow on purpose) for the pages below, in order in one worker.
  test.describe.configure({ mode: 'default', timeout: 60_000 });
  let staff: APIRequestContext;

  test.beforeAll(async ({ playwright }, info) => {
    expect(ADMIN, 'scripts/test.sh creates the first admin and sets E2E_ADMIN_NAME').not.toBe('');
    staff = await playwright.request.newContext({ baseURL: info.project.use.baseURL });
    await signIn(staff);
  });
  test.afterAll(async () => {
    await staff?.dispose();
  });

  const consolePages = [
    '/admin',
    '/admin?lang=en',
    '/admin/incidents/new',
    '/admin/incidents/new?template=investigating',
    `/admin/incidents/${FIRE_ID}`,
    `/admin/incidents/${FIRE_ID}?lang=en`,
    '/admin/maintenance/new',
    '/admin/users',
    '/admin/ledger',
    '/admin/webhooks',
    '/admin/webhooks?lang=en',
    // Signed in, the sign-in address still answers with a page of its own.
    '/admin/signin',
  ];
  for (const url of consolePages) {
    test(`no errors on ${url}`, async () => {
      await expectValid(await staff.get(url));
    });
  }

  test('no errors on every other incident desk (from the API)', async () => {
    for (const id of (await incidentIds(staff)).filter((id) => id !== FIRE_ID)) {
      await expectValid(await staff.get(`/admin/incidents/${id}`));
    }
  });

  test('no errors on the page refusing a stale console form', async () => {
    await expectValid(await staff.post('/admin/actions/post-update', { form: { csrf: 'stale', incident: FIRE_ID } }), 403);
  });

  test('no errors on the new-incident page with a preview, and with a refusal', async () => {
    const service = catalog.services[0];
    const fields = {
      title_ko: `html-validate 미리 보기 ${Date.now()}`,
      title_en: 'html-validate preview',
      impact: 'major',
      started_at: kstNow(),
      [`c.${service.slug}/${service.components[0].slug}`]: 'major_outage',
      kind: 'update',
      // Comes back inside a <textarea>, which Leptos does not escape (app::format::rcdata).
      body_ko: '미리 보기만 합니다. R&D </textarea><b>끝</b>',
      body_en: 'Preview only.',
      intent: 'preview',
    };
    const page = await staff.get('/admin/incidents/new');
    const csrf = csrfOf(await page.text());
    // A preview: nothing is published, the page shows what it would look like.
    const preview = await staff.post('/admin/actions/open-incident', { form: { csrf, ...fields } });
    expect(await preview.text()).toContain('class="preview"');
    await expectValid(preview);
    // A refusal: the fields come back with their errors next to them.
    const refused = await staff.post('/admin/actions/open-incident', {
      form: { csrf, ...fields, title_ko: '', started_at: 'not a time' },
    });
    const html = await refused.text();
    expect(html).toContain('aria-invalid="true"');
    // Escaped once: by app::format::rcdata, since Leptos 0.8 does not (if it starts to,
    // this reads `&amp;amp;` and rcdata is to go).
    expect(html).toContain('R&amp;D &lt;/textarea>&lt;b>끝&lt;/b>');
    await expectValid(refused);
  });
});
