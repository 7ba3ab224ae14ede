// A minimal W3C WebDriver client over node:http: just what the GridDesk end-to-end tests use.
import { request as httpRequest } from 'node:http';
import { isPageCrash, noteRetry } from './retries.mjs';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecc';

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(`${method} ${path} -> ${status}: ${value?.error ?? ''} ${value?.message ?? JSON.stringify(value)}`);
    this.status = status;
    this.value = value;
  }
}

/**
 * One HTTP request to the driver. `base` is `http://host:port`, or `unix:<socket path>` for a
 * driver in another network namespace (see `Driver` in harness.mjs, `offline`).
 */
function send(base, method, path, payload, timeoutMs) {
  const unix = base.startsWith('unix:');
  const url = unix ? null : new URL(base);
  return new Promise((done, fail) => {
    const req = httpRequest({
      ...(unix ? { socketPath: base.slice(5) } : { host: url.hostname, port: url.port }),
      method,
      path,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      signal: AbortSignal.timeout(timeoutMs),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', (e) => fail(e.name === 'AbortError' ? new Error(`${method} ${path}: aborted due to timeout after ${timeoutMs} ms`) : e));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export async function request(base, method, path, body, timeoutMs = 120_000) {
  // Every WebDriver call has a deadline, so a wedged app or driver fails the test instead of
  // hanging the run (a script may wait for the sample district to be seeded: two minutes).
  const res = await send(base, method, path, body === undefined ? undefined : JSON.stringify(body), timeoutMs);
  let json;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw new WebDriverError(method, path, res.status, { message: res.text });
  }
  if (res.status < 200 || res.status >= 300) throw new WebDriverError(method, path, res.status, json.value);
  return json.value;
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /**
   * Starts the app and returns its session. The web view's software GL renderer (Mesa swrast)
   * now and then crashes WebKit's compositor thread while the window comes up; WebKitWebDriver
   * then answers "session deleted because of page crash or hang". That answer, and only that,
   * gets one more try, counted (lib/retries.mjs). A request that gets no answer within its
   * deadline fails: a hang is not retried.
   */
  static async create(base, capabilities, timeoutMs = 45_000) {
    const body = { capabilities: { alwaysMatch: capabilities } };
    let value;
    try {
      value = await request(base, 'POST', '/session', body, timeoutMs);
    } catch (e) {
      if (!isPageCrash(e)) throw e;
      noteRetry('new session (the app started once more)', e);
      value = await request(base, 'POST', '/session', body, timeoutMs);
    }
    // Scripts that wait in the page (the map's next idle, a command) get up to five minutes; the
    // callers give them their own, shorter deadlines.
    await request(base, 'POST', `/session/${value.sessionId}/timeouts`, { script: 300_000 });
    return new Session(base, value.sessionId);
  }

  /**
   * Sends one command. Commands of a session go one at a time: the harness's sign-in poller runs
   * beside the test's own commands, and two scripts executing at once while the page loads left
   * WebKitWebDriver waiting forever on both (seen with release builds).
   */
  cmd(method, path, body) {
    const run = () => request(this.base, method, `/session/${this.id}${path}`, body);
    const result = (this.queue ?? Promise.resolve()).then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async delete() {
    try {
      await this.cmd('DELETE', '');
    } catch {
      // The app may already be gone.
    }
  }

  /** Runs `body` (a function body; `arguments` holds args) in the page and returns its value. */
  execute(script, ...args) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Runs an async function body; it must call `arguments[arguments.length - 1](result)`. */
  executeAsync(script, ...args) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  /** Evaluates a promise-returning expression body (`return await ...`) and returns its value. */
  async evaluate(asyncBody, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      (async (...args) => { ${asyncBody} })(...Array.prototype.slice.call(arguments, 0, -1))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String(e && e.message || e) }));`;
    const r = await this.executeAsync(script, ...args);
    if (r && 'err' in r) throw new Error(`in page: ${r.err}`);
    return r?.ok;
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    const id = v[ELEMENT] ?? v.ELEMENT ?? Object.values(v)[0];
    if (typeof id !== 'string') throw new Error(`no element id for ${css}: ${JSON.stringify(v)}`);
    return id;
  }

  async click(css) {
    const id = await this.find(css);
    await this.cmd('POST', `/element/${id}/click`, {});
  }

  async type(css, text) {
    const id = await this.find(css);
    await this.cmd('POST', `/element/${id}/value`, { text });
  }

  /** The text of the element `css` selects; found again if a re-render replaced it meanwhile. */
  async text(css) {
    for (let attempt = 1; ; attempt++) {
      const id = await this.find(css);
      try {
        return await this.cmd('GET', `/element/${id}/text`);
      } catch (e) {
        if (attempt >= 3 || e?.value?.error !== 'stale element reference') throw e;
      }
    }
  }

  /** Moves the mouse to viewport pixel (x, y) and clicks there. */
  async clickAt(x, y) {
    await this.cmd('POST', '/actions', {
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', origin: 'viewport', x: Math.round(x), y: Math.round(y), duration: 0 },
            { type: 'pause', duration: 50 },
            { type: 'pointerDown', button: 0 },
            { type: 'pause', duration: 30 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
    await this.cmd('DELETE', '/actions').catch(() => undefined);
  }

  async moveTo(x, y) {
    await this.cmd('POST', '/actions', {
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [{ type: 'pointerMove', origin: 'viewport', x: Math.round(x), y: Math.round(y), duration: 0 }],
        },
      ],
    });
  }

  /** PNG bytes of the web view. */
  async screenshot() {
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }
}
