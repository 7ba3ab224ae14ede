// Starts tauri-driver (which starts WebKitWebDriver, which starts the app) and gives each test a
// WebDriver session on the real GridDesk window. Needs a display: run under xvfb-run.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session, request } from './webdriver.mjs';
import { decodePng } from './png.mjs';
import { artifacts, isPageCrash, noteRetry, repo } from './retries.mjs';

export { artifacts, repo };
const here = dirname(fileURLToPath(import.meta.url));
export const appBinary = resolve(process.env.GRIDDESK_APP ?? join(repo, 'target/debug/griddesk-app'));

/** A TCP port nobody listens on now (the kernel picks it). */
function freePort() {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });
}

/**
 * The driver's port and WebKitWebDriver's: GRIDDESK_E2E_PORT and the next one when set, else two
 * free ports, so that a tauri-driver left running elsewhere can never answer for ours.
 */
async function ports() {
  const fixed = process.env.GRIDDESK_E2E_PORT;
  if (fixed) return [Number(fixed), Number(fixed) + 1];
  return [await freePort(), await freePort()];
}

/**
 * One tauri-driver for a test file, with its own data folders (a fresh first-start store).
 * `offline`: the drivers and the app run in a network namespace of their own with nothing but a
 * loopback interface (`unshare -n`), so no request can leave the machine; the client reaches the
 * driver through a Unix socket (lib/netns-driver.mjs forwards it to the driver's port).
 */
export class Driver {
  constructor({ offline = false } = {}) {
    this.tmp = mkdtempSync(join(tmpdir(), 'griddesk-e2e-'));
    this.sessions = [];
    this.log = [];
    this.offline = offline;
  }

  async start() {
    if (!existsSync(appBinary)) throw new Error(`app binary not found: ${appBinary} (build it first)`);
    if (!process.env.DISPLAY) throw new Error('no DISPLAY: run the end-to-end tests under xvfb-run');
    mkdirSync(artifacts, { recursive: true });
    const env = {
      ...process.env,
      XDG_DATA_HOME: join(this.tmp, 'data'),
      XDG_CONFIG_HOME: join(this.tmp, 'config'),
      XDG_CACHE_HOME: join(this.tmp, 'cache'),
      GRIDDESK_TILE_LOG: process.env.GRIDDESK_TILE_LOG ?? '',
      // The window's test hook (window.__griddesk) exists in debug builds and, for a release
      // build under test (perf.mjs), only when the process is started with this set.
      GRIDDESK_TEST_HOOK: '1',
    };
    delete env.GRIDDESK_DB;
    const bin = process.env.TAURI_DRIVER ?? 'tauri-driver';
    const [port, nativePort] = await ports();
    const args = ['--port', String(port), '--native-port', String(nativePort)];
    if (this.offline) {
      // Root unshares the network alone; anyone else needs a user namespace as well (-r).
      const sock = join(this.tmp, 'driver.sock');
      const flags = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n'];
      this.proc = spawn('unshare', [...flags, '--', process.execPath, join(here, 'netns-driver.mjs'), sock, bin, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.base = `unix:${sock}`;
    } else {
      this.proc = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      this.base = `http://127.0.0.1:${port}`;
    }
    const keep = (chunk) => {
      this.log.push(chunk.toString());
      if (this.log.length > 2000) this.log.splice(0, 1000);
      if (process.env.GRIDDESK_E2E_VERBOSE) process.stderr.write(chunk);
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`tauri-driver exited: ${this.log.join('')}`);
      try {
        await request(this.base, 'GET', '/status', undefined, 2000);
        return this;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error('tauri-driver did not start listening within 20 s');
  }

  /** The app's stderr and the drivers' output so far (the app writes through WebKitWebDriver). */
  output() {
    return this.log.join('');
  }

  /**
   * Starts the app. `args` go to griddesk-app. With `exitFile`, the app runs under a wrapper that
   * writes its exit status there (only for tests where the app ends by itself).
   */
  async launch({ args = [], exitFile = null, env = {}, signIn = DEMO_SIGN_IN } = {}) {
    let application = appBinary;
    let allArgs = args;
    const vars = Object.entries(env);
    if (exitFile || vars.length) {
      // A wrapper that sets `env` for this launch only and, with `exitFile`, writes the exit status.
      application = join(this.tmp, `run-app-${this.sessions.length}.sh`);
      const quote = (v) => `'${String(v).replaceAll("'", "'\\''")}'`;
      const exports = vars.map(([k, v]) => `export ${k}=${quote(v)}\n`).join('');
      const tail = exitFile ? `"${appBinary}" "$@"\necho $? > ${quote(exitFile)}\n` : `exec "${appBinary}" "$@"\n`;
      writeFileSync(application, `#!/bin/sh\n${exports}${tail}`);
      chmodSync(application, 0o755);
    }
    const session = await Session.create(this.base, {
      browserName: 'wry',
      'tauri:options': { application, args: allArgs },
    });
    this.sessions.push(session);
    // Case work is gated by a sign-in overlay: sign in as a demo user in the background (the
    // promise is `session.signedIn`), unless `signIn: null`. Gives up quietly on an error screen.
    session.signedIn = signIn ? signInWhenAsked(session, signIn) : Promise.resolve(false);
    return session;
  }

  async stop() {
    for (const s of this.sessions) await s.delete();
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await Promise.race([new Promise((r) => this.proc.once('exit', r)), sleep(3000)]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
  }
}

/** The demo user the harness signs in as by default (the sample store's accounts, README). */
export const DEMO_SIGN_IN = { login: 'inspector', password: 'inspector@2026' };

/**
 * Fills and submits the sign-in overlay once it appears; resolves true once signed in. When it
 * gives up it resolves false and says why in `session.signInFailure` (the error screen, the page
 * crash WebKitWebDriver reported, the message under the form, or the deadline).
 */
export async function signInWhenAsked(session, { login, password, role = '' }, timeoutMs = 300000) {
  const deadline = Date.now() + timeoutMs;
  session.signInFailure = null;
  while (Date.now() < deadline) {
    let state;
    try {
      state = await session.execute(`
        if (document.body.dataset.signedIn) return 'done';
        if (document.body.dataset.screen === 'error') return 'error';
        const f = document.querySelector('#signin form');
        if (!f || f.dataset.sent) return 'wait';
        document.getElementById('signin-login').value = arguments[0];
        document.getElementById('signin-password').value = arguments[1];
        const role = document.getElementById('signin-role');
        if (role) role.value = arguments[2];
        f.dataset.sent = '1';
        f.requestSubmit();
        return 'sent';`, login, password, role);
    } catch (e) {
      if (isPageCrash(e)) {
        // The session is gone (later commands answer "invalid session id"): the caller retries.
        session.signInFailure = String(e?.message ?? e);
        return false;
      }
      state = 'wait'; // the page is still loading
    }
    if (state === 'done') return true;
    if (state === 'error') {
      session.signInFailure = 'the app showed its error screen';
      return false;
    }
    await sleep(200);
  }
  let shown = '';
  try {
    shown = await session.execute(`return document.getElementById('signin-error')?.textContent ?? '';`);
  } catch (e) {
    shown = String(e?.message ?? e);
  }
  session.signInFailure = `not signed in within ${timeoutMs} ms${shown ? ` (the form says: ${shown})` : ''}`;
  return false;
}

/**
 * Polls `expr` (a JavaScript expression evaluated in the page) until it is truthy. On timeout the
 * error says what was expected and what was last seen.
 */
export async function waitFor(session, expr, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await session.execute(`return (${expr});`);
      if (last) return last;
    } catch (e) {
      // A crashed page never answers again: say so now rather than at the deadline.
      if (isPageCrash(e)) throw new Error(`expected ${what}, but the page crashed: ${e.message}`);
      last = `error: ${e.message}`;
    }
    await sleep(100);
  }
  throw new Error(`expected ${what} within ${timeoutMs} ms (\`${expr}\` was ${JSON.stringify(last)})`);
}

/**
 * Waits for a repaint of the map that comes after whatever was just done to it, and for the map
 * to be idle after it (every tile in, nothing moving, nothing left to draw): asks for a frame
 * and waits for the `idle` that follows it. Whatever was done before the call is in the frames
 * drawn by then. (Wait for the page's own work first — a command in flight, a pane refreshing:
 * only what has reached the map is waited for here.)
 */
export async function waitIdle(session, timeoutMs = 30000) {
  await session.evaluate(`const m = window.__griddesk.view.map; const ms = arguments[0];
    await new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error('the map did not become idle within ' + ms + ' ms (loaded: ' + m.loaded() + ', moving: ' + m.isMoving() + ')')), ms);
      m.once('idle', () => { clearTimeout(t); ok(); });
      m.triggerRepaint();
    });`, timeoutMs);
}

/** Saves the web view as artifacts/e2e/<name>.png and returns the decoded image. */
export async function shot(session, name) {
  const png = await session.screenshot();
  writeFileSync(join(artifacts, `${name}.png`), png);
  return decodePng(png);
}

/** Saves the whole X screen (window with its menu bar) as artifacts/e2e/<name>.png, if ImageMagick is there. */
export function screenShot(name) {
  const out = join(artifacts, `${name}.png`);
  const r = spawnSync('/usr/bin/import', ['-window', 'root', out], { timeout: 15000 });
  return r.status === 0 ? out : null;
}

export function readExit(file) {
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : null;
}

/**
 * Starts tauri-driver and the app on a fresh store, waits for the map of the sample district
 * and the demo sign-in (`signIn`, the inspector by default), then for the map to be idle.
 * Returns `{ driver, session }`; stop with {@link stopApp}.
 */
export async function startSignedIn(assert, signIn = DEMO_SIGN_IN) {
  // Mesa's software renderer now and then crashes the web view's compositor thread while the
  // first frames are drawn (WebKitWebDriver: "session deleted because of page crash or hang").
  // A launch that fails that way, and only that way, is retried once on a fresh store, counted.
  for (let attempt = 1; ; attempt++) {
    const driver = await new Driver().start();
    try {
      const session = await driver.launch({ signIn });
      await waitFor(session, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
      const signedIn = await session.signedIn;
      if (!signedIn) {
        // A crash the sign-in loop saw (the session then answers "invalid session id", not the
        // crash), or one the page shows now.
        if (isPageCrash(session.signInFailure)) throw new Error(session.signInFailure);
        const state = await pageState(session);
        if (isPageCrash(state)) throw new Error(state);
      }
      assert.ok(signedIn, `expected the demo account ${signIn.login} to be signed in: ${session.signInFailure}`);
      await waitIdle(session, 60000);
      return { driver, session };
    } catch (e) {
      await driver.stop();
      if (attempt > 1 || !isPageCrash(e)) throw e;
      noteRetry('launch on a fresh store', e);
    }
  }
}

/** `ok`, or the WebDriver error the session answers with (to tell a crashed page). */
async function pageState(session) {
  try {
    await session.execute('return 1;');
    return 'ok';
  } catch (e) {
    return String(e?.message ?? e);
  }
}

/** Ends the session and the driver started by {@link startSignedIn}. */
export async function stopApp(app) {
  if (app?.session) await app.session.delete().catch(() => undefined);
  await app?.driver?.stop();
  if (process.env.GRIDDESK_E2E_VERBOSE) console.log(app?.driver?.output());
}
