// End-to-end: the case loop in the real window. Signs in as each role in turn and takes one case
// from a map click through filing, dispatch, feedback with photo, a failed check (rework), a
// passed check and closing; catches a duplicate at intake; shows an overdue case as overdue.
// Screenshots: artifacts/e2e/cases-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Driver, shot, waitFor, waitIdle } from './lib/harness.mjs';
import { countPixels } from './lib/png.mjs';

let driver;
let s;
let caseId;
let clickAt; // viewport pixel of the first case's point

before(async () => {
  driver = await new Driver().start();
});

after(async () => {
  await driver?.stop();
  if (process.env.GRIDDESK_E2E_VERBOSE) console.log(driver?.output());
});

// The sample's demo accounts: password `<login>@2026` (README).
const password = (login) => `${login}@2026`;

/** Signs out (if signed in) and signs in through the overlay as `login`. */
async function signInAs(login) {
  const cur = await s.execute(`return document.body.dataset.signedIn || '';`);
  if (cur === login) return;
  if (cur) {
    await s.execute(`document.getElementById('settings').hidden = false; document.getElementById('sign-out').click();`);
  }
  await waitFor(s, `!!document.querySelector('#signin form')`, 'the sign-in overlay');
  await s.type('#signin-login', login);
  await s.type('#signin-password', password(login));
  await s.click('#signin-submit');
  await waitFor(s, `document.body.dataset.signedIn === ${JSON.stringify(login)}`, `to be signed in as ${login}`);
  await s.execute(`document.getElementById('settings').hidden = true;`);
}

/** Opens the case panel of `id` (through the case list's text of the queue when listed, else directly by the map). */
async function openCase(id) {
  await s.click('#cases-tab-queue');
  const inQueue = await waitFor(s, `document.querySelector('#cases-queue') && (document.querySelector('#cases-queue li[data-case="${id}"]') ? 'yes' : 'no')`, 'the work queue');
  if (inQueue === 'yes') {
    await s.click(`#cases-queue li[data-case="${id}"]`);
  } else {
    await s.click('#cases-tab-list');
    await waitFor(s, `!!document.querySelector('#cases-filter')`, 'the case list filters');
    await s.execute(`const f = document.getElementById('cases-filter'); f.querySelector('[name=status]').value = ''; f.requestSubmit();`);
    await waitFor(s, `!!document.querySelector('#cases-list li[data-case="${id}"]')`, `case ${id} in the case list`);
    await s.click(`#cases-list li[data-case="${id}"]`);
  }
  await waitFor(s, `document.getElementById('case-panel')?.dataset.case === ${JSON.stringify(id)}`, `the case panel of ${id}`);
  return inQueue === 'yes';
}

/** Attaches a small generated PNG to the file input `css` (as a user picking a file would). */
async function attachPhoto(css) {
  await s.evaluate(`
    const c = document.createElement('canvas'); c.width = 64; c.height = 48;
    const g = c.getContext('2d'); g.fillStyle = '#3a7'; g.fillRect(0, 0, 64, 48); g.fillStyle = '#fff'; g.fillRect(20, 12, 24, 24);
    const blob = await new Promise((r) => c.toBlob(r, 'image/png'));
    const dt = new DataTransfer(); dt.items.add(new File([blob], 'after.png', { type: 'image/png' }));
    const input = document.querySelector(${JSON.stringify(css)});
    input.files = dt.files; input.dispatchEvent(new Event('change'));`);
}

/** Clicks action `action` in the open panel, fills its form and expects the case to reach `to`. */
async function act(login, action, to, fill = async () => {}) {
  await signInAs(login);
  const queued = await openCase(caseId);
  const actions = await s.execute(`return [...document.querySelectorAll('#case-actions [data-action]')].map((b) => b.dataset.action);`);
  assert.ok(actions.includes(action), `expected ${login} to be offered "${action}" on ${caseId}, got ${JSON.stringify(actions)}`);
  await s.click(`#case-actions [data-action="${action}"]`);
  await waitFor(s, `document.getElementById('action-form')?.dataset.action === '${action}'`, `the ${action} form`);
  await fill();
  await s.click('#action-submit');
  await waitFor(s, `document.getElementById('case-panel')?.dataset.status === '${to}' || document.querySelector('#action-error .error')?.textContent`, `${caseId} to become ${to} after ${action}`);
  const err = await s.execute(`return document.querySelector('#action-error .error')?.textContent ?? null;`);
  assert.equal(err, null, `expected ${action} by ${login} to be accepted`);
  return queued;
}

test('sign-in gates the app; an inspector starts a case with a map click', async () => {
  s = await driver.launch({ signIn: null });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen', 240000);
  await waitFor(s, `!!document.querySelector('#signin form')`, 'the sign-in overlay over the map');
  // The sample's published demo accounts are named as such under the form.
  const demo = await waitFor(s, `document.getElementById('signin-demo')?.textContent`, 'the demo-account note');
  assert.match(demo, /演示账号/, demo);
  for (const login of ['admin', 'inspector', 'planner']) assert.ok(demo.includes(login), `expected ${login} named in: ${demo}`);
  await s.type('#signin-login', 'inspector');
  await s.type('#signin-password', 'wrong-password');
  await s.click('#signin-submit');
  const code = await waitFor(s, `document.getElementById('signin-error')?.dataset.errorCode`, 'a refusal for a wrong password');
  assert.equal(code, 'sign-in-refused');
  await shot(s, 'cases-01-signin-refused');
  await s.execute(`document.getElementById('signin-login').value = ''; document.getElementById('signin-password').value = '';`);
  await s.type('#signin-login', 'inspector');
  await s.type('#signin-password', password('inspector'));
  await s.click('#signin-submit');
  await waitFor(s, `document.body.dataset.signedIn === 'inspector'`, 'to be signed in as the inspector');
  await s.click('#workspace-tabs [data-workspace="cases"]');
  await waitFor(s, `document.body.dataset.workspace === 'cases'`, 'the case workspace');
  const r = await s.execute(`const r = document.getElementById('map').getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height };`);
  await s.execute(`window.__griddesk?.view?.map?.zoomTo?.(17, { duration: 0 });`);
  await waitIdle(s, 60000);
  clickAt = [r.x + r.w / 2, r.y + r.h / 2];
  await s.clickAt(...clickAt);
  await waitFor(s, `!!document.querySelector('#intake form')`, 'the intake form after a map click');
  await s.execute(`document.querySelector('#intake [name=description]').value = '井盖破损 e2e';`);
  await shot(s, 'cases-02-intake-form');
  await s.click('#intake-submit');
  const first = await waitFor(s, `document.getElementById('intake-result')?.dataset.case || (document.getElementById('intake-proceed') ? 'dups' : '') || document.querySelector('#intake-out .error')?.textContent`, 'a created case (or duplicates to proceed past)');
  if (first === 'dups') await s.click('#intake-proceed');
  else assert.match(first, /^\d{4}-\d{7}$/, `expected the intake to create a case, got: ${first}`);
  caseId = await waitFor(s, `document.getElementById('intake-result')?.dataset.case`, 'the new case id');
  assert.match(caseId, /^\d{4}-\d{7}$/, `expected a task number, got ${caseId}`);
  await waitFor(s, `document.getElementById('case-panel')?.dataset.status === 'reported'`, 'the new case panel in status reported');
  await shot(s, 'cases-03-created');
});

test('a second report of the same class at the same point is caught as a duplicate', async () => {
  await s.clickAt(clickAt[0] + 2, clickAt[1] + 2);
  const opened = await waitFor(s, `document.querySelector('#intake form') ? 'form' : (document.getElementById('case-panel') ? 'panel' : '')`, 'the intake form (or the case under the click)');
  if (opened !== 'form') {
    // The click hit the new case's point: start the report a little further away (still within 50 m).
    await s.clickAt(clickAt[0] + 14, clickAt[1]);
    await waitFor(s, `!!document.querySelector('#intake form')`, 'the intake form');
  }
  await s.click('#intake-submit');
  await waitFor(s, `!!document.querySelector('#intake-dups li[data-case="${caseId}"]')`, `the first case ${caseId} listed as a duplicate candidate`);
  await shot(s, 'cases-04-duplicate-caught');
  await s.click(`#intake-dups [data-link="${caseId}"]`);
  await waitFor(s, `document.getElementById('intake-result')?.dataset.outcome === 'linked'`, 'the report linked to the first case');
  await waitFor(s, `document.querySelectorAll('#case-timeline li').length >= 2`, `a second timeline entry (the linked duplicate report) on ${caseId}`);
});

test('each role in turn takes the case through filing, dispatch, feedback, rework, check and closing', async () => {
  await act('receptionist', 'accept', 'accepted');
  await act('shiftleader', 'file', 'filed');
  await act('dispatcher', 'dispatch', 'handling', async () => {
    await s.execute(`document.querySelector('#action-form [name=department]').value = 'D02';`);
  });
  await act('department', 'feedback', 'checking', async () => {
    await attachPhoto('#action-form [name=photo]');
    await s.execute(`document.querySelector('#action-form [name=note]').value = '已修复';`);
  });
  await waitFor(s, `document.querySelectorAll('#case-photos img[data-phase=after]').length > 0 && [...document.querySelectorAll('#case-photos img')].every((i) => i.complete && i.naturalWidth > 0)`, 'the after-photo thumbnail in the panel');
  await shot(s, 'cases-05-feedback-photo');
  await act('inspector', 'check_fail', 'handling', async () => {
    await s.execute(`document.querySelector('#action-form [name=reason]').value = '未修复到位';`);
  });
  await shot(s, 'cases-06-rework');
  await act('department', 'feedback', 'checking', async () => { await attachPhoto('#action-form [name=photo]'); });
  await act('inspector', 'check_pass', 'to_close');
  await act('shiftleader', 'close', 'closed');
  const tl = await s.execute(`return [...document.querySelectorAll('#case-timeline li')].map((l) => l.dataset.action);`);
  for (const a of ['report', 'accept', 'file', 'dispatch', 'feedback', 'check_fail', 'check_pass', 'close']) {
    assert.ok(tl.includes(a), `expected "${a}" in the timeline, got ${JSON.stringify(tl)}`);
  }
  const offered = await s.execute(`return document.querySelectorAll('#case-actions [data-action]').length;`);
  assert.equal(offered, 0, 'expected no action offered on a closed case');
  await shot(s, 'cases-07-closed-timeline');
});

/** Colour of the case overlay's overdue points (#d7263d) and of the others (#2a9d8f). */
const overdueRed = (r, g, b) => r > 170 && g < 90 && b < 110 && r - g > 100;

test('a report filed ten days ago shows as overdue in the panel, the list and on the map', async () => {
  await signInAs('inspector');
  await s.execute(`document.getElementById('case-panel')?.remove();`);
  // A place with no case point within 20 px, so that the new case's own point shows there.
  const spot = await s.execute(`const m = window.__griddesk.view.map; const r = m.getContainer().getBoundingClientRect();
    for (let dy = -80; dy <= 80; dy += 40) for (let dx = -200; dx <= 200; dx += 40) {
      const x = r.width / 2 + dx; const y = r.height / 2 + dy;
      if (Math.hypot(dx, dy) < 60) continue;
      if (m.queryRenderedFeatures([[x - 20, y - 20], [x + 20, y + 20]], { layers: ['cases-overlay'] }).length === 0) {
        const ll = m.unproject([Math.round(r.x + x) - r.x, Math.round(r.y + y) - r.y]);
        return [Math.round(r.x + x), Math.round(r.y + y), ll.lng, ll.lat, 40075016.686 * Math.cos(ll.lat * Math.PI / 180) / (512 * 2 ** m.getZoom())];
      }
    }
    return null;`);
  assert.ok(spot, 'expected a free place for the late case in the view');
  await s.clickAt(spot[0], spot[1]);
  await waitFor(s, `!!document.querySelector('#intake form')`, 'the intake form');
  await s.execute(`
    const d = new Date(Date.now() - 10 * 24 * 3600 * 1000); const p = (n) => String(n).padStart(2, '0');
    document.querySelector('#intake [name=reported_at]').value = d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T09:00:00';
    const sel = document.querySelector('#intake-class'); sel.value = sel.options[sel.options.length - 1].value; sel.dispatchEvent(new Event('change'));`);
  await s.click('#intake-submit');
  const first = await waitFor(s, `document.getElementById('intake-result')?.dataset.case || (document.getElementById('intake-proceed') ? 'dups' : '') || document.querySelector('#intake-out .error')?.textContent`, 'a created case');
  if (first === 'dups') await s.click('#intake-proceed');
  const late = await waitFor(s, `document.getElementById('intake-result')?.dataset.case`, 'the late case id');
  await waitFor(s, `document.getElementById('case-panel')?.dataset.case === '${late}' && document.querySelector('#case-clock [data-overdue]')`, 'the late case panel with its clock');
  const overdue = await s.execute(`return document.querySelector('#case-clock [data-overdue]').dataset.overdue;`);
  assert.equal(overdue, 'true', `expected case ${late}, reported ten days ago, to show as overdue`);
  await s.click('#cases-tab-list');
  await waitFor(s, `!!document.querySelector('#cases-filter')`, 'the case list filters');
  await s.execute(`const f = document.getElementById('cases-filter'); f.querySelector('[name=overdue]').value = 'true'; f.requestSubmit();`);
  await waitFor(s, `!!document.querySelector('#cases-list li[data-case="${late}"].overdue')`, `case ${late} in the list filtered to overdue cases, marked overdue`);
  // On the map: the new case's own point, flagged overdue and drawn red where it was reported.
  const detail = await s.evaluate(`return await window.__TAURI_INTERNALS__.invoke('cases_detail', { caseId: arguments[0] });`, late);
  await waitFor(s, `window.__griddesk.view.map.querySourceFeatures('cases-overlay').some((f) => f.properties.id === ${JSON.stringify(late)})`, `case ${late} in the map overlay`);
  await waitIdle(s);
  const at = await s.execute(`const m = window.__griddesk.view.map; const r = m.getContainer().getBoundingClientRect();
    const p = m.project(arguments[0]);
    const f = m.queryRenderedFeatures([p.x, p.y], { layers: ['cases-overlay'] }).map((x) => ({ id: x.properties.id, overdue: x.properties.overdue }));
    return { x: r.x + p.x, y: r.y + p.y, features: f };`, detail.location);
  const [dx, dy] = [(detail.location[0] - spot[2]) * 111195 * Math.cos((spot[3] * Math.PI) / 180), (detail.location[1] - spot[3]) * 111195];
  assert.ok(Math.hypot(dx, dy) < 2 * spot[4], `expected case ${late} where it was clicked (${spot.slice(2, 4)}), it is ${Math.hypot(dx, dy).toFixed(2)} m away at ${detail.location}`);
  assert.deepEqual(at.features[0], { id: late, overdue: true }, `expected case ${late}'s point on top at its place, flagged overdue: ${JSON.stringify(at.features)}`);
  const img = await shot(s, 'cases-08-overdue');
  const dot = countPixels(img, { x: at.x - 3, y: at.y - 3, width: 7, height: 7 }, overdueRed);
  assert.ok(dot.fraction > 0.9, `expected case ${late}'s point drawn red (${dot.hits} of ${dot.total} px around its centre)`);
});

test('an administrator manages accounts and reads and checks the audit', async () => {
  await signInAs('admin');
  await s.execute(`document.getElementById('settings').hidden = false; document.getElementById('users-open').click();`);
  await waitFor(s, `!!document.querySelector('#users-table tr[data-user="leader"]')`, 'the users table');
  const demoMarked = await s.execute(`return document.querySelector('#users-table tr[data-user="inspector"]').textContent;`);
  assert.match(demoMarked, /演示账号/, `expected the inspector marked as a demo account: ${demoMarked}`);
  // Disable the leader: the row says so, and the audit has the change with who made it.
  await s.click('#users-table button[data-user-toggle="leader"]');
  await waitFor(s, `/已停用/.test(document.querySelector('#users-table tr[data-user="leader"]').textContent)`, 'the leader disabled');
  await s.click('#audit-refresh');
  const row = await waitFor(s, `document.querySelector('#audit-table tr[data-audit="user.disable"]')?.textContent`, 'the user.disable audit row');
  assert.match(row, /admin/, row);
  assert.match(row, /leader/, row);
  // The last administrator stays.
  await s.click('#users-table button[data-user-toggle="admin"]');
  const refusal = await waitFor(s, `document.querySelector('#users-out .error')?.dataset.errorDetail`, 'a refusal for the last administrator');
  assert.equal(refusal, 'last-administrator');
  await s.click('#audit-check');
  const ok = await waitFor(s, `document.getElementById('audit-check-result')?.dataset.ok`, 'the audit check');
  assert.equal(ok, 'true', 'expected the audit chain whole');
  await shot(s, 'cases-09-users-audit');
  await s.click('#users-table button[data-user-toggle="leader"]');
  await waitFor(s, `/在用/.test(document.querySelector('#users-table tr[data-user="leader"]').textContent)`, 'the leader enabled again');
  await s.click('#users-close');
});
