// End-to-end: the street registers (街面台账) in the real window. As the administrator: service
// objects created through the form (a credit code with a wrong check character refused with the
// engine's message, a right one accepted), found by search, their history; a CSV with bad rows
// checked (every reject listed by line and column, nothing imported), a good CSV and an XLSX
// imported; a notice to an industry previewed, sent, its letters shown for printing and its
// recipient list exported as XLSX; a vendor turning yellow, green and red after three refused
// warnings; a vending zone drawn on the map, open all week, the vendor admitted; a 0501 case
// reported inside it showing the vending-zone and red-vendor hints. As the inspector: the
// vendor's phone masked. As the administrator again: the lookup log lists those lookups.
// Screenshots: artifacts/e2e/street-*.png; exports go to a private GRIDDESK_EXPORT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Driver, shot, waitFor, waitIdle } from './lib/harness.mjs';

const exportDir = mkdtempSync(join(tmpdir(), 'griddesk-street-'));
process.env.GRIDDESK_EXPORT_DIR = exportDir;
const fixtures = mkdtempSync(join(tmpdir(), 'griddesk-street-fix-'));

let driver;
let s;
/** `[lon, lat]` of the map centre at z17 once the register is open, and of a few nearby spots. */
let centre;
let zoneCentre;
const tag = `e2e${Date.now() % 100000}`;
const names = { h1: `${tag}鲜果坊`, h2: `${tag}面馆`, f1: `${tag}五金店`, csvH: `${tag}茶楼`, csvF: `${tag}文具店`, xlsx: `${tag}花店` };
let firstId;
/** A point 1 m or so from the first shop's frontage. */
let frontagePoint;
let vendorId;
const vendorName = `${tag}王小贩`;

before(async () => {
  driver = await new Driver().start();
  s = await driver.launch({ signIn: { login: 'admin', password: 'admin@2026' } });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
  assert.ok(await s.signedIn, `expected the demo administrator to be signed in: ${s.signInFailure}`);
  await waitIdle(s, 60000);
});

after(async () => {
  if (s) await s.delete().catch(() => undefined);
  await driver?.stop();
  if (process.env.GRIDDESK_E2E_VERBOSE) console.log(driver?.output());
});

const password = (login) => `${login}@2026`;

async function signInAs(login) {
  const cur = await s.execute(`return document.body.dataset.signedIn || '';`);
  if (cur === login) return;
  if (cur) await s.execute(`document.getElementById('settings').hidden = false; document.getElementById('sign-out').click();`);
  await waitFor(s, `!!document.querySelector('#signin form')`, 'the sign-in overlay');
  await s.type('#signin-login', login);
  await s.type('#signin-password', password(login));
  await s.click('#signin-submit');
  await waitFor(s, `document.body.dataset.signedIn === ${JSON.stringify(login)}`, `to be signed in as ${login}`);
  await s.execute(`document.getElementById('settings').hidden = true;`);
}

/** Scrolls `css` into the middle of its scrolling pane, then clicks it as a user would. */
async function press(css) {
  await s.execute(`document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });`, css);
  await s.click(css);
}

/** Sets form fields (`name` → value) inside `css` and fires their change events. */
async function setFields(css, fields) {
  await s.execute(`const f = document.querySelector(arguments[0]);
    for (const [k, v] of Object.entries(arguments[1])) {
      const e = f.querySelector('[name="' + k + '"]');
      if (!e) throw new Error('no field ' + k);
      e.value = v; e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change'));
    }`, css, fields);
}

/** The screen point of `[lon, lat]` (page coordinates for a mouse click). */
async function screenOf(ll) {
  return s.execute(`const m = window.__griddesk.view.map; const r = m.getContainer().getBoundingClientRect();
    const p = m.project(arguments[0]); return [r.x + p.x, r.y + p.y];`, ll);
}

/** The lon/lat of the map point `dx`, `dy` pixels from the centre. */
async function lonLatAt(dx, dy) {
  return s.execute(`const m = window.__griddesk.view.map; const c = m.getContainer().getBoundingClientRect();
    const ll = m.unproject([c.width / 2 + arguments[0], c.height / 2 + arguments[1]]); return [ll.lng, ll.lat];`, dx, dy);
}

async function clickLonLat(ll) {
  const [x, y] = await screenOf(ll);
  await s.clickAt(x, y);
}

async function openTab(k) {
  await press(`#street-tab-${k}`);
  await waitFor(s, `document.getElementById('street-body')?.dataset.tab === '${k}'`, `the ${k} tab`);
}

async function searchObjects(fields) {
  const n = await s.execute(`return Number(document.getElementById('street-table-host')?.dataset.rendered ?? 0);`);
  await setFields('#street-filter', { text: '', kind: '', section: '', subclass: '', status: '', area: '', verified: '', ...fields });
  await s.execute(`document.getElementById('street-filter').requestSubmit();`);
  await waitFor(s, `Number(document.getElementById('street-table-host')?.dataset.rendered ?? 0) > ${n} && !!document.getElementById('street-table')`, 'the searched register');
  return s.execute(`return [...document.querySelectorAll('#street-table tbody tr')].map((r) => r.children[0].textContent.replace(' ✓', ''));`);
}

/** Fills and saves the object form; returns the error shown, or null once the panel shows the saved object. */
async function saveObjectForm(fields) {
  const seq = await s.execute(`return Number(document.getElementById('street-panel')?.dataset.loaded ?? 0);`);
  await setFields('#street-form', fields);
  await s.execute(`document.getElementById('street-form-out').replaceChildren();`);
  await press('#street-form-save');
  // Refused (the engine's message under the form), or saved: the form gone and the panel loaded anew.
  return waitFor(s, `document.querySelector('#street-form-out .error') ? { error: document.querySelector('#street-form-out .error').dataset.errorDetail, text: document.querySelector('#street-form-out .error').textContent }
    : (!document.getElementById('street-form') && Number(document.getElementById('street-panel')?.dataset.loaded ?? 0) > ${seq} && document.getElementById('street-table') ? { id: Number(document.getElementById('street-panel').dataset.id) } : null)`, 'the object saved or refused');
}

test('service objects: created through the form (a wrong credit code refused), searched, their history', async () => {
  await s.click('#workspace-tabs [data-workspace="street"]');
  await waitFor(s, `document.body.dataset.workspace === 'street' && !!document.getElementById('street-table')`, 'the street register');
  // The urban core, street level: where the sample's grids are.
  await s.execute(`window.__griddesk.view.map.jumpTo({ zoom: 17 });`);
  await waitIdle(s, 60000);
  centre = await lonLatAt(0, 0);
  const grid = await s.execute(`return window.__griddesk.api.gridAt(arguments[0][0], arguments[0][1]);`, centre);
  assert.match(grid ?? '', /^\d{15}$/, `expected the map centre ${centre} in a unit grid`);
  const before = await s.execute(`return Number(document.getElementById('street-counts').dataset.objects);`);

  // The first shop: its place picked on the map.
  await press('#street-new');
  await waitFor(s, `!!document.getElementById('street-form')`, 'the object form');
  await press('#street-form-pick');
  await waitFor(s, `document.getElementById('street-form').hidden && !!document.getElementById('street-draw')`, 'the pick banner over the map');
  const spot = await lonLatAt(-40, 30);
  await clickLonLat(spot);
  await waitFor(s, `!document.getElementById('street-form').hidden && document.getElementById('street-form-lon').value !== ''`, 'the picked place in the form');
  const found = await waitFor(s, `document.getElementById('street-form-grid')?.dataset.grid`, 'the grid the engine finds');
  assert.match(found, /^\d{15}$/);
  const bad = await saveObjectForm({ name: names.h1, address: '劳动北路18号', kind: 'shop', section: 'H', credit_code: '91350100M000100Y44',
    legal_rep: '陈建国', phone: '13905761234', contact: '陈建国' });
  assert.ok(bad.error, `expected the wrong check character refused, got ${JSON.stringify(bad)}`);
  assert.match(bad.text, /信用代码|校验/, `the engine's message in Chinese: ${bad.text}`);
  await shot(s, 'street-01-credit-code-refused');
  const good = await saveObjectForm({ credit_code: '91350100M000100Y43' });
  assert.ok(good.id, `expected the object saved with a right credit code, got ${JSON.stringify(good)}`);
  firstId = good.id;
  const shown = await s.execute(`return Object.fromEntries([...document.querySelectorAll('#street-panel dd[data-field]')].map((d) => [d.dataset.field, d.textContent]));`);
  assert.equal(shown.credit_code, '91350100M000100Y43');
  assert.ok(shown.grid.startsWith(found), `the grid found by the engine: ${shown.grid}`);
  assert.equal(shown.phone, '13905761234', 'the administrator sees the phone in full');

  // Two more, their places typed.
  for (const [name, section, dx] of [[names.h2, 'H', 40], [names.f1, 'F', 80]]) {
    await press('#street-new');
    await waitFor(s, `!!document.getElementById('street-form')`, 'the object form');
    const ll = await lonLatAt(dx, -30);
    const r = await saveObjectForm({ name, address: `劳动北路${dx}号`, kind: 'shop', section, lon: ll[0].toFixed(6), lat: ll[1].toFixed(6) });
    assert.ok(r.id, `expected ${name} saved, got ${JSON.stringify(r)}`);
  }
  const after = await s.execute(`return Number(document.getElementById('street-counts').dataset.objects);`);
  assert.equal(after, before + 3, 'three objects more in the overview');

  const all = await searchObjects({ text: tag });
  assert.deepEqual([...all].sort(), [names.h1, names.h2, names.f1].sort());
  const h = await searchObjects({ text: tag, section: 'H' });
  assert.deepEqual([...h].sort(), [names.h1, names.h2].sort(), 'the section filter keeps the two restaurants/retail of H');

  // The history: an edit with its reason, the status before → after.
  await press(`#street-table tr[data-id="${firstId}"] td`);
  await waitFor(s, `document.getElementById('street-panel')?.dataset.id === '${firstId}' && !!document.getElementById('street-edit')`, 'the first object panel');
  await press('#street-edit');
  await waitFor(s, `!!document.getElementById('street-form')`, 'the edit form');
  const edited = await saveObjectForm({ status: 'suspended', reason: '装修停业' });
  assert.equal(edited.id, firstId);
  await waitFor(s, `document.querySelectorAll('#street-history > li').length === 2`, 'two history entries');
  const hist = await s.execute(`return [...document.querySelectorAll('#street-history > li')].map((l) => ({ a: l.dataset.action, t: l.textContent }));`);
  assert.deepEqual(hist.map((x) => x.a).sort(), ['create', 'edit']);
  const edit = hist.find((x) => x.a === 'edit');
  assert.match(edit.t, /装修停业/);
  assert.match(edit.t, /正常经营 → 停业/, `the status before → after: ${edit.t}`);
  // Back to operating (notices go to operating objects only).
  await press('#street-edit');
  await waitFor(s, `!!document.getElementById('street-form')`, 'the edit form');
  await saveObjectForm({ status: 'operating', reason: '恢复营业' });
  await waitFor(s, `document.querySelectorAll('#street-history > li').length === 3`, 'three history entries');
  // Verified at the desk (the administrator may): who and when, in the record and its history.
  const seq = await s.execute(`return Number(document.getElementById('street-panel').dataset.loaded);`);
  await press('#street-verify');
  await waitFor(s, `Number(document.getElementById('street-panel')?.dataset.loaded) > ${seq} && !!document.querySelector('#street-history > li[data-action="verify"]')`, 'the verification in the history');
  assert.match(await s.execute(`return document.querySelector('#street-panel dd[data-field=verified]').textContent;`), /^admin \d{4}-\d{2}-\d{2}/);
  await shot(s, 'street-02-object-history');

  // A click on its point on the map opens it.
  await s.execute(`document.getElementById('street-panel')?.remove();`);
  await s.execute(`window.__griddesk.view.map.jumpTo({ zoom: 18, center: arguments[0] });`, spot);
  await waitIdle(s, 60000);
  const hit = await s.execute(`const m = window.__griddesk.view.map; const p = m.project(arguments[0]);
    return m.queryRenderedFeatures([p.x, p.y], { layers: ['street-objects'] }).map((f) => f.properties.id);`, spot);
  assert.ok(hit.includes(firstId), `the new shop drawn on the map from the register tiles: ${JSON.stringify(hit)}`);
  await clickLonLat(spot);
  const opened = await waitFor(s, `document.getElementById('street-panel')?.dataset.id`, 'a panel opened by the map click');
  assert.equal(Number(opened), hit[0], 'the object under the click');
  await s.execute(`window.__griddesk.view.map.jumpTo({ zoom: 17, center: arguments[0] });`, centre);
  await waitIdle(s, 60000);
});

test('imports: a CSV with bad rows lists every reject and imports nothing; a good CSV and an XLSX import', async () => {
  await s.execute(`document.getElementById('street-panel')?.remove();`);
  const [a, b, c] = [await lonLatAt(-80, 60), await lonLatAt(0, 60), await lonLatAt(80, 60)];
  const f = (ll) => `${ll[0].toFixed(6)},${ll[1].toFixed(6)}`;
  const badCsv = join(fixtures, 'street-bad.csv');
  writeFileSync(badCsv, [
    '名称,地址,经度,纬度,行业门类,统一社会信用代码',
    `${tag}甲店,东路1号,${f(a)},H,91331003MA2E00001J`,
    `${tag}乙店,东路2号,${f(b)},H,91331003MA2E00002X`,
    `${tag}丙店,东路3号,abc,${f(c).split(',')[1]},F,`,
    `,东路4号,${f(c)},F,`,
  ].join('\n'));
  await press('#street-import-path');
  await s.execute(`document.getElementById('street-import-path').value = arguments[0];`, badCsv);
  await press('#street-import-check');
  const state = await waitFor(s, `document.getElementById('street-import-out')?.dataset.state`, 'the check of the bad file');
  assert.equal(state, 'rejected');
  const rejects = await s.execute(`return [...document.querySelectorAll('#street-rejects tr[data-line]')].map((r) => ({ line: r.dataset.line, field: r.dataset.field, where: r.children[0].textContent, what: r.children[1].textContent }));`);
  const lf = rejects.map((r) => `${r.line}:${r.field}`);
  for (const want of ['3:credit_code', '4:lon', '5:name']) assert.ok(lf.includes(want), `expected a reject at ${want}, got ${JSON.stringify(rejects)}`);
  for (const r of rejects) assert.match(r.where, /street-bad\.csv · 第 \d+ 行/, `file and line named: ${r.where}`);
  assert.equal(await s.execute(`return document.getElementById('street-import-run').disabled;`), true, 'import stays disabled');
  await shot(s, 'street-03-import-rejects');
  assert.deepEqual(await searchObjects({ text: `${tag}甲店` }), [], 'nothing of the bad file imported');

  const goodCsv = join(fixtures, 'street-good.csv');
  writeFileSync(goodCsv, [
    '名称,地址,经度,纬度,行业门类,统一社会信用代码,联系人,电话',
    `${names.csvH},东路1号,${f(a)},H,91331003MA2E00001J,李茶,13600001111`,
    `${names.csvF},东路3号,${f(c)},F,91331003MA2E00003Q,,`,
  ].join('\n'));
  await s.execute(`const p = document.getElementById('street-import-path'); p.value = arguments[0]; p.dispatchEvent(new Event('input'));`, goodCsv);
  await press('#street-import-check');
  await waitFor(s, `document.getElementById('street-import-out')?.dataset.state === 'checked'`, 'the good file checked');
  assert.equal(await s.execute(`return document.getElementById('street-import-report').dataset.valid;`), '2');
  await press('#street-import-run');
  await waitFor(s, `document.getElementById('street-import-out')?.dataset.state === 'imported'`, 'the good file imported');
  assert.equal(await s.execute(`return document.getElementById('street-import-report').dataset.imported;`), '2');

  // An XLSX written with python's zipfile (inline strings, numbers for lon/lat).
  const xlsx = join(fixtures, 'street-good.xlsx');
  const py = `
import sys, zipfile
from xml.sax.saxutils import escape
rows = [["名称","地址","经度","纬度","行业门类","统一社会信用代码"], ["${names.xlsx}","西路9号",${b[0].toFixed(6)},${b[1].toFixed(6)},"H","91331003MA2E00004U"]]
def cell(r, c, v):
    ref = "ABCDEFGH"[c] + str(r)
    if isinstance(v, float): return '<c r="%s"><v>%r</v></c>' % (ref, v)
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, escape(v))
data = "".join('<row r="%d">%s</row>' % (i + 1, "".join(cell(i + 1, j, v) for j, v in enumerate(r))) for i, r in enumerate(rows))
z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="服务对象" sheetId="1" r:id="rId1"/></sheets></workbook>')
z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + data + '</sheetData></worksheet>')
z.close()
`;
  const made = spawnSync('python3', ['-c', py, xlsx], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  await s.execute(`const p = document.getElementById('street-import-path'); p.value = arguments[0]; p.dispatchEvent(new Event('input'));`, xlsx);
  await press('#street-import-check');
  await waitFor(s, `document.getElementById('street-import-out')?.dataset.state === 'checked' || document.getElementById('street-import-out')?.dataset.state === 'rejected'`, 'the XLSX checked');
  const xr = await s.execute(`return document.getElementById('street-import-out').textContent;`);
  assert.equal(await s.execute(`return document.getElementById('street-import-report')?.dataset.valid;`), '1', `the XLSX row valid: ${xr}`);
  await press('#street-import-run');
  await waitFor(s, `document.getElementById('street-import-out')?.dataset.state === 'imported'`, 'the XLSX imported');
  const found = await searchObjects({ text: tag });
  for (const n of [names.csvH, names.csvF, names.xlsx]) assert.ok(found.includes(n), `expected ${n} imported, got ${JSON.stringify(found)}`);
  assert.equal(found.length, 6);
  // The engine's own template, as XLSX, lands in the export folder.
  await press('#street-template-xlsx');
  const tpl = await waitFor(s, `document.getElementById('street-template-saved')?.dataset.path`, 'the template written');
  assert.ok(tpl.startsWith(exportDir) && existsSync(tpl));
  assert.equal(readFileSync(tpl).subarray(0, 2).toString('latin1'), 'PK');
  // The register on the map, with the per-grid counts of this search.
  await s.execute(`const c = document.getElementById('street-choropleth'); c.checked = true; c.dispatchEvent(new Event('change'));`);
  const grids = await waitFor(s, `Number(document.body.dataset.streetCounts ?? 0)`, 'grids coloured by their objects');
  assert.ok(grids >= 1);
  await s.execute(`window.__griddesk.view.map.jumpTo({ zoom: 16 });`);
  await waitIdle(s, 60000);
  await shot(s, 'street-04-imported-map');
  await s.execute(`const c = document.getElementById('street-choropleth'); c.checked = false; c.dispatchEvent(new Event('change'));`);
  await s.execute(`window.__griddesk.view.map.jumpTo({ zoom: 17, center: arguments[0] });`, centre);
  await waitIdle(s, 60000);
});

test('a notice to industry H: preview, send, the letters, and its list exported as XLSX', async () => {
  // Who should receive it: every operating object of section H in the register.
  await searchObjects({ section: 'H', status: 'operating' });
  const operatingH = await s.execute(`return Number(document.getElementById('street-table').dataset.total);`);
  assert.ok(operatingH >= 4);
  await openTab('notices');
  await setFields('#notice-form', { title: `${tag}燃气安全温馨提示`, template: '尊敬的' });
  await s.execute(`const t = document.getElementById('notice-template'); t.selectionStart = t.selectionEnd = t.value.length;`);
  await press('[data-insert="{名称}"]');
  await s.execute(`const t = document.getElementById('notice-template'); t.value += '：请于{日期}前检查燃气管道。';`);
  await setFields('#notice-form', { target_kind: 'section' });
  await setFields('#notice-form', { target_key: 'H', channel: '短信' });
  await press('#notice-preview');
  const total = Number(await waitFor(s, `document.getElementById('notice-count')?.dataset.total`, 'the preview'));
  assert.equal(total, operatingH, 'the preview reaches every operating H object of the register');
  const recipients = await s.execute(`return [...document.querySelectorAll('#notice-recipients tbody tr')].map((r) => r.children[0].textContent);`);
  assert.equal(recipients.length, Math.min(total, 500), 'the table lists the recipients (the first 500)');
  if (total > 500) assert.ok(await s.execute(`return !!document.getElementById('notice-more');`), 'the table says it lists the first 500');
  else for (const n of [names.h1, names.h2, names.csvH, names.xlsx]) assert.ok(recipients.includes(n), `expected ${n} among the recipients`);
  assert.ok(!recipients.includes(names.f1), 'the F shop is not an H recipient');
  const text = await s.execute(`return document.querySelector('#notice-recipients tr[data-object]')?.title ?? '';`);
  assert.ok(!text.includes('{名称}') && !text.includes('{日期}'), `fields filled in: ${text}`);
  await shot(s, 'street-05-notice-preview');
  await press('#notice-send');
  const id = await waitFor(s, `document.getElementById('notice-sent')?.dataset.id`, 'the notice sent');
  assert.equal(Number(await s.execute(`return document.getElementById('notice-sent').dataset.recipients;`)), total);
  await waitFor(s, `!!document.querySelector('#notice-list li[data-id="${id}"]')`, 'the notice in the list');

  // The letters, one per recipient; only they are printed.
  await s.execute(`window.__printed = 0; window.print = () => { window.__printed += 1; };`);
  await press(`#notice-list li[data-id="${id}"] [data-print]`);
  const letters = Number(await waitFor(s, `document.getElementById('street-letters')?.dataset.letters`, 'the letters'));
  assert.equal(letters, total);
  const first = await s.execute(`return document.querySelector('#street-letters .letter .letter-text').textContent;`);
  assert.match(first, /^尊敬的.+：请于\d{4}年\d{2}月\d{2}日前检查燃气管道。$/);
  await shot(s, 'street-06-letters');
  await s.click('#letters-print');
  assert.equal(await s.execute(`return window.__printed;`), 1);
  const printOnly = await s.execute(`return [...document.styleSheets].some((sh) => { try { return [...sh.cssRules].some((r) => r.media && r.cssText.includes('printing-letters') && r.cssText.includes(':not(#street-letters)')); } catch { return false; } });`);
  assert.ok(printOnly, 'a print rule hides everything but the letters');
  await s.click('#letters-close');

  await press(`#notice-list li[data-id="${id}"] [data-export="xlsx"]`);
  const path = await waitFor(s, `document.getElementById('notice-exported')?.dataset.path || document.querySelector('#notice-export-out .error')?.textContent`, 'the exported list');
  assert.ok(path.startsWith(exportDir), `expected the list in ${exportDir}, got ${path}`);
  assert.ok(existsSync(path));
  assert.equal(readFileSync(path).subarray(0, 2).toString('latin1'), 'PK', 'an XLSX is a zip');
  const unzip = spawnSync('python3', ['-c', `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print("".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/") and n.endswith(".xml")))`, path], { encoding: 'utf8' });
  assert.equal(unzip.status, 0, unzip.stderr);
  for (const n of [names.h1, names.h2, names.csvH, names.xlsx]) assert.ok(unzip.stdout.includes(n), `expected ${n} in the exported XLSX`);
  assert.ok(!unzip.stdout.includes(names.f1) && !unzip.stdout.includes(names.csvF), 'no F shop in the list');
  assert.ok(unzip.stdout.includes('13905761234'), 'the administrator\'s export has the phones in full');
  await shot(s, 'street-07-notice-exported');

  // The shop's record shows the notice delivered.
  await openTab('objects');
  await searchObjects({ text: names.h1 });
  await press(`#street-table tr[data-id="${firstId}"] td`);
  await waitFor(s, `!!document.querySelector('#street-deliveries li[data-notice="${id}"]')`, 'the delivery on the shop');
  await s.execute(`document.getElementById('street-panel')?.remove();`);
});

test('a frontage drawn along the street in front of the shop', async () => {
  await openTab('objects');
  await searchObjects({ text: names.h1 });
  await press(`#street-table tr[data-id="${firstId}"] td`);
  await waitFor(s, `document.getElementById('street-panel')?.dataset.id === '${firstId}' && !!document.getElementById('street-frontage')`, 'the shop panel');
  const seq = await s.execute(`return Number(document.getElementById('street-panel').dataset.loaded);`);
  await press('#street-frontage');
  await waitFor(s, `document.getElementById('street-draw')?.dataset.mode === 'line'`, 'the frontage drawing banner');
  await waitIdle(s, 60000);
  const shop = await s.execute(`return document.querySelector('#street-panel dd[data-field=location]').textContent.split(', ').map(Number);`);
  const [x, y] = await screenOf(shop);
  for (const dx of [-45, 0, 45]) await s.clickAt(x + dx, y + 18);
  await waitFor(s, `document.getElementById('street-draw-count')?.dataset.count === '3'`, 'three frontage points');
  await shot(s, 'street-07b-frontage-drawing');
  await s.click('#street-draw-finish');
  await waitFor(s, `Number(document.getElementById('street-panel')?.dataset.loaded) > ${seq}`, 'the panel after the frontage');
  const f = await s.execute(`return document.querySelector('#street-panel dd[data-field=frontage]').textContent;`);
  assert.match(f, /3/, `the frontage with its three points: ${f}`);
  assert.ok(await s.execute(`return !!document.querySelector('#street-history > li[data-action="frontage"]');`), 'the frontage in the history');
  frontagePoint = await s.execute(`const m = window.__griddesk.view.map; const c = m.getContainer().getBoundingClientRect();
    const ll = m.unproject([arguments[0] - c.x + 10, arguments[1] - c.y + 18]); return [ll.lng, ll.lat];`, x, y);
  await s.execute(`document.getElementById('street-panel')?.remove();`);
});

test('a vendor turns yellow, green and red after three refused warnings', async () => {
  await openTab('vendors');
  await press('#vendor-new');
  await waitFor(s, `!!document.getElementById('vendor-form')`, 'the vendor form');
  await setFields('#vendor-form', { name: vendorName, phone: '13812345678', id_number: '331003199001011234', trade: '水果' });
  // The usual place: picked on the map, a little off the centre (the zone is drawn around it).
  zoneCentre = await lonLatAt(20, -60);
  await press('#vendor-form-pick');
  await waitFor(s, `!!document.getElementById('street-draw')`, 'the pick banner');
  await clickLonLat(zoneCentre);
  await waitFor(s, `document.getElementById('vendor-form-lon')?.value !== ''`, 'the usual place in the form');
  await press('#vendor-form-save');
  vendorId = Number(await waitFor(s, `!document.getElementById('vendor-form') && document.getElementById('vendor-panel')?.dataset.id || document.querySelector('#vendor-form-out .error')?.textContent`, 'the vendor saved'));
  assert.ok(vendorId > 0);
  assert.equal(await s.execute(`return document.getElementById('vendor-panel').dataset.colour;`), 'none');
  const colours = [];
  for (let i = 0; i < 3; i++) {
    await press('#vendor-warn');
    await waitFor(s, `!!document.getElementById('warning-form')`, 'the warning form');
    const place = await s.execute(`return document.getElementById('warning-lon').value;`);
    assert.ok(place !== '', 'the usual place is the default');
    await setFields('#warning-form', { matter: '占道经营', refused: 'yes' });
    await press('#warning-save');
    await waitFor(s, `!document.getElementById('warning-form') && document.querySelectorAll('#vendor-warnings li[data-refused]').length === ${i + 1}`, `warning ${i + 1} listed`);
    colours.push(await s.execute(`return document.getElementById('vendor-colour').dataset.colour;`));
    if (i === 0) await shot(s, 'street-08-vendor-yellow');
  }
  assert.deepEqual(colours, ['yellow', 'green', 'red']);
  const listed = await s.execute(`return document.querySelector('#vendor-list li[data-id="${vendorId}"]')?.dataset.colour;`);
  assert.equal(listed, 'red', 'the list badge follows the engine');
  await shot(s, 'street-09-vendor-red');
});

test('a vending zone drawn on the map, the vendor admitted; a 0501 case inside it carries the zone and red-vendor hints', async () => {
  await openTab('zones');
  await s.execute(`window.__griddesk.view.map.jumpTo({ zoom: 17, center: arguments[0] });`, zoneCentre);
  await waitIdle(s, 60000);
  await press('#zone-draw');
  await waitFor(s, `document.getElementById('street-draw')?.dataset.mode === 'polygon'`, 'the drawing banner');
  const [cx, cy] = await screenOf(zoneCentre);
  for (const [dx, dy] of [[-90, -70], [90, -70], [90, 70], [-90, 70]]) await s.clickAt(cx + dx, cy + dy);
  await waitFor(s, `document.getElementById('street-draw-count')?.dataset.count === '4'`, 'four corners');
  await shot(s, 'street-10-zone-drawn');
  await s.click('#street-draw-finish');
  await waitFor(s, `document.getElementById('zone-ring')?.dataset.points === '4'`, 'the zone form with the outline');
  await s.execute(`document.querySelectorAll('#zone-form input[name=day]').forEach((b) => { b.checked = true; });`);
  await setFields('#zone-form', { code: `Z${tag}`, name: `${tag}夜市疏导点`, hours: '00:00-23:59', trades: '水果、小吃', capacity: '12' });
  await press('#zone-form-save');
  await waitFor(s, `document.getElementById('zone-saved')?.dataset.code === 'Z${tag}' || document.querySelector('#zone-form-out .error')?.textContent`, 'the zone saved');
  const err = await s.execute(`return document.querySelector('#zone-form-out .error')?.textContent ?? null;`);
  assert.equal(err, null);
  await waitFor(s, `document.querySelector('#zone-list li[data-code="Z${tag}"]')?.dataset.open === '1'`, 'the zone open now');
  await s.execute(`const f = document.querySelector('.street-admit[data-zone="Z${tag}"]'); const v = f.querySelector('select'); v.value = '${vendorId}'; v.dispatchEvent(new Event('change'));`);
  await press(`.street-admit[data-zone="Z${tag}"] button`);
  await waitFor(s, `!!document.querySelector('#zone-list li[data-code="Z${tag}"] [data-vendor="${vendorId}"][data-status="admitted"]')`, 'the vendor admitted');
  // Filed with a stall number.
  await s.execute(`document.querySelector('#zone-list li[data-code="Z${tag}"] [data-vendor="${vendorId}"] input').value = 'A-07';`);
  await press(`#zone-list li[data-code="Z${tag}"] [data-vendor="${vendorId}"] [data-step="filed"]`);
  await waitFor(s, `!!document.querySelector('#zone-list li[data-code="Z${tag}"] [data-vendor="${vendorId}"][data-status="filed"]')`, 'the admission filed');
  await shot(s, 'street-11-zone-admitted');

  // A 无照经营游商 case inside the zone, reported by the inspector through the case workspace.
  await signInAs('inspector');
  await s.click('#workspace-tabs [data-workspace="cases"]');
  await waitFor(s, `document.body.dataset.workspace === 'cases' && !!document.getElementById('cases-new')`, 'the case workspace');
  await press('#cases-new');
  await waitFor(s, `!!document.getElementById('intake-class')`, 'the intake form');
  const at = await s.execute(`const m = window.__griddesk.view.map; const p = m.project(arguments[0]); const ll = m.unproject([p.x + 15, p.y + 10]); return [ll.lng, ll.lat];`, zoneCentre);
  await s.execute(`document.getElementById('intake-lon').value = arguments[0]; document.getElementById('intake-lat').value = arguments[1];
    const k = document.getElementById('intake-class'); k.value = '0501'; k.dispatchEvent(new Event('change'));
    document.querySelector('#intake [name=description]').value = '路边摆摊卖水果 e2e';`, at[0].toFixed(6), at[1].toFixed(6));
  assert.equal(await s.execute(`return document.getElementById('intake-class').value;`), '0501');
  await press('#intake-submit');
  const first = await waitFor(s, `document.getElementById('intake-result')?.dataset.case || (document.getElementById('intake-proceed') ? 'dups' : '') || document.querySelector('#intake-out .error')?.textContent`, 'a created case');
  if (first === 'dups') await press('#intake-proceed');
  else assert.match(first, /^\d{4}-\d{7}$/, `expected the intake to create a case, got: ${first}`);
  const caseId = await waitFor(s, `document.getElementById('intake-result')?.dataset.case`, 'the new case id');
  await waitFor(s, `document.getElementById('case-panel')?.dataset.case === '${caseId}'`, 'the case panel');
  const hint = await waitFor(s, `document.querySelector('#case-hints [data-hint="in_vending_zone"]')?.textContent`, 'the vending-zone hint');
  assert.ok(hint.includes(`${tag}夜市疏导点`) && hint.includes('00:00–23:59') && hint.includes('核实后再立案'), hint);
  const red = await waitFor(s, `document.querySelector('#case-hints [data-hint="red_vendor"]')?.textContent`, 'the red-vendor hint');
  // The inspector reported it: the vendor's name is masked for that role, the refusals shown.
  assert.ok(!red.includes(vendorName) && red.includes(`${vendorName[0]}*`) && red.includes('3'), red);
  assert.equal(await s.execute(`return document.querySelector('#case-hints [data-hint="red_vendor"]').dataset.vendor;`), String(vendorId));
  await shot(s, 'street-12-case-hints');
  await s.execute(`document.getElementById('case-panel')?.remove();`);

  // A case on the shop's frontage names the shop; the hint opens it.
  await press('#cases-new');
  await waitFor(s, `!!document.getElementById('intake-class')`, 'the intake form');
  await s.execute(`document.getElementById('intake-lon').value = arguments[0]; document.getElementById('intake-lat').value = arguments[1];
    const k = document.getElementById('intake-class'); k.value = '0504'; k.dispatchEvent(new Event('change'));
    document.querySelector('#intake [name=description]').value = '店外经营 e2e';`, frontagePoint[0].toFixed(6), frontagePoint[1].toFixed(6));
  await press('#intake-submit');
  const second = await waitFor(s, `document.getElementById('intake-result')?.dataset.case !== '${caseId}' && document.getElementById('intake-result')?.dataset.case || (document.getElementById('intake-proceed') ? 'dups' : '') || document.querySelector('#intake-out .error')?.textContent`, 'the frontage case');
  if (second === 'dups') await press('#intake-proceed');
  const frontCase = await waitFor(s, `document.getElementById('intake-result')?.dataset.case !== '${caseId}' && document.getElementById('intake-result')?.dataset.case`, 'the frontage case id');
  await waitFor(s, `document.getElementById('case-panel')?.dataset.case === '${frontCase}'`, 'its panel');
  const front = await waitFor(s, `document.querySelector('#case-hints [data-hint="frontage"]')?.textContent`, 'the frontage hint');
  assert.equal(front, `门前三包责任商户：${names.h1}`);
  await shot(s, 'street-12b-frontage-hint');
  await press('#case-hints [data-hint="frontage"]');
  await waitFor(s, `document.body.dataset.workspace === 'street' && document.getElementById('street-panel')?.dataset.id === '${firstId}'`, 'the shop opened from the hint');
  await waitFor(s, `!!document.querySelector('#street-frontage-cases li[data-case="${frontCase}"]')`, 'the case among the cases on its frontage');
  await s.execute(`document.getElementById('case-panel')?.remove(); document.getElementById('street-panel')?.remove();`);
});

test('the inspector sees the vendor\'s phone masked; the administrator\'s lookup log lists the lookups', async () => {
  await signInAs('inspector');
  await s.click('#workspace-tabs [data-workspace="street"]');
  await waitFor(s, `document.body.dataset.workspace === 'street' && !!document.getElementById('street-tab-vendors')`, 'the street register as the inspector');
  assert.equal(await s.execute(`return !!document.getElementById('street-tab-lookups');`), false, 'no lookup log for an inspector');
  await openTab('vendors');
  await setFields('#vendor-search', { text: '水果' });
  await s.execute(`document.getElementById('vendor-search').requestSubmit();`);
  await waitFor(s, `!!document.querySelector('#vendor-list li[data-id="${vendorId}"]')`, 'the vendor found by trade');
  await press(`#vendor-list li[data-id="${vendorId}"]`);
  await waitFor(s, `document.getElementById('vendor-panel')?.dataset.id === '${vendorId}'`, 'the vendor panel');
  const v = await s.execute(`return { masked: document.getElementById('vendor-panel').dataset.masked, phone: document.querySelector('#vendor-panel dd[data-field=phone]').textContent,
    id: document.querySelector('#vendor-panel dd[data-field=id_number]').textContent, name: document.querySelector('#vendor-panel h2').textContent, note: !!document.getElementById('vendor-masked') };`);
  assert.equal(v.masked, '1');
  assert.ok(v.note, 'the masking is said');
  assert.notEqual(v.phone, '13812345678');
  assert.match(v.phone, /^138\*+5678$/, `the phone masked: ${v.phone}`);
  assert.ok(!v.id.includes('19900101'), `the ID number masked: ${v.id}`);
  assert.ok(!v.name.includes(vendorName), `the name masked: ${v.name}`);
  await shot(s, 'street-13-inspector-masked');
  // A shop's personal fields too; its edit is held back (it would save the masks).
  await openTab('objects');
  assert.equal(await s.execute(`return !!document.getElementById('street-import-check') || !document.getElementById('street-import-desk');`), false, 'no import for an inspector, only the templates');
  await searchObjects({ text: names.h1 });
  await press(`#street-table tr[data-id="${firstId}"] td`);
  await waitFor(s, `document.getElementById('street-panel')?.dataset.id === '${firstId}'`, 'the shop panel');
  const o = await s.execute(`return { masked: document.getElementById('street-panel').dataset.masked, phone: document.querySelector('#street-panel dd[data-field=phone]').textContent };`);
  assert.equal(o.masked, '1');
  assert.notEqual(o.phone, '13905761234');
  // The inspector edits the rest of the record: the personal fields are read-only in the
  // form, and the engine keeps the stored values (checked below as the administrator).
  await press('#street-edit');
  await waitFor(s, `!!document.getElementById('street-form')`, 'the edit form for the inspector');
  assert.equal(await s.execute(`return document.querySelector('#street-form [name=phone]').disabled;`), true, 'the masked phone is read-only');
  const byInspector = await saveObjectForm({ note: '巡查补充：夜间营业', reason: '巡查核对' });
  assert.equal(byInspector.id, firstId, `saved by the inspector: ${JSON.stringify(byInspector)}`);
  await s.execute(`document.getElementById('street-panel')?.remove(); document.getElementById('vendor-panel')?.remove();`);

  // A move-car reminder: a bad plate refused, then logged; the month's figures count it.
  await openTab('movecar');
  const month = await s.execute(`const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0');`);
  const row = (m) => `[...document.querySelectorAll('#movecar-year tr[data-month="${m}"] td')].map((td) => td.textContent)`;
  const before = await waitFor(s, row(month) + `.length ? ${row(month)} : null`, 'this month in the figures');
  await press('#movecar-new');
  await waitFor(s, `!!document.getElementById('movecar-form')`, 'the reminder form');
  await setFields('#movecar-form', { plate: '浙J12', place: '劳动北路18号门口', outcome: 'moved' });
  await press('#movecar-pick');
  await waitFor(s, `!!document.getElementById('street-draw')`, 'the pick banner');
  await clickLonLat(await lonLatAt(-60, 80));
  await waitFor(s, `document.getElementById('movecar-lon')?.value !== ''`, 'the place picked');
  await press('#movecar-save');
  const refused = await waitFor(s, `document.querySelector('#movecar-out .error')?.textContent`, 'the bad plate refused');
  assert.match(refused, /车牌/, refused);
  await setFields('#movecar-form', { plate: '浙J·A1234' });
  await press('#movecar-save');
  await waitFor(s, `!document.getElementById('movecar-form') && ${row(month)}[1] === '${Number(before[1]) + 1}'`, 'the reminder counted');
  const afterRow = await s.execute(`return ${row(month)};`);
  assert.equal(Number(afterRow[2]), Number(before[2]) + 1, 'one more moved');
  assert.equal(afterRow[5], `${(Number(afterRow[2]) / Number(afterRow[1]) * 100).toFixed(1)}%`, 'the moved rate is moved / reminders');
  assert.ok(await s.execute(`return [...document.querySelectorAll('#movecar-latest li')].some((l) => l.textContent.includes('浙JA1234'));`));
  await shot(s, 'street-13b-move-car');

  await signInAs('admin');
  await waitFor(s, `!!document.getElementById('street-tab-lookups')`, 'the lookup log tab for the administrator');
  await openTab('lookups');
  await waitFor(s, `!!document.getElementById('lookup-table')`, 'the lookup log');
  const rows = await s.execute(`return [...document.querySelectorAll('#lookup-table tbody tr')].map((r) => ({ by: r.dataset.by, what: r.dataset.what, key: r.children[3].textContent }));`);
  const has = (by, what) => rows.some((r) => r.by === by && r.what === what);
  assert.ok(has('inspector', 'vendor-masked'), `the inspector's look at the vendor: ${JSON.stringify(rows.slice(0, 10))}`);
  assert.ok(has('inspector', 'vendor-search'), 'the inspector\'s vendor search');
  assert.ok(has('inspector', 'object-masked'), 'the inspector\'s look at the shop');
  assert.ok(has('inspector', 'case-hints-masked'), 'the case hints that named the vendor to the inspector');
  assert.ok(has('admin', 'export'), 'the administrator\'s export of the notice list');
  await shot(s, 'street-14-lookup-log');
  // The inspector's edit changed the note and left the phone as stored.
  await openTab('objects');
  await searchObjects({ text: names.h1 });
  await press(`#street-table tr[data-id="${firstId}"] td`);
  await waitFor(s, `document.getElementById('street-panel')?.dataset.id === '${firstId}' && document.getElementById('street-panel').dataset.masked === ''`, 'the shop panel for the administrator');
  const kept = await s.execute(`return { phone: document.querySelector('#street-panel dd[data-field=phone]').textContent, note: document.querySelector('#street-panel dd[data-field=note]')?.textContent ?? '' };`);
  assert.equal(kept.phone, '13905761234', 'the phone survived the masked edit');
  assert.match(kept.note, /夜间营业/);
  await s.execute(`document.getElementById('street-panel')?.remove();`);

  // The same pane in English: every label translated.
  await s.execute(`window.__griddesk.setLang('en');`);
  await openTab('objects');
  const tabs = await s.execute(`return [...document.querySelectorAll('.street-tabs button')].map((b) => b.textContent);`);
  assert.deepEqual(tabs, ['Objects', 'Notices', 'Move car', 'Vendors', 'Zones', 'Lookups']);
  await shot(s, 'street-15-english');
  await openTab('vendors');
  await waitFor(s, `!!document.querySelector('#vendor-list li[data-id]')`, 'the vendor list in English');
  const badges = await s.execute(`return [...new Set([...document.querySelectorAll('#vendor-list .colour-badge')].map((b) => b.textContent))];`);
  assert.ok(badges.every((b) => ['None', 'Yellow', 'Green', 'Red'].includes(b)), `badges in English: ${badges}`);
  await shot(s, 'street-16-english-vendors');
  await s.execute(`window.__griddesk.setLang('zh');`);
});
