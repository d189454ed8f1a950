// The staff console, end to end: an admin creates accounts; comms opens an incident on
// KakaoTalk photo/video transfer, posts an apology and resolves it, while a second
// browser (a member of the public) sees each step; a regulator reads the ledger and
// cannot post. Runs with JavaScript on and off (projects console-js / console-nojs,
// after the public-page suites, since it changes the public state).
import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page, type Browser, waitForHydration } from './support';

const ADMIN = process.env.E2E_ADMIN_NAME ?? '';
const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? '';
const PASSWORD = 'a long enough e2e password';

async function signIn(page: Page, js: boolean, name: string, password: string) {
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/signin$/);
  if (js) await waitForHydration(page);
  await page.getByLabel('계정 이름').fill(name);
  await page.getByLabel('비밀번호').fill(password);
  await page.getByRole('button', { name: '로그인' }).click();
  // Signing in hashes with Argon2id on purpose; give a busy machine time.
  await expect(page.getByText('로그인했습니다.')).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(/\/admin$/);
}

async function staffPage(browser: Browser, js: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: js, locale: 'ko-KR', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  if (js) {
    await page.addInitScript(() => {
      const original = window.addEventListener;
      window.addEventListener = function (this: Window, type: string, ...rest: unknown[]) {
        if (type === 'popstate') (window as unknown as Record<string, unknown>).__e2eRouterReady = true;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        return (original as any).call(this, type, ...rest);
      } as typeof window.addEventListener;
    });
  }
  return page;
}

async function addAccount(admin: Page, name: string, role: string) {
  await admin.getByRole('link', { name: '직원 계정' }).click();
  await expect(admin.getByRole('heading', { name: '계정 추가' })).toBeVisible();
  const form = admin.locator('form', { has: admin.getByRole('button', { name: '계정 추가' }) });
  await form.getByLabel('계정 이름').fill(name);
  await form.getByLabel('역할').selectOption(role);
  await form.getByLabel('비밀번호').fill(PASSWORD);
  await form.getByRole('button', { name: '계정 추가' }).click();
  await expect(admin.getByText('계정을 추가했습니다.')).toBeVisible();
  await expect(admin.getByRole('rowheader', { name, exact: true })).toBeVisible();
}

test.describe('the staff console', () => {
  test.describe.configure({ timeout: 90_000 });
  test.beforeAll(() => {
    expect(ADMIN, 'scripts/test.sh creates the first admin and sets E2E_ADMIN_NAME').not.toBe('');
  });

  test('an incident from first notice to resolution, seen by the public at each step', async ({ browser, javaScriptEnabled }, info) => {
    const js = javaScriptEnabled ?? true;
    const tag = `${info.project.name}-${Date.now() % 100000}`;
    const admin = await staffPage(browser, js);
    await signIn(admin, js, ADMIN, ADMIN_PASSWORD);
    await addAccount(admin, `comms-${tag}`, 'comms');

    const comms = await staffPage(browser, js);
    await signIn(comms, js, `comms-${tag}`, PASSWORD);
    if (js) await comms.evaluate(() => ((window as unknown as Record<string, number>).__sameDocument = 1));

    // Open: from the template, photo/video transfer down, previewed, then published.
    await comms.getByRole('link', { name: '새 장애 공지' }).click();
    await comms.getByLabel('템플릿').selectOption('investigating');
    await comms.getByRole('button', { name: '템플릿 불러오기' }).click();
    await expect(comms.getByLabel('본문 (한국어)')).toHaveValue(/원인을 확인하고 있으며/);
    if (js) await waitForHydration(comms);
    const title = `카카오톡 사진·동영상 전송 장애 ${tag}`;
    await comms.getByLabel('제목 (한국어)').fill(title);
    await comms.getByLabel('제목 (영어)').fill(`KakaoTalk photo and video transfer failing ${tag}`);
    await comms.getByLabel(/사진·동영상 전송/).selectOption('major_outage');
    await comms.getByRole('button', { name: '미리 보기' }).click();
    const preview = comms.locator('.preview');
    await expect(preview).toContainText('공개 페이지에 이렇게 보입니다');
    await expect(preview).toContainText(title);
    await expect(preview.locator('.badge')).toHaveText('전면 장애');
    await comms.getByRole('button', { name: '게시' }).click();
    await expect(comms.getByText('장애를 공지했습니다.')).toBeVisible();
    const incidentUrl = new URL(comms.url()).pathname.replace('/admin', '');
    expect(incidentUrl).toMatch(/^\/incidents\/\d{4}-\d{2}-\d{2}-kakaotalk/);

    // A member of the public, in another browser.
    const reader = await (await browser.newContext({ javaScriptEnabled: js, locale: 'ko-KR' })).newPage();
    await reader.goto('/');
    const card = reader.locator('main .incident-card', { hasText: title });
    await expect(card).toBeVisible();
    await reader.goto(incidentUrl);
    await expect(reader.getByRole('heading', { level: 1 })).toHaveText(title);
    if (js) {
      await reader.waitForFunction(() => document.querySelector('main') !== null);
      await reader.waitForTimeout(2500); // hydrated and subscribed
      await reader.evaluate(() => ((window as unknown as Record<string, number>).__readerStayed = 1));
    }
    await expect(reader.locator('ul.affected')).toContainText('전면 장애');

    // The official apology, shown as one.
    const post = comms.locator('form', { has: comms.getByRole('button', { name: '미리 보기' }) });
    await comms.getByLabel('템플릿').selectOption('apology');
    await comms.getByRole('button', { name: '템플릿 불러오기' }).click();
    await expect(post.getByLabel('종류')).toHaveValue('apology');
    if (js) await waitForHydration(comms);
    await comms.getByRole('button', { name: '게시' }).click();
    await expect(comms.locator('.timeline .update.kind-apology')).toHaveCount(1);
    await expect(comms.getByText('업데이트를 게시했습니다.')).toBeVisible();
    // With JavaScript, the reader's open page updates itself (live stream), no reload.
    if (!js) await reader.reload();
    const apology = reader.locator('.update.kind-apology');
    await expect(apology).toContainText('공식 사과');
    await expect(apology).toContainText('진심으로 사과드립니다');
    if (js) {
      // It took the apology in place: still the same document.
      expect(await reader.evaluate(() => (window as unknown as Record<string, number>).__readerStayed)).toBe(1);
    }

    // Resolved: the incident says so and photo/video transfer is back.
    await post.getByLabel('진행 상태').selectOption('resolved');
    await post.getByLabel('본문 (한국어)').fill('사진·동영상 전송이 정상화되었습니다.');
    await comms.getByRole('button', { name: '게시' }).click();
    await expect(comms.locator('main .meta .state')).toHaveText('해결됨');
    await reader.reload();
    await expect(reader.locator('main .meta .state')).toHaveText('해결됨');
    await expect(reader.locator('.timeline .update').first()).toContainText('사진·동영상 전송이 정상화되었습니다.');
    await expect(reader.locator('.timeline .update').first().locator('.changes')).toContainText('정상');

    if (js) {
      // Every step stayed in one document: the console is a single-page app with JS on.
      expect(await comms.evaluate(() => (window as unknown as Record<string, number>).__sameDocument)).toBe(1);
    }
  });

  test('refused input keeps what was typed and says why, next to the field', async ({ browser, javaScriptEnabled }) => {
    const js = javaScriptEnabled ?? true;
    const admin = await staffPage(browser, js);
    await signIn(admin, js, ADMIN, ADMIN_PASSWORD);
    await admin.getByRole('link', { name: '새 장애 공지' }).click();
    if (js) await waitForHydration(admin);
    await admin.getByLabel('제목 (한국어)').fill('<script>alert(1)</script>');
    await admin.getByLabel('본문 (한국어)').fill('구성 요소를 고르지 않은 공지');
    await admin.getByRole('button', { name: '게시' }).click();
    await expect(admin.locator('#f-components-error')).toHaveText('영향받는 구성 요소를 하나 이상 고르세요');
    await expect(admin.getByLabel('제목 (한국어)')).toHaveValue('<script>alert(1)</script>');
    await expect(admin.getByLabel('본문 (한국어)')).toHaveValue('구성 요소를 고르지 않은 공지');
  });

  test('a regulator reads and verifies the ledger and cannot post', async ({ browser, javaScriptEnabled }, info) => {
    const js = javaScriptEnabled ?? true;
    const name = `regulator-${info.project.name}-${Date.now() % 100000}`;
    const admin = await staffPage(browser, js);
    await signIn(admin, js, ADMIN, ADMIN_PASSWORD);
    await addAccount(admin, name, 'regulator');

    const regulator = await staffPage(browser, js);
    await signIn(regulator, js, name, PASSWORD);
    await expect(regulator.getByText('이 계정은 읽기 전용입니다.')).toBeVisible();
    await expect(regulator.getByRole('link', { name: '새 장애 공지' })).toHaveCount(0);
    await expect(regulator.locator('form[action="/admin/actions/component-status"]')).toHaveCount(0);

    await regulator.getByRole('link', { name: '변경 원장' }).click();
    await expect(regulator.locator('.ledger-ok')).toContainText('원장 검증 통과');
    await expect(regulator.locator('.ledger-ok code')).toHaveText(/^[0-9a-f]{64}$/);
    const export_ = await regulator.request.get('/admin/ledger/export');
    expect(export_.status()).toBe(200);
    const lines = (await export_.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].actor).toBe('system');
    expect(lines.some((l) => l.action === 'sign_in' && l.actor === name)).toBe(true);

    // The server refuses a post even when the form is forged with a valid token.
    const page = await regulator.request.get('/admin/signin');
    const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(await page.text())?.[1] ?? '';
    const forged = await regulator.request.post('/admin/actions/component-status', {
      form: { csrf, component: 'kakaotalk/messages', status: 'major_outage' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('권한이 없습니다');
    const direct = await regulator.goto('/admin/incidents/new');
    expect(direct?.status()).toBe(403);
  });

  test('an admin is told why an endpoint inside the network is refused, and what was typed stays', async ({ browser, javaScriptEnabled }) => {
    const js = javaScriptEnabled ?? true;
    const admin = await staffPage(browser, js);
    await signIn(admin, js, ADMIN, ADMIN_PASSWORD);
    await admin.getByRole('link', { name: '웹훅·이메일 알림' }).click();
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText('웹훅·이메일 알림');
    const form = admin.locator('form', { has: admin.getByRole('button', { name: '엔드포인트 등록' }) });
    await form.getByLabel('엔드포인트 주소').fill('http://169.254.169.254/latest/meta-data');
    await form.getByLabel('카카오톡').check();
    await form.getByRole('button', { name: '엔드포인트 등록' }).click();
    await expect(admin.locator('.field-error')).toContainText('내부·사설 주소(169.254.169.254)로는 보낼 수 없습니다');
    await expect(form.getByLabel('엔드포인트 주소')).toHaveValue('http://169.254.169.254/latest/meta-data');
    await expect(form.getByLabel('카카오톡')).toBeChecked();
    await expect(admin.getByText('등록된 엔드포인트가 없습니다.')).toBeVisible();
  });

  test('the console pages have no accessibility violations', async ({ browser, javaScriptEnabled }) => {
    test.skip(!javaScriptEnabled, 'axe runs inside the page; the public-page suite audits server-rendered documents');
    const admin = await staffPage(browser, true);
    await signIn(admin, true, ADMIN, ADMIN_PASSWORD);
    for (const url of ['/admin', '/admin/incidents/new', '/admin/maintenance/new', '/admin/users', '/admin/ledger', '/admin/webhooks']) {
      await admin.goto(url);
      await waitForHydration(admin);
      await expect(admin.locator('main h1').first()).toBeVisible();
      const results = await new AxeBuilder({ page: admin }).analyze();
      expect(results.passes.length).toBeGreaterThan(10);
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), url).toEqual([]);
    }
  });
});
