// Shared pieces of the end-to-end suite: the service catalog read from the real
// config file, a `test` with an `open()` that waits for hydration when JavaScript is
// on, and small helpers for times and layout.
import { test as base, expect, type Page, type Response } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

// ---------------------------------------------------------------------------
// The catalog (config/catalog.toml), read with a tiny reader for the subset of TOML it
// uses: comments, [tables], [[arrays of tables]] and `key = "string"` lines.

export interface CatalogComponent {
  slug: string;
  name_ko: string;
  name_en: string;
}

export interface CatalogService {
  slug: string;
  name_ko: string;
  name_en: string;
  description_ko: string;
  description_en: string;
  components: CatalogComponent[];
}

export interface Catalog {
  name_ko: string;
  name_en: string;
  services: CatalogService[];
}

export const CATALOG_PATH = path.resolve(__dirname, '..', '..', 'config', 'catalog.toml');

function parseTomlString(raw: string, where: string): string {
  const value = raw.trim();
  const match = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(value);
  if (!match) throw new Error(`catalog.toml: unsupported value at ${where}: ${value}`);
  return match[1].replace(/\\(["\\nt])/g, (_, c: string) => ({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c);
}

export function readCatalog(file: string = CATALOG_PATH): Catalog {
  const text = fs.readFileSync(file, 'utf8');
  const catalog: Catalog = { name_ko: '', name_en: '', services: [] };
  // The object that `key = value` lines currently write to (null: ignored table).
  let target: Record<string, unknown> | null = null;
  text.split(/\r?\n/).forEach((line, index) => {
    const where = `line ${index + 1}`;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const arrayTable = /^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]$/.exec(trimmed);
    if (arrayTable) {
      const name = arrayTable[1];
      if (name === 'services') {
        const service = { components: [] } as unknown as CatalogService;
        catalog.services.push(service);
        target = service as unknown as Record<string, unknown>;
      } else if (name === 'services.components') {
        const service = catalog.services[catalog.services.length - 1];
        if (!service) throw new Error(`catalog.toml: component before any service (${where})`);
        const component = {} as CatalogComponent;
        service.components.push(component);
        target = component as unknown as Record<string, unknown>;
      } else {
        target = null; // e.g. [[services.problems]]: not shown on these pages
      }
      return;
    }
    const table = /^\[\s*([A-Za-z0-9_.-]+)\s*\]$/.exec(trimmed);
    if (table) {
      target = table[1] === 'page' ? (catalog as unknown as Record<string, unknown>) : null;
      return;
    }
    const keyValue = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(trimmed);
    if (!keyValue) throw new Error(`catalog.toml: cannot read ${where}: ${trimmed}`);
    if (target) target[keyValue[1]] = parseTomlString(keyValue[2], where);
  });
  if (catalog.services.length === 0) throw new Error('catalog.toml: no services found');
  for (const service of catalog.services) {
    if (!service.slug || !service.name_ko || !service.name_en || service.components.length === 0) {
      throw new Error(`catalog.toml: incomplete service ${JSON.stringify(service)}`);
    }
  }
  return catalog;
}

// ---------------------------------------------------------------------------
// Fixtures.

/** Set by the init script once the Leptos router has attached its window listeners. */
const ROUTER_READY = '__e2eRouterReady';

export interface Fixtures {
  /** Navigates and, with JavaScript on, waits until the page is hydrated. */
  open: (url: string) => Promise<Response | null>;
  /** Waits until the current document is hydrated (no-op with JavaScript off). */
  settle: () => Promise<void>;
}

export async function waitForHydration(page: Page): Promise<void> {
  // The router attaches `popstate` and `click` listeners to window while it hydrates;
  // once hydrate() has returned, the flag is seen by this (later) task.
  await page.waitForFunction((flag) => (window as unknown as Record<string, unknown>)[flag] === true, ROUTER_READY, {
    timeout: 20_000,
  });
}

export const test = base.extend<Fixtures>({
  page: async ({ page, javaScriptEnabled }, use) => {
    if (javaScriptEnabled) {
      await page.addInitScript((flag: string) => {
        const original = window.addEventListener;
        window.addEventListener = function (this: Window, type: string, ...rest: unknown[]) {
          if (type === 'popstate') (window as unknown as Record<string, unknown>)[flag] = true;
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          return (original as any).call(this, type, ...rest);
        } as typeof window.addEventListener;
      }, ROUTER_READY);
    }
    await use(page);
  },
  settle: async ({ page, javaScriptEnabled }, use) => {
    await use(async () => {
      await page.waitForLoadState('load');
      if (javaScriptEnabled) await waitForHydration(page);
    });
  },
  open: async ({ page, settle }, use) => {
    await use(async (url: string) => {
      const response = await page.goto(url);
      await settle();
      return response;
    });
  },
});

export { expect };

// ---------------------------------------------------------------------------
// Helpers.

export const FIRE_ID = '2022-10-15-pangyo-datacenter-fire';
export const FIRE_URL = `/incidents/${FIRE_ID}`;
export const FIRE_TITLE_KO = 'SK C&C 판교 데이터센터 화재로 카카오 서비스 전면 장애';
export const FIRE_TITLE_EN = 'SK C&C Pangyo data-centre fire takes down Kakao services';

/** The five status texts (Korean), so a badge is known to say a status in words. */
export const STATUS_TEXT_KO = ['정상', '점검 중', '성능 저하', '부분 장애', '전면 장애'];

const pad = (n: number) => String(n).padStart(2, '0');

/** "2022-10-15T06:29:00Z" → "2022년 10월 15일 15:29 KST" (the page's Korean form). */
export function kstTextKo(isoUtc: string): string {
  const t = new Date(new Date(isoUtc).getTime() + 9 * 3600_000);
  return `${t.getUTCFullYear()}년 ${t.getUTCMonth() + 1}월 ${t.getUTCDate()}일 ${pad(t.getUTCHours())}:${pad(
    t.getUTCMinutes(),
  )} KST`;
}

/** Parses "2022년 10월 15일" into a UTC midnight Date (day arithmetic only). */
export function parseKoDate(text: string): Date {
  const m = /(\d{4})년 (\d{1,2})월 (\d{1,2})일/.exec(text);
  if (!m) throw new Error(`not a Korean date: ${text}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** Today's date in Korea (KST, UTC+9), at UTC midnight. */
export function todayKst(): Date {
  const t = new Date(Date.now() + 9 * 3600_000);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
}

export const DAY_MS = 86_400_000;

/** How far the document scrolls sideways (0 when it does not). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = document.documentElement;
    return Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
  });
}
