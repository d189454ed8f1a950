// The automated checks in the browser. The e2e server runs end2end/checks.toml, where
// Daum Mail's check always fails (a page that does not exist): the public pages must say
// so plainly, beside the official status — which stays operational, since only staff
// change it — and staff get one click to an incident form for that feature.
// Runs with JavaScript on and off (projects js and nojs).
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './support';

const ADMIN = process.env.E2E_ADMIN_NAME ?? '';
const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? '';

test.describe('automated checks', () => {
  // The probes run every 5 s: the first failing result can take a few of them on a busy
  // machine, beside the usual page checks.
  test.describe.configure({ timeout: 90_000 });
  test('a failing check is shown beside the official status, never instead of it', async ({ page, open, javaScriptEnabled }) => {
    // Probes run every 5 s: wait for the first failing result.
    await expect(async () => {
      await open('/services/daum');
      await expect(page.locator('.check-banner')).toContainText('자동 점검에서 문제가 감지되었습니다 — 공식 확인 전', { timeout: 1_000 });
    }).toPass({ timeout: 45_000 });
    const panel = page.locator('.checks-panel');
    await expect(panel.getByRole('heading', { name: '자동 점검' })).toBeVisible();
    const feature = panel.locator('.feature-checks').first();
    await expect(feature.locator('.verdict').first()).toHaveText('실패');
    await expect(feature).toContainText('status 404');
    // The official status is untouched.
    await expect(feature.locator('.badge')).toHaveText('정상');
    await expect(feature.locator('.latency-chart svg[role="img"]')).toBeVisible();
    await expect(feature.locator('details table')).toBeAttached();
    // axe runs inside the page: here only with JavaScript on (a11y.spec.ts audits the
    // same page as served without JavaScript, in a context where only axe runs).
    if (javaScriptEnabled) {
      const axe = await new AxeBuilder({ page }).include('main').analyze();
      expect(axe.violations, JSON.stringify(axe.violations, null, 2)).toEqual([]);
    }

    await open('/');
    await expect(page.locator('main .banner h1')).toHaveText('모든 서비스 정상');
    await expect(page.locator('.check-banner')).toContainText('자동 점검에서 문제가 감지되었습니다');
    // A feature whose checks pass shows them, and no banner.
    await expect(async () => {
      await open('/services/kakaotalk');
      await expect(page.locator('.checks-panel .verdict').first()).toHaveText('정상 응답', { timeout: 1_000 });
    }).toPass({ timeout: 45_000 });
    await expect(page.locator('.check-banner')).toHaveCount(0);
  });

  test('staff see the same alert and open an incident for that feature in one click', async ({ page }) => {
    expect(ADMIN, 'scripts/test.sh creates the first admin and sets E2E_ADMIN_NAME').not.toBe('');
    await page.goto('/admin/signin');
    await page.getByLabel('계정 이름').fill(ADMIN);
    await page.getByLabel('비밀번호').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: '로그인' }).click();
    await expect(page.getByText('로그인했습니다.')).toBeVisible({ timeout: 20_000 });
    await expect(async () => {
      await page.goto('/admin');
      await expect(page.getByRole('link', { name: '이 기능으로 장애 공지 열기' })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 45_000 });
    await page.getByRole('link', { name: '이 기능으로 장애 공지 열기' }).click();
    await expect(page).toHaveURL(/\/admin\/incidents\/new\?component=daum%2Fmail|\/admin\/incidents\/new\?component=daum\/mail/);
    await expect(page.locator('[name="c.daum/mail"]')).toHaveValue('partial_outage');
    await expect(page.locator('[name="c.kakaotalk/messages"]')).not.toHaveValue('partial_outage');
  });
});
