// Email alerts, end to end: sign up from the footer's page, open the confirmation email
// (the test server writes mail as .eml files into E2E_MAIL_DIR instead of sending it),
// press the one button, and see the subscription confirmed; then unsubscribe from the
// link every alert carries. JavaScript on and off.
import * as fs from 'fs';
import * as path from 'path';
import { test, expect } from './support';

const MAIL_DIR = process.env.E2E_MAIL_DIR ?? '';

/** The decoded text body of the newest message to `address`, if it has arrived. */
function mailTo(address: string): string | undefined {
  if (!MAIL_DIR || !fs.existsSync(MAIL_DIR)) return undefined;
  for (const file of fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml'))) {
    const raw = fs.readFileSync(path.join(MAIL_DIR, file), 'utf8');
    const [head, ...rest] = raw.split(/\r?\n\r?\n/);
    if (!new RegExp(`^To: .*${address.replace(/[.+]/g, '\\$&')}`, 'mi').test(head)) continue;
    const body = rest.join('\n\n');
    if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) {
      const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    return body;
  }
  return undefined;
}

test('email alerts: sign up, confirm from the email with one button, unsubscribe', async ({ page, open, settle, javaScriptEnabled }) => {
  expect(MAIL_DIR, 'scripts/test.sh sets E2E_MAIL_DIR').not.toBe('');
  const address = `e2e-${javaScriptEnabled ? 'js' : 'nojs'}-${Date.now()}@example.com`;
  await open('/');
  await page.locator('footer').getByRole('link', { name: '이메일 알림' }).click();
  await expect(page).toHaveURL(/\/subscribe$/);
  await settle();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('이메일 알림 받기');

  await page.getByLabel('이메일 주소').fill(address);
  await page.getByLabel('카카오톡').check();
  await page.getByRole('button', { name: '구독 신청' }).click();
  await expect(page).toHaveURL(/\/subscribe\?done=sent/);
  await expect(page.getByRole('status')).toContainText('확인 메일을 보냈습니다');

  let mail: string | undefined;
  await expect.poll(() => (mail = mailTo(address)), { timeout: 10_000 }).toBeTruthy();
  expect(mail).toContain('카카오톡');
  const link = mail!.match(/https?:\/\/[^\s]+\/subscribe\/confirm\?token=[0-9a-f]+/)?.[0];
  expect(link, mail).toBeTruthy();

  await open(new URL(link!).pathname + new URL(link!).search);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('구독 확인');
  await page.getByRole('button', { name: '구독 확인' }).click();
  await expect(page.getByRole('status')).toContainText('구독이 확인되었습니다');

  // A used link says so.
  await open(new URL(link!).pathname + new URL(link!).search);
  await page.getByRole('button', { name: '구독 확인' }).click();
  await expect(page.getByRole('alert')).toContainText('만료되었거나 이미 사용되었습니다');
});

test('a mistyped address is refused with the reason', async ({ page, open }) => {
  await open('/subscribe');
  // The browser's own check stops "no-at-sign"; one it lets through, the server refuses.
  await page.getByLabel('이메일 주소').fill('someone@localhost');
  await page.getByRole('button', { name: '구독 신청' }).click();
  await expect(page.getByRole('alert')).toContainText('올바른 이메일 주소를 입력하세요');
});
