// 巡查上报: the inspectors' phone app served by the station at /m/ (docs/station.md, "Phones").
// Sign in with one's own account; report a case (class from the CJ/T 214 tables, photos from the
// camera, description, position from the GPS or typed), shown the grid and the open cases of the
// same class nearby before sending; do the 核实 and 核查 tasks. What cannot be sent waits on the
// phone and goes out when the network is back, each once.
import './phone.css';
import {
  $,
  call,
  deviceId,
  flush,
  gps,
  num,
  preparePhoto,
  queue,
  requestId,
  say,
  secureNote,
  shortTime,
  StationError,
  toast,
  Unreachable,
  zhTerm,
  type Queued,
} from './common';
import { fill, h } from './dom';
import type { PhoneMap } from './phonemap';
import { patrolBar, patrolOff } from './track';

interface Service {
  code: string;
  kind: 'event' | 'component';
  class_code: string;
  name: string;
  major_name: string;
  /** Pinyin initials per character of the name (a list kept by an older page may lack them). */
  initials?: string[];
}

/**
 * Whether `q` (ASCII letters and digits) runs along a name's pinyin initials from some character
 * on, each letter one of the next character's readings: `bllj` finds 暴露垃圾, `hds` and `xds`
 * both find 行道树. Works offline on the kept list.
 */
function initialsMatch(initials: readonly string[] | undefined, q: string): boolean {
  const want = q.toLowerCase();
  if (initials === undefined || !/^[a-z0-9]+$/.test(want) || want.length > initials.length) return false;
  for (let i = 0; i + want.length <= initials.length; i++) {
    let ok = true;
    for (let j = 0; j < want.length && ok; j++) ok = (initials[i + j] ?? '').includes(want.charAt(j));
    if (ok) return true;
  }
  return false;
}

interface Signed {
  token: string;
  login: string;
  name: string;
}

interface Duplicate {
  id: string;
  status: string;
  class_code: string;
  reported_at: string;
  distance_m: number;
}

interface Preview {
  class_name: string | null;
  placement: { grid: string | null; grid_name: string | null; community_name: string | null; street_name: string | null };
  duplicates: Duplicate[];
}

interface Receipt {
  case_id: string;
  grid: string | null;
  grid_name: string | null;
  repeated: boolean;
}

interface Task {
  case_id: string;
  kind: string;
  class_name: string | null;
  class_code: string;
  status: string;
  reported_at: string;
  location: [number, number];
  grid: string | null;
  description: string | null;
  actions: string[];
  mine: boolean;
  deadline: string | null;
}

interface Home {
  duty_grids: string[];
  grids: string[];
  bbox: [number, number, number, number] | null;
}

interface Me {
  login: string;
  name: string;
  home: Home;
}

interface TaskDone {
  case_id: string;
  status: string;
  repeated: boolean;
}

const TOKEN = 'griddesk.m.token';
const WHO = 'griddesk.m.who';
const SERVICES = 'griddesk.m.services';
const HOME = 'griddesk.m.home';
const TASKS = 'griddesk.m.tasks';
const LOGIN = 'griddesk.m.login';

let token: string | null = localStorage.getItem(TOKEN);
let services: Service[] = [];
let chosen: Service | null = null;
let photos: Blob[] = [];
let previewSeq = 0;

const app = $('#app');

function who(): string {
  return localStorage.getItem(WHO) ?? '';
}

// ---- sign-in ------------------------------------------------------------------------------

function signInView(note?: string): void {
  const login = h('input', { id: 'login', autocomplete: 'username', placeholder: '账号', autocapitalize: 'off' });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', placeholder: '密码' });
  const err = h('p', { class: 'error', id: 'sign-in-error' }, note ?? '');
  const go = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    err.textContent = '';
    try {
      const s = (await call('/m/api/sign-in', { json: { login: login.value, password: password.value } })) as Signed;
      token = s.token;
      // Another inspector on this phone: a patrol left running is not theirs.
      if (localStorage.getItem(LOGIN) !== s.login) patrolOff();
      localStorage.setItem(TOKEN, s.token);
      localStorage.setItem(WHO, `${s.name}（${s.login}）`);
      localStorage.setItem(LOGIN, s.login);
      await mainView();
    } catch (e) {
      err.textContent = say(e);
    }
  };
  fill(
    app,
    h(
      'form',
      { class: 'sign-in', onsubmit: (ev) => void go(ev) },
      h('h1', {}, '巡查上报'),
      h('p', { class: 'sub' }, '监督员登录'),
      login,
      password,
      h('button', { class: 'primary', type: 'submit', id: 'sign-in' }, '登录'),
      err,
    ),
  );
}

/** The session ended: sign in again; what waits stays queued. */
function sessionEnded(e: unknown): boolean {
  if (e instanceof StationError && e.status === 401) {
    token = null;
    localStorage.removeItem(TOKEN);
    signInView(say(e));
    return true;
  }
  return false;
}

// ---- the main screen ------------------------------------------------------------------------

let tab: 'report' | 'tasks' | 'queue' = 'report';
const body = h('main', { id: 'body' });
const badge = h('span', { class: 'badge', id: 'queued' }, '0');
const net = h('span', { class: 'net', id: 'net' });

function home(): Home | null {
  const kept = localStorage.getItem(HOME);
  return kept === null ? null : (JSON.parse(kept) as Home);
}

async function loadHome(): Promise<void> {
  try {
    const me = (await call('/m/api/me', { token })) as Me;
    localStorage.setItem(HOME, JSON.stringify(me.home));
  } catch {
    // Offline: the home kept from before, if any.
  }
}

async function mainView(): Promise<void> {
  const tabs = h(
    'nav',
    { class: 'tabs' },
    h('button', { id: 'tab-report', onclick: () => void show('report') }, '上报'),
    h('button', { id: 'tab-tasks', onclick: () => void show('tasks') }, '任务'),
    h('button', { id: 'tab-queue', onclick: () => void show('queue') }, '待发送 ', badge),
  );
  fill(
    app,
    h(
      'header',
      {},
      h('div', { class: 'title' }, '巡查上报'),
      net,
      h('div', { class: 'who', id: 'who' }, who()),
      h('button', { class: 'link', id: 'sign-out', onclick: () => void signOut() }, '退出'),
    ),
    patrolBar({ token: () => token, login: () => localStorage.getItem(LOGIN), ended: sessionEnded }),
    tabs,
    body,
    h('div', { id: 'toast', class: 'toast' }),
  );
  showNet();
  await Promise.all([loadServices(), loadHome()]);
  await show(tab);
  void sendQueued();
}

async function signOut(): Promise<void> {
  try {
    await call('/m/api/sign-out', { method: 'POST', token });
  } catch {
    // Offline: the session ends on its own.
  }
  token = null;
  localStorage.removeItem(TOKEN);
  patrolOff();
  signInView();
}

function showNet(): void {
  net.textContent = navigator.onLine ? '在线' : '离线';
  net.className = navigator.onLine ? 'net on' : 'net off';
}

async function show(t: typeof tab): Promise<void> {
  tab = t;
  for (const id of ['report', 'tasks', 'queue']) {
    document.getElementById(`tab-${id}`)?.classList.toggle('active', id === t);
  }
  if (t === 'report') reportView();
  else if (t === 'tasks') await tasksView();
  else await queueView();
  await countQueued();
}

async function countQueued(): Promise<void> {
  const n = (await queue.all()).length;
  badge.textContent = String(n);
  badge.classList.toggle('some', n > 0);
}

async function loadServices(): Promise<void> {
  try {
    services = (await call('/m/api/services')) as Service[];
    localStorage.setItem(SERVICES, JSON.stringify(services));
  } catch {
    const kept = localStorage.getItem(SERVICES);
    services = kept === null ? [] : (JSON.parse(kept) as Service[]);
  }
}

// ---- reporting ------------------------------------------------------------------------------

function classPicker(onPick: () => void): HTMLElement {
  const input = h('input', { id: 'class-search', type: 'search', placeholder: '搜索类别：名称、编码或拼音首字母，如 垃圾、0102、lj' });
  const list = h('ul', { class: 'picks', id: 'class-list' });
  const current = h('div', { class: 'chosen', id: 'class-chosen' }, chosen === null ? '未选择类别' : label(chosen));
  const refresh = (): void => {
    const q = input.value.trim();
    if (q === '') {
      fill(list);
      return;
    }
    const hits = services
      .filter((s) => s.name.includes(q) || s.class_code.startsWith(q) || s.major_name.includes(q) || initialsMatch(s.initials, q))
      .slice(0, 12);
    fill(
      list,
      ...hits.map((s) =>
        h(
          'li',
          {
            'data-code': s.code,
            onclick: () => {
              chosen = s;
              current.textContent = label(s);
              input.value = '';
              fill(list);
              onPick();
            },
          },
          h('b', {}, s.name),
          h('span', {}, ` ${s.kind === 'event' ? '事件' : '部件'} ${s.class_code} · ${s.major_name}`),
        ),
      ),
      hits.length === 0 ? h('li', { class: 'none' }, '没有匹配的类别') : null,
    );
  };
  input.addEventListener('input', refresh);
  return h('section', { class: 'field' }, h('label', {}, '案件类别'), current, input, list);
}

function label(s: Service): string {
  return `${s.kind === 'event' ? '事件' : '部件'} · ${s.major_name} · ${s.name}（${s.class_code}）`;
}

function photoField(id: string, into: Blob[]): HTMLElement {
  const input = h('input', { id, type: 'file', accept: 'image/*', capture: 'environment', multiple: true });
  const thumbs = h('div', { class: 'thumbs', id: `${id}-thumbs` });
  const redraw = (): void => {
    fill(
      thumbs,
      ...into.map((b, i) =>
        h(
          'figure',
          {},
          h('img', { src: URL.createObjectURL(b), alt: `照片 ${i + 1}` }),
          h(
            'button',
            {
              type: 'button',
              class: 'x',
              onclick: () => {
                into.splice(i, 1);
                redraw();
              },
            },
            '×',
          ),
        ),
      ),
    );
  };
  input.addEventListener('change', () => {
    void (async () => {
      for (const f of Array.from(input.files ?? [])) {
        if (into.length >= 4) break;
        into.push(await preparePhoto(f));
      }
      input.value = '';
      redraw();
    })();
  });
  redraw();
  return h('section', { class: 'field' }, h('label', { for: id, class: 'camera' }, '拍照 / 选照片'), input, thumbs);
}

function reportView(): void {
  photos = [];
  const lon = h('input', { id: 'lon', inputmode: 'decimal', placeholder: '经度' });
  const lat = h('input', { id: 'lat', inputmode: 'decimal', placeholder: '纬度' });
  const desc = h('textarea', { id: 'description', rows: '3', placeholder: '问题描述（可选）' });
  const place = h('div', { class: 'place', id: 'place' }, '定位后显示所在网格');
  const dups = h('div', { class: 'dups', id: 'duplicates' });
  const sendErr = h('p', { class: 'error', id: 'send-error' });
  const mapEl = h('div', { class: 'map', id: 'map' });
  let map: PhoneMap | null = null;
  const check = (): void => {
    const x = num(lon.value);
    const y = num(lat.value);
    if (x !== null && y !== null) map?.mark(x, y, false);
    void previewNow(lon, lat, place, dups);
  };
  const h0 = home();
  void import('./phonemap')
    .then((m) => {
      map = m.phoneMap(mapEl, () => token, h0?.grids ?? [], h0?.bbox ?? null, (x, y) => {
        lon.value = x.toFixed(6);
        lat.value = y.toFixed(6);
        check();
      });
      const x = num(lon.value);
      const y = num(lat.value);
      if (x !== null && y !== null) map.mark(x, y, true);
    })
    .catch(() => {
      // No WebGL on this phone: the position is taken from the GPS or typed.
      mapEl.remove();
    });
  lon.addEventListener('change', check);
  lat.addEventListener('change', check);
  const locate = async (): Promise<void> => {
    place.textContent = '正在定位…';
    try {
      const [x, y] = await gps();
      lon.value = x.toFixed(6);
      lat.value = y.toFixed(6);
      map?.mark(x, y, true);
      check();
    } catch {
      place.textContent = '无法获取定位：请在地图上点选或输入经纬度';
    }
  };
  const send = async (): Promise<void> => {
    const x = num(lon.value);
    const y = num(lat.value);
    if (chosen === null) {
      toast('请先选择案件类别', 'warn');
      return;
    }
    if (x === null || y === null) {
      toast('请先定位或输入经纬度', 'warn');
      return;
    }
    const item: Queued = {
      id: requestId(),
      path: '/m/api/reports',
      fields: {
        service_code: chosen.code,
        lon: String(x),
        lat: String(y),
        description: desc.value.trim(),
        device_id: deviceId(),
        client_request_id: '',
      },
      photos: [...photos],
      label: `上报 ${chosen.name}`,
      createdAt: Date.now(),
    };
    item.fields.client_request_id = item.id;
    sendErr.textContent = '';
    await queue.put(item);
    await sendQueued(true);
    // Refused for good (a place outside the grids, a photo that is not one …): the form stays,
    // with the station's reason, to be put right; nothing was filed.
    const left = (await queue.all()).find((q) => q.id === item.id);
    if (left?.refused !== undefined) {
      await queue.remove(item.id);
      await countQueued();
      sendErr.textContent = `未被受理：${left.refused}`;
      return;
    }
    chosen = null;
    reportView();
  };
  fill(
    body,
    classPicker(check),
    photoField('photo', photos),
    h('section', { class: 'field' }, h('label', { for: 'description' }, '描述'), desc),
    h(
      'section',
      { class: 'field' },
      h('label', {}, '位置'),
      secureNote(),
      mapEl,
      h('button', { type: 'button', id: 'gps', onclick: () => void locate() }, '使用当前位置'),
      h('div', { class: 'row' }, lon, lat),
      place,
    ),
    dups,
    sendErr,
    h('button', { class: 'primary', id: 'send', onclick: () => void send() }, '上报'),
  );
  void locate();
}

async function previewNow(lonEl: HTMLInputElement, latEl: HTMLInputElement, place: HTMLElement, dups: HTMLElement): Promise<void> {
  const x = num(lonEl.value);
  const y = num(latEl.value);
  fill(dups);
  if (x === null || y === null) return;
  if (chosen === null) {
    place.textContent = `${x.toFixed(6)}, ${y.toFixed(6)}：选择类别后显示所在网格`;
    return;
  }
  const seq = ++previewSeq;
  try {
    const p = (await call('/m/api/preview', { json: { service_code: chosen.code, lon: x, lat: y }, token })) as Preview;
    if (seq !== previewSeq) return;
    place.classList.remove('bad');
    const pl = p.placement;
    place.textContent = `所在网格：${pl.grid_name ?? ''} ${pl.grid ?? '—'} · ${pl.street_name ?? ''}${pl.community_name ?? ''}`;
    if (p.duplicates.length > 0) {
      fill(
        dups,
        h('b', {}, `附近已有 ${p.duplicates.length} 件同类未结案件，请确认不是重复上报：`),
        h(
          'ul',
          {},
          ...p.duplicates.map((d) =>
            h('li', {}, `${d.id} · ${zhTerm(`status.${d.status}`)} · 相距 ${Math.round(d.distance_m)} 米 · ${shortTime(d.reported_at)}`),
          ),
        ),
      );
    }
  } catch (e) {
    if (seq !== previewSeq) return;
    if (sessionEnded(e)) return;
    place.classList.toggle('bad', !(e instanceof Unreachable));
    place.textContent = e instanceof Unreachable ? '离线：所在网格将在发送时由服务站确定' : say(e);
  }
}

// ---- sending ------------------------------------------------------------------------------

let sending = false;
/** Asked to send while a sending was under way: go round once more after it. */
let again: { told: boolean } | null = null;

/** Sends what waits; says what happened when `told`. */
async function sendQueued(told = false): Promise<void> {
  if (token === null) return;
  if (sending) {
    again = { told: told || (again?.told ?? false) };
    return;
  }
  sending = true;
  const sent = { tasks: false };
  try {
    const n = await flush(
      () => token,
      (q, answer) => {
        if (q.path === '/m/api/reports') {
          const r = answer as Receipt;
          toast(`已上报：案件 ${r.case_id}，网格 ${r.grid_name ?? ''} ${r.grid ?? '—'}`);
        } else {
          const d = answer as TaskDone;
          sent.tasks = true;
          toast(`已提交：案件 ${d.case_id} ${zhTerm(`status.${d.status}`)}`);
        }
      },
    );
    if (n === 0 && told) {
      const refused = (await queue.all()).find((q) => q.refused !== undefined);
      if (refused !== undefined) toast(`未被受理：${refused.refused ?? ''}`, 'err');
    }
  } catch (e) {
    if (!sessionEnded(e) && told) toast('网络不通：已保存在手机上，联网后自动发送', 'warn');
  } finally {
    sending = false;
    await countQueued();
    if (tab === 'queue') await queueView();
    // The task list (not a task's form) shows what is left to do.
    else if (tab === 'tasks' && sent.tasks && document.getElementById('task-note') === null) await tasksView();
    const next = again;
    again = null;
    if (next !== null) await sendQueued(next.told);
  }
}

async function queueView(): Promise<void> {
  const list = await queue.all();
  fill(
    body,
    h('p', { class: 'hint' }, '网络不通时，上报和任务结果先保存在手机上，联网后自动按顺序发送，每条只提交一次。'),
    list.length === 0
      ? h('p', { class: 'empty', id: 'queue-empty' }, '没有待发送的内容')
      : h(
          'ul',
          { class: 'cards', id: 'queue-list' },
          ...list.map((q) =>
            h(
              'li',
              { class: q.refused === undefined ? 'card' : 'card refused' },
              h('b', {}, q.label),
              h('div', {}, `${new Date(q.createdAt).toLocaleString('zh-CN')} · 照片 ${q.photos.length} 张`),
              q.refused === undefined
                ? h('div', { class: 'muted' }, '等待发送')
                : h(
                    'div',
                    { class: 'error' },
                    `服务站未受理：${q.refused} `,
                    h(
                      'button',
                      {
                        class: 'link',
                        onclick: () => {
                          void queue.remove(q.id).then(() => show('queue'));
                        },
                      },
                      '删除',
                    ),
                  ),
            ),
          ),
        ),
    h('button', { id: 'send-now', onclick: () => void sendQueued(true) }, '立即发送'),
  );
}

// ---- tasks ------------------------------------------------------------------------------

const VERDICTS: Record<string, string> = {
  confirm_verified: '核实属实',
  verify_not_found: '核实不属实',
  check_pass: '核查通过',
  check_fail: '核查不通过',
};

async function tasksView(): Promise<void> {
  fill(body, h('p', { class: 'muted' }, '正在读取任务…'));
  let tasks: Task[];
  let offline = false;
  try {
    tasks = (await call('/m/api/tasks', { token })) as Task[];
    localStorage.setItem(TASKS, JSON.stringify(tasks));
  } catch (e) {
    if (sessionEnded(e)) return;
    const kept = localStorage.getItem(TASKS);
    if (!(e instanceof Unreachable) || kept === null) {
      fill(body, h('p', { class: 'error' }, e instanceof Unreachable ? '离线：联网后可查看任务' : say(e)));
      return;
    }
    // Offline: the list last read, without the tasks whose results wait to be sent.
    offline = true;
    const waiting = new Set((await queue.all()).map((q) => q.path));
    tasks = (JSON.parse(kept) as Task[]).filter((t) => !waiting.has(`/m/api/tasks/${encodeURIComponent(t.case_id)}`));
  }
  fill(
    body,
    offline ? h('p', { class: 'hint', id: 'tasks-offline' }, '离线：显示上次读取的任务，结果保存在手机上，联网后发送。') : null,
    tasks.length === 0
      ? h('p', { class: 'empty', id: 'tasks-empty' }, '没有待办的核实、核查任务')
      : h(
          'ul',
          { class: 'cards', id: 'task-list' },
          ...tasks.map((t) =>
            h(
              'li',
              {
                class: 'card task',
                'data-case': t.case_id,
                onclick: () => {
                  taskView(t);
                },
              },
              h('b', {}, `${t.actions.includes('check_pass') ? '核查' : '核实'} · ${t.class_name ?? t.class_code}`),
              t.mine ? h('span', { class: 'tag' }, '我的网格') : null,
              h('div', {}, `${t.case_id} · ${zhTerm(`status.${t.status}`)} · 网格 ${t.grid ?? '—'}`),
              t.description === null ? null : h('div', { class: 'muted' }, t.description),
              t.deadline === null ? null : h('div', { class: 'muted' }, `期限 ${shortTime(t.deadline)}`),
            ),
          ),
        ),
  );
}

function taskView(t: Task): void {
  const shots: Blob[] = [];
  const note = h('textarea', { id: 'task-note', rows: '3', placeholder: '说明（不属实或不通过时必填）' });
  const submit = async (verdict: string): Promise<void> => {
    const item: Queued = {
      id: requestId(),
      path: `/m/api/tasks/${encodeURIComponent(t.case_id)}`,
      fields: { verdict, note: note.value.trim(), device_id: deviceId(), client_request_id: '' },
      photos: [...shots],
      label: `${VERDICTS[verdict] ?? verdict} ${t.case_id}`,
      createdAt: Date.now(),
    };
    item.fields.client_request_id = item.id;
    await queue.put(item);
    await sendQueued(true);
    await show('tasks');
  };
  fill(
    body,
    h('button', { class: 'link', onclick: () => void show('tasks') }, '‹ 返回任务'),
    h('h2', {}, `${t.actions.includes('check_pass') ? '核查' : '核实'}：${t.class_name ?? t.class_code}`),
    h('p', {}, `${t.case_id} · 网格 ${t.grid ?? '—'} · ${shortTime(t.reported_at)}`),
    t.description === null ? null : h('p', { class: 'muted' }, t.description),
    h('p', { class: 'muted' }, `位置 ${t.location[0].toFixed(6)}, ${t.location[1].toFixed(6)}`),
    photoField('task-photo', shots),
    h('section', { class: 'field' }, h('label', { for: 'task-note' }, '说明'), note),
    h(
      'div',
      { class: 'row verdicts' },
      ...t.actions.map((a) =>
        h(
          'button',
          { class: a === 'confirm_verified' || a === 'check_pass' ? 'primary' : 'danger', id: `verdict-${a}`, onclick: () => void submit(a) },
          VERDICTS[a] ?? a,
        ),
      ),
    ),
  );
}

// ---- start ------------------------------------------------------------------------------

window.addEventListener('online', () => {
  showNet();
  void sendQueued(true);
});
window.addEventListener('offline', showNet);
// Wi-Fi may come back without an event: try now and then while something waits.
window.setInterval(() => {
  void queue.all().then((l) => {
    if (l.some((q) => q.refused === undefined)) void sendQueued();
  });
}, 10000);

async function start(): Promise<void> {
  if (token === null) {
    signInView();
    return;
  }
  try {
    const me = (await call('/m/api/me', { token })) as Me;
    localStorage.setItem(LOGIN, me.login);
  } catch (e) {
    if (sessionEnded(e)) return;
  }
  await mainView();
}

void start();
