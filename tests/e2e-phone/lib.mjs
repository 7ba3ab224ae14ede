// What the phone tests share: the CLI and the pages they use, a free port, the CLI run to its
// end, polling, and a phone-emulating Chromium session through chromedriver.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session } from '../e2e/lib/webdriver.mjs';
import { artifacts, repo } from '../e2e/lib/retries.mjs';

export const cli = resolve(process.env.GRIDDESK_CLI ?? join(repo, 'target/debug/griddesk'));
export const pages = join(repo, 'ui/dist-phone');
export const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const chromedriver = process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver';

export function freePort() {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });
}

/** Runs the CLI to the end; fails the test on a non-zero exit. */
export function run(...args) {
  const r = spawnSync(cli, args, { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`griddesk ${args.join(' ')} -> ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Waits until `f` returns a truthy value (polled), or fails naming `what`. */
export async function until(f, what, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(150);
  }
}

/**
 * Chromium as a phone (390×844, a phone user agent), headless, through a chromedriver of its
 * own; `env` is the browser's environment (HOME decides its certificate store), `args` more
 * switches. Returns the driver process, the session and a CDP caller.
 */
export async function phoneBrowser({ profile, env = process.env, args = [] }) {
  const dport = await freePort();
  const driver = spawn(chromedriver, [`--port=${dport}`], { stdio: 'ignore', env });
  const dbase = `http://127.0.0.1:${dport}`;
  await until(async () => (await fetch(`${dbase}/status`)).ok, 'chromedriver');
  const session = await Session.create(dbase, {
    browserName: 'chrome',
    'goog:chromeOptions': {
      binary: chromium,
      // MapLibre needs WebGL2: SwiftShader gives it without a GPU (docs: PLATFORM.md).
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--lang=zh-CN',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      mobileEmulation: {
        deviceMetrics: { width: 390, height: 844, pixelRatio: 2, touch: true, mobile: true },
        userAgent:
          'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
      },
    },
  });
  const cdp = (cmd, params = {}) => session.cmd('POST', '/goog/cdp/execute', { cmd, params });
  return { driver, session, cdp };
}

/**
 * The sample district in a new throwaway folder (`prefix`), after checking that what the test
 * needs is there (`more`: further `[what, path]` pairs): its folder, its store, and a component
 * in a grid (whose place the phone's GPS is set to).
 */
export function sampleStation(prefix, more = []) {
  for (const [what, p] of [
    ['the griddesk CLI (cargo build -p griddesk-cli)', cli],
    ['the phone pages (npm run build in ui/)', join(pages, 'm/index.html')],
    ['Debian chromium', chromium],
    ['Debian chromium-driver', chromedriver],
    ...more,
  ]) {
    if (!existsSync(p)) throw new Error(`${what} is missing: ${p}`);
  }
  mkdirSync(artifacts, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = join(dir, 'station.sqlite');
  run('init', store, '--sample', '--resources', join(repo, 'resources'));
  const compCsv = join(dir, 'components.csv');
  run('export', store, 'components', compCsv);
  const [chead, ...clines] = readFileSync(compCsv, 'utf8').trim().split('\n');
  const ccols = chead.split(',');
  const comp = clines.map((l) => Object.fromEntries(ccols.map((c, i) => [c, l.split(',')[i] ?? '']))).find((r) => (r.grid ?? '') !== '');
  if (!comp) throw new Error(`no component in a grid (columns ${chead})`);
  return { dir, store, comp };
}
