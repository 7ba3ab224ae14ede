// End-to-end: 设置 ▸ 局域网服务 in the real window, signed in as the demo administrator. The
// dialog starts the station service on this computer's loopback address and a free port with
// 随手拍 on; it shows the URLs of the inspectors' app, the citizens' page and Open311 with their
// QR codes; phones' requests (made here by node) get the pages, the services and a citizen's
// report filed under the key the desktop issued; a port already taken is refused with its
// message in Chinese (a restart stops the service first, so it is then off); 停止服务 stops it (the
// port refuses connections). HTTPS is on by default: the certificate page comes first (plain
// http), the pages are given over https, the fingerprint shown is the downloaded certificate's,
// and a client trusting that certificate speaks HTTPS to the same port.
// Screenshot: artifacts/e2e/lan-running.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { get as httpsGet } from 'node:https';
import { Driver, shot, waitFor, waitIdle } from './lib/harness.mjs';

const ADMIN = { login: 'admin', password: 'admin@2026' };
/** The sample's 县前街, inside the unit grids. */
const XIANQIAN = [121.2396, 28.6356];

let driver;
let s;

before(async () => {
  driver = await new Driver().start();
  s = await driver.launch({ signIn: ADMIN });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
  assert.ok(await s.signedIn, `expected the demo administrator signed in: ${s.signInFailure}`);
  await waitIdle(s, 60000);
});

after(async () => {
  if (s) await s.delete().catch(() => undefined);
  await driver?.stop();
});

/** A TCP port nobody listens on now, and a server holding another one. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
function holdPort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

/** Fills the dialog as a user would and clicks 开启. */
async function startWith(host, port, citizen) {
  await s.execute(`const set = (id, v, ev) => { const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event(ev)); };
    set('lan-host', arguments[0], 'change'); set('lan-port', arguments[1], 'input'); set('lan-citizen', arguments[2], 'input');
    document.getElementById('lan-start').click();`, host, String(port), citizen);
}

test('局域网服务: started from 设置 with 随手拍, phones get the pages and a citizen report is filed; a taken port is refused; 关闭 stops it', async () => {
  // Off by default; opened from the settings popover.
  await s.execute(`document.getElementById('settings-button').click();`);
  await s.execute(`document.getElementById('lan-open').click();`);
  await waitFor(s, `document.body.dataset.lanRunning === '0'`, 'the dialog showing the service off');
  assert.equal(await s.execute(`return document.getElementById('lan-state').textContent;`), '未开启');
  assert.equal(await s.execute(`return document.getElementById('lan-no-pages');`), null, 'expected the phone pages found (scripts/test.sh builds ui/dist-phone)');
  const hosts = await s.execute(`return [...document.getElementById('lan-host').options].map((o) => o.value);`);
  assert.ok(hosts.includes('0.0.0.0') && hosts.includes('127.0.0.1'), `expected every network and this computer offered, got ${hosts}`);

  const port = await freePort();
  await startWith('127.0.0.1', port, 'receptionist');
  await waitFor(s, `document.body.dataset.lanRunning === '1'`, 'the service running', 30000);
  assert.equal(await s.execute(`return document.body.dataset.lanListen;`), `127.0.0.1:${port}`);
  const urls = await s.execute(`return [...document.querySelectorAll('#lan-urls .lan-url')].map((f) => ({
    page: f.dataset.page, url: f.querySelector('code').textContent, qr: f.querySelector('img').naturalWidth }));`);
  const base = `http://127.0.0.1:${port}`;
  const secure = `https://127.0.0.1:${port}`;
  assert.deepEqual(urls.map((u) => [u.page, u.url]), [
    ['certificate', `${base}/ca/`],
    ['inspector', `${secure}/m/`],
    ['citizen', `${secure}/c/`],
    ['open311', `${secure}/open311/v2/services.json`],
  ]);
  for (const u of urls) assert.ok(u.qr > 100, `expected a QR code drawn for ${u.page}`);
  assert.equal(await s.execute(`return document.body.dataset.lanHttps;`), '1');
  await shot(s, 'lan-running');

  // HTTPS: the certificate a phone downloads is the one whose fingerprint the dialog shows, and
  // a client that trusts it speaks HTTPS to the same port.
  const shown = (await s.execute(`return document.querySelector('#lan-fingerprint code').textContent;`)).trim();
  const der = Buffer.from(await (await fetch(`${base}/ca/griddesk-station-ca.crt`)).arrayBuffer());
  assert.equal(createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g).join(':'), shown);
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
  const overTls = await new Promise((done, fail) => {
    httpsGet(`${secure}/open311/v2/services.json`, { ca: pem }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => done({ status: res.statusCode, body }));
    }).on('error', fail);
  });
  assert.equal(overTls.status, 200);
  assert.ok(JSON.parse(overTls.body).length > 0, 'the services over HTTPS');
  // Without it, HTTPS is refused (the certificate is the station's own).
  await assert.rejects(
    new Promise((done, fail) => { httpsGet(`${secure}/`, (res) => done(res.statusCode)).on('error', fail); }),
    /self-signed|unable to verify|certificate/,
  );

  // What a phone on the network gets.
  const m = await fetch(`${base}/m/`);
  assert.equal(m.status, 200);
  assert.match(await m.text(), /<html/i);
  const services = await (await fetch(`${base}/open311/v2/services.json`)).json();
  assert.ok(services.some((x) => x.service_code === 'event-0102'), 'expected the event classes as Open311 services');
  const report = await fetch(`${base}/c/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      device_id: 'e2e-lan-phone', service_code: 'event-0102', lon: String(XIANQIAN[0]), lat: String(XIANQIAN[1]),
      description: '路边有暴露垃圾', client_request_id: 'lan-1',
    }),
  });
  const receipt = await report.json();
  assert.equal(report.status, 200, `expected the citizen's report filed, got ${JSON.stringify(receipt)}`);
  assert.match(receipt.case_id, /^\d{4}-\d+$/);
  const st = await (await fetch(`${base}/c/api/status/${receipt.token}`)).json();
  assert.equal(st.case_id, receipt.case_id);
  assert.equal(st.status, 'reported');
  // The desk sees it once in its case list: a 公众举报 waiting for acceptance, in its grid.
  await s.execute(`document.getElementById('lan-close').click();`);
  await s.click('#workspace-tabs [data-workspace="cases"]');
  await waitFor(s, `document.body.dataset.workspace === 'cases'`, 'the case workspace');
  await s.click('#cases-tab-list');
  await waitFor(s, `!!document.querySelector('#cases-filter')`, 'the case list filters');
  await s.execute(`const f = document.getElementById('cases-filter'); f.querySelector('[name=source]').value = 'public';
    f.querySelector('[name=status]').value = 'reported'; f.requestSubmit();`);
  await waitFor(s, `!!document.querySelector('#cases-list li[data-case="${receipt.case_id}"]')`, `case ${receipt.case_id} in the desk's case list`);
  assert.equal(await s.execute(`return document.querySelectorAll('#cases-list li[data-case="${receipt.case_id}"]').length;`), 1);
  await s.click(`#cases-list li[data-case="${receipt.case_id}"]`);
  await waitFor(s, `document.getElementById('case-panel')?.dataset.case === '${receipt.case_id}'`, 'its case panel');
  const detail = await s.evaluate(`return await window.__TAURI_INTERNALS__.invoke('cases_detail', { caseId: arguments[0] });`, receipt.case_id);
  assert.equal(detail.source, 'public');
  assert.ok(detail.grid, `expected the report located to a grid: ${JSON.stringify(detail).slice(0, 300)}`);
  await shot(s, 'lan-case-at-desk');
  await s.click('#workspace-tabs [data-workspace="map"]');
  await s.execute(`document.getElementById('settings-button').click();`);
  await s.execute(`document.getElementById('lan-open').click();`);
  await waitFor(s, `document.body.dataset.lanRunning === '1'`, 'the dialog again, the service running');

  // A port another program holds: refused in Chinese; the restart stopped the old service.
  const held = await holdPort();
  try {
    await startWith('127.0.0.1', held.address().port, '');
    await waitFor(s, `document.body.dataset.lanError === 'lan-listen-failed'`, 'the taken port refused');
    const text = await s.execute(`return document.getElementById('lan-error').textContent;`);
    assert.match(text, /局域网服务无法在 127\.0\.0\.1:\d+ 上监听/);
    assert.equal(await s.execute(`return document.body.dataset.lanRunning;`), '0');
  } finally {
    held.close();
  }

  // 停止服务: the port refuses connections.
  await startWith('127.0.0.1', port, 'receptionist');
  await waitFor(s, `document.body.dataset.lanRunning === '1' && document.body.dataset.lanError === ''`, 'running again');
  await s.execute(`document.getElementById('lan-stop').click();`);
  await waitFor(s, `document.body.dataset.lanRunning === '0'`, 'the service stopped');
  await assert.rejects(fetch(`${base}/m/`), 'expected nothing listening after 关闭');
  await s.execute(`document.getElementById('lan-close').click();`);
});
