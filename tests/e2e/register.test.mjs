// End-to-end: the components register (部件) in the real window. Browses and searches the table,
// opens a component with its QR code, saves a plate sheet PDF, pastes a scanned payload and
// starts a case on it, adds a component by a map click (its new code appears in the table),
// edits it, and as the administrator adds a holiday and changes a time limit.
// Screenshots: artifacts/e2e/register-*.png; plate sheets go to a private GRIDDESK_EXPORT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Driver, repo, shot, waitFor, waitIdle } from './lib/harness.mjs';

const exportDir = mkdtempSync(join(tmpdir(), 'griddesk-plates-'));
process.env.GRIDDESK_EXPORT_DIR = exportDir;

let driver;
let s;
let firstCode;
let payload;

before(async () => {
  driver = await new Driver().start();
  s = await driver.launch();
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
  assert.ok(await s.signedIn, `expected the demo inspector to be signed in: ${s.signInFailure}`);
  await waitIdle(s, 60000);
});

after(async () => {
  if (s) await s.delete().catch(() => undefined);
  await driver?.stop();
  if (process.env.GRIDDESK_E2E_VERBOSE) console.log(driver?.output());
});

/** Scrolls `css` into the middle of its scrolling pane, then clicks it as a user would. */
async function press(css) {
  await s.execute(`document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });`, css);
  await s.click(css);
}

const total = () => s.execute(`return Number(document.getElementById('reg-table')?.dataset.total ?? -1);`);

/** Fills the register's search form and waits for the table to show the result. */
async function search(fields) {
  const n = await s.execute(`return Number(document.getElementById('reg-body')?.dataset.rendered ?? 0);`);
  await s.execute(`
    const f = document.getElementById('reg-filter');
    for (const [k, v] of Object.entries(arguments[0])) f.querySelector('[name=' + k + ']').value = v;
    f.requestSubmit();`, fields);
  await waitFor(s, `Number(document.getElementById('reg-body')?.dataset.rendered ?? 0) > ${n} && !!document.getElementById('reg-table')`, 'the searched table');
}

test('the register lists, pages and searches components', async () => {
  await s.click('#workspace-tabs [data-workspace="register"]');
  await waitFor(s, `document.body.dataset.workspace === 'register' && Number(document.getElementById('reg-table')?.dataset.total) > 0`, 'the components table');
  const all = await total();
  assert.ok(all > 25, `expected the sample district's components to fill more than one page, got ${all}`);
  const rows = await s.execute(`return document.querySelectorAll('#reg-table tbody tr').length;`);
  assert.equal(rows, 25, 'expected a full first page of 25 rows');
  firstCode = await s.execute(`return document.querySelector('#reg-table tbody tr').dataset.code;`);
  await press('#reg-next');
  await waitFor(s, `document.querySelector('.pager')?.textContent.includes('26–')`, 'the second page');
  await shot(s, 'register-01-table');

  assert.match(firstCode, /^\d{16}$/);
  await search({ text: firstCode, class: '', state: '', grid: '' });
  assert.equal(await total(), 1, `only ${firstCode} after searching its code`);
  const klass = firstCode.slice(6, 10);
  await search({ text: '', class: klass, state: '', grid: '' });
  const byClass = await s.execute(`return [...document.querySelectorAll('#reg-table tbody tr')].map((r) => r.dataset.code.slice(6, 10));`);
  assert.ok(byClass.length > 0 && byClass.every((c) => c === klass), `expected only class ${klass}, got ${JSON.stringify(byClass)}`);
  await search({ text: '', class: '', state: 'damaged', grid: '' });
  const states = await s.execute(`return [...document.querySelectorAll('#reg-table tbody tr')].map((r) => r.children[3].textContent);`);
  assert.ok(states.length > 0 && states.every((t) => t === '破损'), `expected only damaged components, got ${JSON.stringify(states)}`);
  assert.ok((await total()) < all, 'the state filter narrows the table');
  await search({ text: '', class: '', state: '', grid: '' });
  assert.equal(await total(), all, 'the whole register again');
});

test('a component opens in its panel with its QR code and payload; the map flies there', async () => {
  await press(`#reg-table tr[data-code="${firstCode}"] td:nth-child(2)`);
  await waitFor(s, `document.getElementById('component-panel')?.dataset.code === '${firstCode}'`, `the panel of ${firstCode}`);
  await waitFor(s, `document.getElementById('component-qr')?.complete && document.getElementById('component-qr').naturalWidth > 50`, 'the QR image');
  payload = await s.execute(`return document.getElementById('component-payload').textContent;`);
  assert.ok(payload.startsWith('GD1') && payload.includes(firstCode), `expected a GD1 payload with the code, got ${payload}`);
  const fields = await s.execute(`return Object.fromEntries([...document.querySelectorAll('#component-panel dd[data-field]')].map((d) => [d.dataset.field, d.textContent]));`);
  for (const k of ['code', 'class', 'owner', 'maintainer', 'state', 'grid', 'location']) assert.ok(k in fields, `panel shows ${k}`);
  await waitIdle(s, 60000);
  const zoom = await s.execute(`return window.__griddesk.view.map.getZoom();`);
  assert.ok(zoom >= 17.5, `expected the map to fly in to the component, zoom ${zoom}`);
  await shot(s, 'register-02-component-qr');
});

test('ticked components print to a plate sheet PDF', async () => {
  await s.execute(`[...document.querySelectorAll('#reg-table .reg-pick')].slice(0, 5).forEach((b) => b.click());`);
  await waitFor(s, `document.getElementById('reg-picked')?.dataset.count === '5'`, 'five ticked components');
  await press('#reg-plates-pdf');
  const files = JSON.parse(await waitFor(s, `document.getElementById('reg-plates-saved')?.dataset.files || document.querySelector('#reg-out .error')?.textContent`, 'the saved plate sheet'));
  assert.equal(files.length, 1);
  assert.ok(files[0].startsWith(exportDir), `expected the sheet in ${exportDir}, got ${files[0]}`);
  assert.ok(existsSync(files[0]));
  const head = readFileSync(files[0]).subarray(0, 4).toString('latin1');
  assert.equal(head, '%PDF');
  await press('#reg-plates-png');
  const pngs = JSON.parse(await waitFor(s, `document.getElementById('reg-plates-saved')?.dataset.files?.includes('.png') && document.getElementById('reg-plates-saved').dataset.files`, 'the PNG sheet'));
  assert.deepEqual([...readFileSync(pngs[0]).subarray(1, 4)], [0x50, 0x4e, 0x47]);
});

test('a pasted payload opens the component and starts a case on it', async () => {
  await s.execute(`document.getElementById('component-panel')?.remove();`);
  await s.execute(`document.getElementById('reg-scan-text').value = arguments[0];`, `  ${payload}\n`);
  await press('#reg-scan-read');
  await waitFor(s, `document.getElementById('reg-scanned')?.dataset.code === '${firstCode}'`, 'the scanned component');
  await waitFor(s, `document.getElementById('intake-component')?.dataset.component === '${firstCode}'`, 'the intake form on the component');
  const src = await s.execute(`return document.querySelector('#intake [name=source]').value;`);
  assert.equal(src, 'qr_code');
  await s.execute(`document.querySelector('#intake [name=description]').value = '扫码上报 e2e';`);
  await shot(s, 'register-03-scan-intake');
  await press('#intake-submit');
  const first = await waitFor(s, `document.getElementById('intake-result')?.dataset.case || (document.getElementById('intake-proceed') ? 'dups' : '') || document.querySelector('#intake-out .error')?.textContent`, 'a created case');
  if (first === 'dups') await press('#intake-proceed');
  const id = await waitFor(s, `document.getElementById('intake-result')?.dataset.case`, 'the new case id');
  assert.match(id, /^\d{4}-\d{7}$/);
  await waitFor(s, `document.getElementById('case-panel')?.dataset.case === '${id}'`, 'the new case panel');
  await shot(s, 'register-04-case-from-plate');
  await s.execute(`document.getElementById('case-panel')?.remove();`);
});

test('a component added by a map click gets the next code and appears in the table; an edit is recorded', async () => {
  await s.execute(`document.getElementById('component-panel')?.remove();`);
  await press('#reg-add');
  await waitFor(s, `!!document.getElementById('reg-add-hint')`, 'add mode');
  const r = await s.execute(`const r = document.getElementById('map').getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height };`);
  await s.clickAt(r.x + r.w * 0.35, r.y + r.h * 0.5);
  await waitFor(s, `!!document.getElementById('reg-new-class')`, 'the new-component form');
  const cls = await s.execute(`const sel = document.getElementById('reg-new-class'); sel.value = '0101'; sel.dispatchEvent(new Event('change')); return sel.value;`);
  assert.equal(cls, '0101');
  const next = await waitFor(s, `document.getElementById('reg-new-code')?.dataset.code`, 'the next free code');
  assert.match(next, /^\d{6}0101\d{6}$/);
  await s.execute(`document.querySelector('#reg-new [name=owner]').value = '自来水公司 e2e';`);
  await shot(s, 'register-05-new-component');
  await press('#reg-new-save');
  const made = await waitFor(s, `document.getElementById('reg-created')?.dataset.code || document.querySelector('#reg-new-out .error')?.textContent`, 'the created component');
  assert.equal(made, next, 'the saved component has the code shown before saving');
  await waitFor(s, `!!document.querySelector('#reg-table tr[data-code="${next}"]')`, `${next} in the table`);
  await waitFor(s, `document.getElementById('component-panel')?.dataset.code === '${next}'`, 'its panel');
  await s.execute(`const f = document.getElementById('component-edit'); f.querySelector('[name=state]').value = 'damaged'; f.querySelector('[name=maintainer]').value = '市政养护所';`);
  await press('#component-save');
  await waitFor(s, `document.getElementById('component-panel')?.dataset.state === 'damaged' && document.querySelectorAll('#component-history li').length === 2`, 'the state change in the history');
  const acts = await s.execute(`return [...document.querySelectorAll('#component-history li')].map((l) => l.dataset.action);`);
  assert.deepEqual(acts, ['create', 'edit+state']);
  await press('#reg-add');
  await shot(s, 'register-06-component-history');
});

test('the case list opens a new-case form whose place is typed as lon/lat', async () => {
  await s.click('#workspace-tabs [data-workspace="cases"]');
  await waitFor(s, `!!document.getElementById('cases-new') && !document.getElementById('cases-new').hidden`, 'the new-case button');
  await press('#cases-new');
  await waitFor(s, `!!document.querySelector('#intake form')`, 'the intake form');
  await press('#intake-submit');
  await waitFor(s, `document.querySelector('#intake-out .error')?.dataset.errorCode === 'invalid-input'`, 'a request for the place');
  const loc = await s.execute(`return window.__griddesk.view.map.getCenter().toArray();`);
  const typed = [Number((loc[0] + 0.0007).toFixed(6)), Number((loc[1] - 0.0004).toFixed(6))];
  await s.execute(`document.getElementById('intake-lon').value = arguments[0]; document.getElementById('intake-lat').value = arguments[1];`, typed[0].toFixed(6), typed[1].toFixed(6));
  await press('#intake-submit');
  const first = await waitFor(s, `document.getElementById('intake-result')?.dataset.case || (document.getElementById('intake-proceed') ? 'dups' : '') || document.querySelector('#intake-out .error')?.textContent`, 'a created case');
  if (first === 'dups') await press('#intake-proceed');
  const id = await waitFor(s, `document.getElementById('intake-result')?.dataset.case`, 'the new case id');
  assert.match(id, /^\d{4}-\d{7}$/);
  // The case landed where it was typed, in the grid the engine finds there.
  const detail = await s.evaluate(`return await window.__TAURI_INTERNALS__.invoke('cases_detail', { caseId: arguments[0] });`, id);
  assert.ok(Math.abs(detail.location[0] - typed[0]) < 1e-7 && Math.abs(detail.location[1] - typed[1]) < 1e-7,
    `expected case ${id} at the typed ${typed}, it is at ${detail.location}`);
  const grid = await s.evaluate(`return await window.__griddesk.api.gridAt(arguments[0], arguments[1]);`, typed[0], typed[1]);
  assert.ok(grid, `expected the typed place ${typed} inside a grid`);
  assert.equal(detail.grid, grid, `expected case ${id} in grid ${grid}, the grid at the typed place`);
  await s.execute(`document.getElementById('case-panel')?.remove();`);
});

test('the administrator adds a holiday and changes a time limit', async () => {
  await s.execute(`document.getElementById('settings').hidden = false; document.getElementById('sign-out').click();`);
  await waitFor(s, `!!document.querySelector('#signin form')`, 'the sign-in overlay');
  await s.type('#signin-login', 'admin');
  await s.type('#signin-password', 'admin@2026');
  await s.click('#signin-submit');
  await waitFor(s, `document.body.dataset.signedIn === 'admin'`, 'signed in as admin');
  await s.execute(`document.getElementById('settings').hidden = true;`);
  await s.click('#workspace-tabs [data-workspace="register"]');
  await waitFor(s, `!!document.getElementById('reg-clock')`, 'the clock settings button for the administrator');
  await press('#reg-clock');
  await waitFor(s, `!!document.querySelector('#cal-days li[data-date]')`, 'the shipped holidays of the year');
  await s.execute(`document.getElementById('cal-year').value = '2026'; document.getElementById('cal-year').dispatchEvent(new Event('change'));`);
  await waitFor(s, `document.getElementById('cal-days')?.dataset.year === '2026' && !!document.querySelector('#cal-days li[data-date="2026-10-01"]')`, 'the 2026 National Day holiday');
  await s.execute(`document.getElementById('cal-date').value = '2026-11-12'; document.getElementById('cal-kind').value = 'holiday'; document.getElementById('cal-note').value = '区庆 e2e';`);
  await press('#cal-add-submit');
  await waitFor(s, `document.querySelector('#cal-days li[data-date="2026-11-12"]')?.dataset.kind === 'holiday'`, 'the new holiday listed');
  const text = await s.execute(`return document.querySelector('#cal-days li[data-date="2026-11-12"]').textContent;`);
  assert.ok(text.includes('区庆 e2e'));
  await waitFor(s, `document.querySelectorAll('#lim-table td[data-cell]').length > 0`, 'the time limits of the first class');
  const cond = await s.execute(`return document.getElementById('lim-condition').value;`);
  await s.execute(`document.getElementById('lim-stage').value = 'handle'; document.getElementById('lim-area').value = 'B'; document.getElementById('lim-amount').value = '7'; document.getElementById('lim-unit').value = 'calendar_day';`);
  await press('#lim-save');
  await waitFor(s, `!!document.getElementById('lim-saved')`, 'the limit saved');
  const cell = await s.execute(`return document.querySelector('#lim-table td[data-cell="${cond}/handle/B"]').textContent;`);
  assert.equal(cell, '7 自然日');
  await shot(s, 'register-07-clock-settings');
  // Removing the holiday again lists it no more.
  await press('#cal-days [data-remove="2026-11-12"]');
  await waitFor(s, `!document.querySelector('#cal-days li[data-date="2026-11-12"]')`, 'the holiday removed');
});

test('a date another process changed after the list was shown is refused, and theirs stays', async () => {
  // The clock settings are open from the test before, showing 2026 without 2026-11-20.
  await waitFor(s, `document.getElementById('cal-days')?.dataset.year === '2026'`, 'the 2026 list');
  assert.equal(await s.execute(`return !!document.querySelector('#cal-days li[data-date="2026-11-20"]');`), false);
  // Another process (the CLI on the same store, as a station's script would) sets that date.
  const info = await s.evaluate(`return await window.__TAURI_INTERNALS__.invoke('app_info');`);
  const csv = join(exportDir, 'holiday-cli.csv');
  writeFileSync(csv, 'date,kind,festival\n2026-11-20,holiday,命令行 e2e\n');
  const cli = join(repo, 'target/debug/griddesk');
  const r = spawnSync(cli, ['calendar', 'import', info.store_path, csv, '--admin'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cli} calendar import: ${r.stderr}`);
  // This window still lists no entry for the date: adding one is refused, not applied.
  await s.execute(`document.getElementById('cal-date').value = '2026-11-20'; document.getElementById('cal-kind').value = 'workday'; document.getElementById('cal-note').value = '窗口 e2e';`);
  await press('#cal-add-submit');
  await waitFor(s, `document.querySelector('#cal-out .error')?.dataset.errorDetail === 'changed-since'`, 'the changed-since refusal');
  const said = await s.execute(`return document.querySelector('#cal-out .error').textContent;`);
  assert.match(said, /日历日期 2026-11-20 在您打开后已被他人修改/);
  await shot(s, 'register-08-changed-since');
  // Shown again, the list has the other process's entry, unchanged.
  await s.execute(`document.getElementById('cal-year').dispatchEvent(new Event('change'));`);
  await waitFor(s, `document.querySelector('#cal-days li[data-date="2026-11-20"]')?.dataset.kind === 'holiday'`, 'the CLI holiday listed');
  const text = await s.execute(`return document.querySelector('#cal-days li[data-date="2026-11-20"]').textContent;`);
  assert.ok(text.includes('命令行 e2e'), text);
});

test('the register imports a components file through the same import dialog as the File menu', async () => {
  // Two new components of class 0101 in the district, with codes the sample does not use.
  const file = join(exportDir, 'components-e2e.csv');
  const codes = ['3310030101990101', '3310030101990102'];
  writeFileSync(file, [
    'lon,lat,code,class_code,owner,maintainer,state',
    `121.2600,28.6535,${codes[0]},0101,自来水公司 e2e,市政养护,intact`,
    `121.2610,28.6540,${codes[1]},0101,自来水公司 e2e,市政养护,damaged`,
  ].join('\n') + '\n');
  await s.execute(`document.getElementById('clock-settings-close')?.click();`);
  await s.click('#workspace-tabs [data-workspace="register"]');
  await waitFor(s, `Number(document.getElementById('reg-table')?.dataset.total) > 0`, 'the components table');
  await search({ text: '', class: '', state: '', grid: '' });
  const before = await total();
  await press('#reg-import');
  await waitFor(s, `document.getElementById('transfer')?.dataset.mode === 'import'`, 'the import dialog');
  assert.equal(await s.execute(`return document.getElementById('transfer-dataset').value;`), 'components');
  await s.execute(`const e = document.getElementById('transfer-path'); e.value = arguments[0]; e.dispatchEvent(new Event('change'));
    document.getElementById('transfer-result').dataset.state = ''; document.getElementById('transfer-check').click();`, file);
  await waitFor(s, `['checked', 'error'].includes(document.getElementById('transfer-result').dataset.state)`, 'the check of the file', 60000);
  const checked = await s.text('#transfer-result');
  assert.match(checked, /可导入 2 条记录/, `expected 2 importable records: ${checked}`);
  // The import refreshes the store: the page starts over on it.
  await s.execute(`document.getElementById('transfer-run').click();`);
  await waitFor(s, `document.body.dataset.screen === 'map' && !document.getElementById('transfer') && window.__griddesk.status !== null`, 'the map after the import', 120000);
  await waitFor(s, `document.body.dataset.signedIn === 'admin'`, 'the session kept over the reload');
  await s.execute(`window.__griddesk.selectWorkspace('register');`);
  await waitFor(s, `Number(document.getElementById('reg-table')?.dataset.total) > 0`, 'the components table after the import');
  assert.equal(await total(), before + 2, 'expected the two imported components in the register');
  await search({ text: '990101', class: '', state: '', grid: '' });
  const rows = await s.execute(`return [...document.querySelectorAll('#reg-table tbody tr')].map((r) => [r.dataset.code, r.children[3].textContent]);`);
  assert.deepEqual(rows, [[codes[0], '完好']], `expected ${codes[0]} found, intact`);
  await search({ text: codes[1], class: '', state: '', grid: '' });
  const second = await s.execute(`return [...document.querySelectorAll('#reg-table tbody tr')].map((r) => [r.dataset.code, r.children[3].textContent]);`);
  assert.deepEqual(second, [[codes[1], '破损']], `expected ${codes[1]} found, damaged`);
  await shot(s, 'register-08-imported');
});
