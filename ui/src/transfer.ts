// File ▸ Import / Export: a dialog for one dataset — the file (native picker or typed path), its
// CRS and Shapefile encoding, a check (dry run) that lists every bad record with its file, line
// or feature and field, then the import in one transaction; or an export in a chosen CRS and
// encoding. The engine does the work; nothing is imported when the check finds errors unless
// the user asks for the valid records only.
import { call, asErrorDto } from './api';
import type { Dataset, DatasetDto, FileOptions, ImportReport, Mode, Reject, TemplateFormat } from './generated';
import { el } from './dom';
import { defineStrings, lang, sayMessage } from './i18n';

export type { Mode } from './generated';

const s = defineStrings(
  {
    template: '导入模板（中文表头、一行示例）：', templateSaved: '模板已保存：{path}',
    importTitle: '导入', exportTitle: '导出', dataset: '数据集', file: '文件', choose: '选择文件…',
    crs: '坐标系', encoding: '属性编码（Shapefile）', auto: '自动（按 .prj / .cpg / 文件）',
    lonlat: 'CGCS2000 / WGS84 经纬度', gcj02: 'GCJ-02（火星坐标）', gk: 'CGCS2000 3度带高斯-克吕格',
    zone: '带号', prefixed: '东坐标带带号', check: '检查', import: '导入', importValid: '只导入有效记录',
    export: '导出', close: '关闭', noFile: '请先选择或填写文件路径。', checking: '正在检查…', importing: '正在导入…',
    exporting: '正在导出…', wouldImport: '可导入 {n} 条记录', imported: '已导入 {n} 条记录', rejects: '{n} 条记录有错误',
    noRejects: '没有发现错误。', migrated: '旧编码升级 {n} 个', unlocated: '不在任何网格内 {n} 个',
    exported: '已导出 {n} 条记录到 {file}', failed: '失败', nothingImported: '没有导入任何记录',
    where: '位置', what: '问题', line: '第 {n} 行', feature: '第 {n} 个要素', record: '第 {n} 条记录', wholeFile: '整个文件',
    storedAs: '库内一律存为 CGCS2000 经纬度。',
  },
  {
    template: 'Import template (Chinese headers, one example row): ', templateSaved: 'Template saved: {path}',
    importTitle: 'Import', exportTitle: 'Export', dataset: 'Dataset', file: 'File', choose: 'Choose file…',
    crs: 'Coordinate system', encoding: 'Attribute encoding (Shapefile)', auto: 'Automatic (.prj / .cpg / file)',
    lonlat: 'CGCS2000 / WGS84 lon/lat', gcj02: 'GCJ-02', gk: 'CGCS2000 3° Gauss-Krüger',
    zone: 'Zone', prefixed: 'zone number in easting', check: 'Check', import: 'Import', importValid: 'Import the valid records only',
    export: 'Export', close: 'Close', noFile: 'Choose or type a file path first.', checking: 'Checking…', importing: 'Importing…',
    exporting: 'Exporting…', wouldImport: '{n} records can be imported', imported: '{n} records imported', rejects: '{n} records have errors',
    noRejects: 'No errors found.', migrated: '{n} legacy codes migrated', unlocated: '{n} outside every grid',
    exported: '{n} records exported to {file}', failed: 'Failed', nothingImported: 'Nothing was imported',
    where: 'Where', what: 'Problem', line: 'line {n}', feature: 'feature {n}', record: 'record {n}', wholeFile: 'whole file',
    storedAs: 'Stored data is always CGCS2000 lon/lat.',
  },
);

const fill = (text: string, vars: Record<string, string | number>): string =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

const transferApi = {
  datasets: () => call<DatasetDto[]>('transfer_datasets'),
  pick: (mode: Mode, dataset: Dataset) => call<string | null>('transfer_pick', { mode, dataset }),
  import: (dataset: Dataset, path: string, options: FileOptions, dryRun: boolean, validOnly: boolean) =>
    call<ImportReport>('transfer_import', { dataset, path, options, dryRun, validOnly }),
  export: (dataset: Dataset, path: string, options: FileOptions) =>
    call<number>('transfer_export', { dataset, path, options }),
  template: (dataset: Dataset, format: TemplateFormat, path: string | null = null) =>
    call<string | null>('transfer_template', { dataset, format, path }),
};

/** Where a reject is: file · line, feature or record · field (also the street register's import). */
export function rejectWhere(r: Reject): string {
  const p = r.location.position;
  let pos: string;
  if (p === 'file') pos = s('wholeFile');
  else if ('line' in p) pos = fill(s('line'), { n: p.line });
  else if ('feature' in p) pos = fill(s('feature'), { n: p.feature });
  else pos = fill(s('record'), { n: p.record });
  return `${r.location.file.split(/[\\/]/).pop() ?? r.location.file} · ${pos}${r.location.field ? ` · ${r.location.field}` : ''}`;
}

/** The CRS select: automatic, lon/lat, GCJ-02, or a Gauss-Krüger zone (25–45, prefixed or not). */
function crsField(mode: Mode): { node: HTMLElement; value: () => string | null } {
  const kind = el('select', { id: 'transfer-crs' });
  if (mode === 'import') kind.append(el('option', { value: '' }, s('auto')));
  kind.append(el('option', { value: 'cgcs2000' }, s('lonlat')), el('option', { value: 'gcj02' }, s('gcj02')),
    el('option', { value: 'gk' }, s('gk')));
  const zone = el('select', { id: 'transfer-gk-zone' });
  for (let z = 25; z <= 45; z += 1) zone.append(el('option', { value: String(z) }, `${z}（${z * 3}°E）`));
  zone.value = '40';
  const prefixed = el('input', { id: 'transfer-gk-prefixed', type: 'checkbox' });
  prefixed.checked = true;
  const gk = el('span', { class: 'transfer-gk' }, `${s('zone')} `, zone, el('label', {}, prefixed, s('prefixed')));
  const sync = () => { gk.hidden = kind.value !== 'gk'; };
  kind.addEventListener('change', sync);
  sync();
  return {
    node: el('label', {}, `${s('crs')} `, kind, gk),
    value: () => {
      if (kind.value === '') return null;
      if (kind.value !== 'gk') return kind.value;
      return prefixed.checked ? `gk${zone.value}` : `gk-cm${Number(zone.value) * 3}`;
    },
  };
}

let open: HTMLElement | null = null;

/** Opens the dialog for `mode` with `dataset` selected. */
export async function openTransfer(mode: Mode, dataset: Dataset): Promise<void> {
  open?.remove();
  const datasets = await transferApi.datasets();
  const dsSel = el('select', { id: 'transfer-dataset' });
  for (const d of datasets) dsSel.append(el('option', { value: d.key }, lang() === 'zh' ? d.label_zh : d.label_en));
  dsSel.value = dataset;
  /** The dataset chosen in the select (its options are the datasets' keys). */
  const chosen = (): Dataset => datasets.find((x) => x.key === dsSel.value)?.key ?? dataset;
  const path = el('input', { id: 'transfer-path', type: 'text', spellcheck: 'false' });
  const exts = el('span', { class: 'muted', id: 'transfer-exts' });
  const showExts = () => {
    const d = datasets.find((x) => x.key === dsSel.value);
    exts.textContent = d ? (mode === 'import' ? d.import_extensions : d.export_extensions).map((e) => `.${e}`).join(' ') : '';
  };
  dsSel.addEventListener('change', showExts);
  showExts();
  const choose = el('button', { type: 'button', id: 'transfer-choose' }, s('choose'));
  choose.addEventListener('click', () => {
    void transferApi.pick(mode, chosen()).then((p) => { if (p) path.value = p; });
  });
  const crs = crsField(mode);
  const enc = el('select', { id: 'transfer-encoding' });
  if (mode === 'import') enc.append(el('option', { value: '' }, s('auto')));
  enc.append(el('option', { value: 'utf-8' }, 'UTF-8'), el('option', { value: 'gbk' }, 'GBK'));
  const validOnly = el('input', { id: 'transfer-valid-only', type: 'checkbox' });
  const result = el('div', { id: 'transfer-result', 'aria-live': 'polite' });
  const templates = el('p', { class: 'transfer-templates' }, s('template'));
  for (const format of ['xlsx', 'csv'] as const) {
    const b = el('button', { type: 'button', id: `transfer-template-${format}` }, format.toUpperCase());
    b.addEventListener('click', () => {
      transferApi.template(chosen(), format).then((p) => {
        if (p) say('template', el('p', { 'data-path': p }, fill(s('templateSaved'), { path: p })));
      }, (e: unknown) => { failed(e, s('failed')); });
    });
    templates.append(b, ' ');
  }
  const buttons = el('div', { class: 'buttons' });
  const close = el('button', { type: 'button', id: 'transfer-close' }, s('close'));
  const card = el('div', { class: 'modal-card transfer-card' },
    el('h2', {}, mode === 'import' ? s('importTitle') : s('exportTitle')),
    el('label', {}, `${s('dataset')} `, dsSel),
    el('div', { class: 'transfer-file' }, el('label', {}, `${s('file')} `, path), choose), exts,
    crs.node,
    el('label', {}, `${s('encoding')} `, enc),
    el('p', { class: 'muted' }, s('storedAs')),
    mode === 'import' ? el('label', {}, validOnly, s('importValid')) : '',
    mode === 'import' ? templates : '',
    result, buttons);
  const overlay = el('div', { class: 'modal', id: 'transfer', 'data-mode': mode }, card);
  open = overlay;
  close.addEventListener('click', () => { overlay.remove(); open = null; });

  const options = (): FileOptions => ({ crs: crs.value(), encoding: enc.value === '' ? null : enc.value });
  const say = (state: string, ...nodes: (Node | string)[]) => {
    result.dataset.state = state;
    result.replaceChildren(...nodes);
  };
  const failed = (e: unknown, head: string) => {
    const err = asErrorDto(e);
    say('error', el('p', { class: 'error', 'data-error-code': err.code, 'data-error-detail': err.detail.code, 'data-error-message': err.message },
      `${head}: ${sayMessage(err.detail)}`));
  };
  const report = (r: ImportReport) => {
    const lines = [el('p', { class: 'transfer-count' }, fill(s(r.dry_run ? 'wouldImport' : 'imported'), { n: r.imported }))];
    if (r.migrated_codes) lines.push(el('p', {}, fill(s('migrated'), { n: r.migrated_codes })));
    if (r.unlocated) lines.push(el('p', {}, fill(s('unlocated'), { n: r.unlocated })));
    if (r.rejects.total) {
      // The engine keeps the first rejects and counts them all.
      const table = el('table', { id: 'transfer-rejects' }, el('tr', {}, el('th', {}, s('where')), el('th', {}, s('what'))));
      for (const x of r.rejects.kept.slice(0, 500)) table.append(el('tr', {}, el('td', {}, rejectWhere(x)), el('td', { 'data-detail': x.detail.code }, sayMessage(x.detail))));
      lines.push(el('p', { class: 'error' }, fill(s('rejects'), { n: r.rejects.total })), el('div', { class: 'transfer-rejects' }, table));
    } else if (r.dry_run) {
      lines.push(el('p', {}, s('noRejects')));
    }
    say(r.dry_run ? 'checked' : 'imported', ...lines);
    if (!r.dry_run && r.imported > 0) document.dispatchEvent(new Event('griddesk:data-changed'));
  };
  const needPath = (): string | null => {
    const p = path.value.trim();
    if (!p) say('error', el('p', { class: 'error' }, s('noFile')));
    return p || null;
  };

  if (mode === 'import') {
    const check = el('button', { type: 'button', id: 'transfer-check' }, s('check'));
    const run = el('button', { type: 'button', id: 'transfer-run' }, s('import'));
    check.addEventListener('click', () => {
      const p = needPath();
      if (!p) return;
      say('busy', s('checking'));
      transferApi.import(chosen(), p, options(), true, false).then(report, (e: unknown) => { failed(e, s('failed')); });
    });
    run.addEventListener('click', () => {
      const p = needPath();
      if (!p) return;
      say('busy', s('importing'));
      transferApi.import(chosen(), p, options(), false, validOnly.checked).then(report, (e: unknown) => { failed(e, s('nothingImported')); });
    });
    buttons.append(check, run, close);
  } else {
    const run = el('button', { type: 'button', id: 'transfer-run' }, s('export'));
    run.addEventListener('click', () => {
      const p = needPath();
      if (!p) return;
      say('busy', s('exporting'));
      transferApi.export(chosen(), p, options()).then(
        (n) => { say('exported', el('p', { class: 'transfer-count' }, fill(s('exported'), { n, file: p }))); },
        (e: unknown) => { failed(e, s('failed')); },
      );
    });
    buttons.append(run, close);
  }
  document.body.append(overlay);
  path.focus();
}
