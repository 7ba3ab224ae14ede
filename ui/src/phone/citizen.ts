// 随手拍: the citizens' page served by the station at /c/ (docs/station.md, "Phones"). Opened
// from a component's QR plate (`/c/?p=GD1|…`: the component is chosen) or a poster's code
// (`/c/`): photo, description, position, a phone number if one likes; no sign-in. The answer
// is a receipt number and a page that follows the case (`/c/?t=…`).
import './phone.css';
import { $, call, deviceId, flush, gps, num, preparePhoto, queue, requestId, say, secureNote, shortTime, toast, Unreachable, zhTerm, type Queued } from './common';
import { fill, h } from './dom';

interface Service {
  code: string;
  kind: 'event' | 'component';
  class_code: string;
  name: string;
  major_name: string;
}

interface Plate {
  service_code: string;
  component: { code: string; class_code: string; class_name: string | null; location: [number, number]; grid: string | null };
}

interface Receipt {
  case_id: string;
  token: string;
  repeated: boolean;
}

interface Status {
  case_id: string;
  status: string;
  open: boolean;
  service_name: string | null;
  description: string | null;
  requested_at: string;
  updated_at: string;
  agency: string | null;
}

interface Mine {
  case_id: string;
  token: string;
  name: string;
  at: number;
}

const MINE = 'griddesk.c.mine';
const app = $('#app');
const params = new URLSearchParams(location.search);

function mine(): Mine[] {
  const kept = localStorage.getItem(MINE);
  return kept === null ? [] : (JSON.parse(kept) as Mine[]);
}

function remember(m: Mine): void {
  const list = mine().filter((x) => x.token !== m.token);
  list.unshift(m);
  localStorage.setItem(MINE, JSON.stringify(list.slice(0, 20)));
}

function frame(...children: (Node | null)[]): void {
  fill(
    app,
    h('header', {}, h('div', { class: 'title' }, '随手拍'), h('div', { class: 'who' }, '城市管理问题举报')),
    h('main', { id: 'body' }, ...children),
    h('div', { id: 'toast', class: 'toast' }),
  );
}

// ---- reporting ------------------------------------------------------------------------------

async function reportView(): Promise<void> {
  let plate: Plate | null = null;
  let services: Service[] = [];
  let note: string | null = null;
  const p = params.get('p');
  if (p !== null) {
    try {
      plate = (await call(`/c/api/plate?p=${encodeURIComponent(p)}`)) as Plate;
    } catch (e) {
      note = `二维码无法识别：${say(e)}`;
    }
  }
  if (plate === null) {
    try {
      services = ((await call('/c/api/services')) as Service[]).filter((s) => s.kind === 'event');
    } catch (e) {
      note = say(e);
    }
  }
  const photos: Blob[] = [];
  const select = h('select', { id: 'c-class' }, h('option', { value: '' }, '请选择问题类别'));
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const s of services) {
    let g = groups.get(s.major_name);
    if (g === undefined) {
      g = h('optgroup', { label: s.major_name });
      groups.set(s.major_name, g);
      select.append(g);
    }
    g.append(h('option', { value: s.code }, s.name));
  }
  const photo = h('input', { id: 'c-photo', type: 'file', accept: 'image/*', capture: 'environment' });
  const thumbs = h('div', { class: 'thumbs', id: 'c-photo-thumbs' });
  photo.addEventListener('change', () => {
    void (async () => {
      const f = photo.files?.[0];
      if (f === undefined) return;
      photos.splice(0, photos.length, await preparePhoto(f));
      fill(thumbs, h('figure', {}, h('img', { src: URL.createObjectURL(photos[0] ?? f), alt: '照片' })));
    })();
  });
  const desc = h('textarea', { id: 'c-description', rows: '3', placeholder: '请描述问题（必填）' });
  const phone = h('input', { id: 'c-phone', inputmode: 'tel', placeholder: '手机号（可不填，便于回访）' });
  const lon = h('input', { id: 'c-lon', inputmode: 'decimal', placeholder: '经度' });
  const lat = h('input', { id: 'c-lat', inputmode: 'decimal', placeholder: '纬度' });
  const where = h('div', { class: 'place', id: 'c-place' });
  if (plate !== null) {
    lon.value = plate.component.location[0].toFixed(6);
    lat.value = plate.component.location[1].toFixed(6);
    where.textContent = '已按二维码牌确定位置';
  }
  const locate = async (): Promise<void> => {
    where.textContent = '正在定位…';
    try {
      const [x, y] = await gps();
      lon.value = x.toFixed(6);
      lat.value = y.toFixed(6);
      where.textContent = '已定位';
    } catch {
      where.textContent = '无法获取定位：请输入经纬度';
    }
  };
  const send = async (): Promise<void> => {
    const code = plate?.service_code ?? select.value;
    const x = num(lon.value);
    const y = num(lat.value);
    if (code === '') {
      toast('请选择问题类别', 'warn');
      return;
    }
    if (desc.value.trim() === '') {
      toast('请描述问题', 'warn');
      return;
    }
    if (x === null || y === null) {
      toast('请定位或输入经纬度', 'warn');
      return;
    }
    const name = plate?.component.class_name ?? services.find((s) => s.code === code)?.name ?? code;
    const item: Queued = {
      id: requestId(),
      path: '/c/api/reports',
      fields: {
        service_code: code,
        lon: String(x),
        lat: String(y),
        description: desc.value.trim(),
        phone: phone.value.trim(),
        device_id: deviceId(),
        client_request_id: '',
      },
      photos: [...photos],
      label: `随手拍 ${name}`,
      createdAt: Date.now(),
    };
    if (plate !== null) item.fields.component_code = plate.component.code;
    item.fields.client_request_id = item.id;
    await queue.put(item);
    await sendQueued(true);
  };
  frame(
    note === null ? null : h('p', { class: 'error' }, note),
    plate === null
      ? h('section', { class: 'field' }, h('label', { for: 'c-class' }, '问题类别'), select)
      : h(
          'div',
          { class: 'component', id: 'c-component' },
          h('b', {}, `部件：${plate.component.class_name ?? plate.component.class_code}`),
          h('div', { class: 'muted' }, `编码 ${plate.component.code}`),
        ),
    h('section', { class: 'field' }, h('label', { for: 'c-photo', class: 'camera' }, '拍一张照片'), photo, thumbs),
    h('section', { class: 'field' }, h('label', { for: 'c-description' }, '问题描述'), desc),
    h(
      'section',
      { class: 'field' },
      h('label', {}, '位置'),
      secureNote(),
      h('button', { type: 'button', id: 'c-gps', onclick: () => void locate() }, '使用当前位置'),
      h('div', { class: 'row' }, lon, lat),
      where,
    ),
    h('section', { class: 'field' }, h('label', { for: 'c-phone' }, '联系电话'), phone),
    h('button', { class: 'primary', id: 'c-send', onclick: () => void send() }, '提交'),
    myList(),
  );
  if (plate === null) void locate();
}

function myList(): HTMLElement | null {
  const list = mine();
  if (list.length === 0) return null;
  return h(
    'section',
    { class: 'field', id: 'c-mine' },
    h('label', {}, '我的举报'),
    h('ul', { class: 'cards' }, ...list.map((m) => h('li', { class: 'card' }, h('a', { href: `/c/?t=${encodeURIComponent(m.token)}` }, `${m.case_id} · ${m.name}`)))),
  );
}

let sending = false;
/** Asked to send while a sending was under way: go round once more after it. */
let again: { told: boolean } | null = null;

async function sendQueued(told = false): Promise<void> {
  if (sending) {
    again = { told: told || (again?.told ?? false) };
    return;
  }
  sending = true;
  try {
    await flush(
      () => null,
      (q, answer) => {
        const r = answer as Receipt;
        remember({ case_id: r.case_id, token: r.token, name: q.label.replace(/^随手拍 /, ''), at: Date.now() });
        receiptView(r);
      },
    );
    const refused = (await queue.all()).find((q) => q.refused !== undefined);
    if (refused !== undefined) {
      await queue.remove(refused.id);
      toast(`未能提交：${refused.refused ?? ''}`, 'err');
    }
  } catch (e) {
    if (told) toast(e instanceof Unreachable ? '网络不通：已保存，联网后自动提交' : say(e), 'warn');
  } finally {
    sending = false;
    const next = again;
    again = null;
    if (next !== null) await sendQueued(next.told);
  }
}

function receiptView(r: Receipt): void {
  frame(
    h(
      'div',
      { class: 'receipt', id: 'c-receipt' },
      h('div', {}, '已提交，感谢您的举报！'),
      h('div', { class: 'no', id: 'c-case' }, r.case_id),
      h('div', { class: 'muted' }, '这是您的受理编号，请保存。'),
      h('p', {}, h('a', { href: `/c/?t=${encodeURIComponent(r.token)}`, id: 'c-follow' }, '查看办理进度')),
    ),
  );
}

// ---- following a case -------------------------------------------------------------------------

async function statusView(token: string): Promise<void> {
  try {
    const s = (await call(`/c/api/status/${encodeURIComponent(token)}`)) as Status;
    frame(
      h(
        'div',
        { class: 'receipt', id: 'c-status' },
        h('div', {}, s.service_name ?? ''),
        h('div', { class: 'no' }, s.case_id),
        h('div', { id: 'c-status-text' }, `办理状态：${zhTerm(`status.${s.status}`)}${s.open ? '' : '（已办结）'}`),
        s.agency === null ? null : h('div', { class: 'muted' }, `承办单位：${s.agency}`),
        h('div', { class: 'muted' }, `举报时间 ${shortTime(s.requested_at)} · 更新 ${shortTime(s.updated_at)}`),
        s.description === null ? null : h('p', { class: 'muted' }, s.description),
      ),
      h('p', {}, h('a', { href: '/c/' }, '再拍一件')),
    );
  } catch (e) {
    frame(h('p', { class: 'error' }, say(e)), h('p', {}, h('a', { href: '/c/' }, '返回')));
  }
}

window.addEventListener('online', () => {
  void sendQueued(true);
});

const t = params.get('t');
if (t === null) void reportView().then(() => sendQueued());
else void statusView(t);
