// HTTPS and the phone's GPS (docs/station.md, "HTTPS and the phones' GPS"), in Debian's
// Chromium as a phone: a station started with `griddesk serve --https` answers on a name that
// is not this computer's loopback (`station.test`, mapped to 127.0.0.1 by the browser's
// resolver rules), so the browser treats plain http there as a real phone on the station's
// Wi-Fi does: no secure context, no GPS. The inspector's page says so and links the
// certificate page; the certificate, downloaded over plain HTTP, is installed in the browser's
// own certificate store (NSS, `certutil`, as a phone's user installs it); then the same page
// over https:// is trusted, its GPS fills the report's position, and a patrol is recorded.
// Screenshots land in artifacts/e2e/phone-https-*.png.
//
// Needs what phone.test.mjs needs, and certutil (Debian libnss3-tools).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { artifacts, repo } from '../e2e/lib/retries.mjs';
import { cli, freePort, pages, phoneBrowser, sampleStation, until } from './lib.mjs';

const certutil = process.env.CERTUTIL ?? '/usr/bin/certutil';
const NAME = 'station.test';
const ctx = {};

before(async () => {
  const { dir, store, comp } = sampleStation('griddesk-https-', [
    ['the certificate page (npm run build in ui/)', join(pages, 'ca/index.html')],
    ['certutil (Debian libnss3-tools; scripts/install-deps.sh --test)', certutil],
  ]);
  const port = await freePort();
  const station = spawn(
    cli,
    ['serve', store, '--listen', `127.0.0.1:${port}`, '--web', pages, '--https', '--tls-name', NAME],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  station.stdout.on('data', (d) => (log += d));
  station.stderr.on('data', (d) => (log += d));
  const plain = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${plain}/ca/info.json`)).ok, `the station on ${plain} (${log})`, 30_000);
  const fingerprint = /fingerprint \(SHA-256\): ([0-9A-F:]+)/.exec(log)?.[1];
  assert.ok(fingerprint, `the station prints its certificate's fingerprint: ${log}`);
  // The station's authority beside its store, made on this first start.
  assert.ok(existsSync(join(dir, 'station.sqlite.station-tls', 'station-ca.pem')), 'the authority beside the store');

  // The browser's certificate store: its own HOME, an empty NSS database.
  const home = join(dir, 'home');
  const nssdb = join(home, '.pki', 'nssdb');
  mkdirSync(nssdb, { recursive: true });
  const nss = (...args) => {
    const r = spawnSync(certutil, ['-d', `sql:${nssdb}`, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`certutil ${args.join(' ')}: ${r.stderr}`);
  };
  nss('-N', '--empty-password');
  const { driver, session, cdp } = await phoneBrowser({
    profile: join(dir, 'profile'),
    env: { ...process.env, HOME: home },
    args: [`--host-resolver-rules=MAP ${NAME} 127.0.0.1`],
  });
  Object.assign(ctx, { comp, dir, store, station, driver, session, cdp, nss, port, fingerprint, log: () => log });
});

after(async () => {
  await ctx.session?.delete();
  ctx.driver?.kill();
  ctx.station?.kill('SIGINT');
  await sleep(300);
  ctx.station?.kill();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

async function shot(name) {
  writeFileSync(join(artifacts, `phone-https-${name}.png`), await ctx.session.screenshot());
}

async function textOf(css) {
  return ctx.session.execute(`const e = document.querySelector(arguments[0]); return e ? e.textContent : null;`, css);
}

async function signIn() {
  const s = ctx.session;
  await until(() => s.execute(`return !!document.querySelector('#login') || !!document.querySelector('#tab-report')`), 'the app');
  if (await s.execute(`return !!document.querySelector('#login')`)) {
    await s.type('#login', 'inspector');
    await s.type('#password', 'inspector@2026');
    await s.click('#sign-in');
  }
  await until(() => s.execute(`return !!document.querySelector('#tab-report')`), 'the main screen');
}

test('over plain http on the station\'s name the page has no GPS and shows the way to HTTPS', async () => {
  const s = ctx.session;
  const http = `http://${NAME}:${ctx.port}`;
  // The browser will not even let geolocation be granted there.
  await assert.rejects(ctx.cdp('Browser.grantPermissions', { origin: http, permissions: ['geolocation'] }), /insecure context/);
  await ctx.cdp('Emulation.setGeolocationOverride', { latitude: Number(ctx.comp.lat), longitude: Number(ctx.comp.lon), accuracy: 5 });
  await s.cmd('POST', '/url', { url: `${http}/m/` });
  await signIn();
  assert.equal(await s.execute('return window.isSecureContext'), false, 'plain http to a name is not a secure context');
  await until(() => s.execute(`return !!document.querySelector('#secure-install')`), 'the note with the way to HTTPS');
  assert.match(await textOf('#secure-note'), /不提供 GPS/);
  assert.equal(await s.execute(`return document.querySelector('#secure-open').href`), `https://${NAME}:${ctx.port}/m/`);
  // The browser refused the position: the place says so, the fields stay empty.
  await until(async () => (await textOf('#place'))?.includes('无法获取定位'), 'the refused position');
  assert.equal(await s.execute(`return document.querySelector('#lon').value`), '');
  await shot('http-note');

  // The certificate page, over plain http, shows the fingerprint the station printed.
  await s.click('#secure-install');
  await until(async () => (await textOf('#ca-fingerprint')) !== null, 'the certificate page');
  assert.equal(await textOf('#ca-fingerprint'), ctx.fingerprint);
  assert.equal(await s.execute(`return document.querySelector('#ca-state').dataset.secure`), '0');
  await shot('certificate');
  // What its button downloads is the certificate of that fingerprint.
  const der = Buffer.from(
    await s.evaluate(
      `const r = await fetch(document.querySelector('#ca-download').getAttribute('href'));
       return Array.from(new Uint8Array(await r.arrayBuffer()));`,
    ),
  );
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g).join(':');
  assert.equal(hex, ctx.fingerprint);
  ctx.der = der;
});

test('with the certificate installed the page over https is trusted, its GPS fills the place and a patrol is recorded', async () => {
  const s = ctx.session;
  assert.ok(ctx.der, 'the certificate from the first test');
  const crt = join(ctx.dir, 'griddesk-station-ca.crt');
  writeFileSync(crt, ctx.der);
  // Installed as a phone's user installs it: a certificate authority trusted for web sites.
  ctx.nss('-A', '-t', 'C,,', '-n', 'GridDesk station', '-i', crt);
  const https = `https://${NAME}:${ctx.port}`;
  const lat = Number(ctx.comp.lat) + 0.00006;
  const lon = Number(ctx.comp.lon) + 0.00006;
  await ctx.cdp('Browser.grantPermissions', { origin: https, permissions: ['geolocation'] });
  await ctx.cdp('Emulation.setGeolocationOverride', { latitude: lat, longitude: lon, accuracy: 5 });
  await s.cmd('POST', '/url', { url: `${https}/ca/` });
  await until(async () => (await s.execute(`const e = document.querySelector('#ca-state'); return e && e.dataset.secure`)) === '1', 'the certificate page over https');
  await shot('certificate-trusted');
  await s.click('#ca-open-m');
  await signIn();
  assert.equal(await s.execute('return window.isSecureContext'), true);
  assert.equal(await s.execute('return location.protocol'), 'https:');
  assert.equal(await s.execute(`return !!document.querySelector('#secure-note')`), false, 'no note on a secure page');
  // The report form took the phone's position from its GPS.
  await until(async () => Math.abs(Number(await s.execute(`return document.querySelector('#lon').value`)) - lon) < 1e-5, 'the GPS position in the form');
  assert.ok(Math.abs(Number(await s.execute(`return document.querySelector('#lat').value`)) - lat) < 1e-5);
  await until(async () => !(await textOf('#place'))?.includes('正在定位'), 'the grid of the position');
  await s.execute(`document.querySelector('#place').scrollIntoView({ block: 'end' })`);
  await sleep(300);
  await shot('gps');
  await s.execute('window.scrollTo(0, 0)');

  // A patrol over https: two positions 33 m apart reach the station.
  const track = async () =>
    s.evaluate(
      `const r = await fetch('/m/api/track', { headers: { authorization: 'Bearer ' + localStorage.getItem('griddesk.m.token') } });
       return await r.json();`,
    );
  const before = (await track()).fixes.length;
  await until(() => s.execute(`return !!document.querySelector('#patrol-toggle')`), 'the patrol switch');
  await s.click('#patrol-toggle');
  const kept = async () => Number(/本次记录 (\d+)/.exec((await textOf('#patrol-state')) ?? '')?.[1] ?? -1);
  await until(async () => (await kept()) === 1, 'the first position kept');
  await sleep(3200);
  await ctx.cdp('Emulation.setGeolocationOverride', { latitude: lat + 0.0003, longitude: lon, accuracy: 5 });
  await until(async () => (await kept()) === 2, 'the second position kept');
  await s.click('#patrol-toggle');
  await until(async () => (await textOf('#track-waiting')) === '0', 'every position sent', 30_000);
  const t = await track();
  assert.equal(t.fixes.length - before, 2, JSON.stringify(t.fixes));
  await shot('patrol');
  assert.doesNotMatch(ctx.log(), /panicked/);
});
