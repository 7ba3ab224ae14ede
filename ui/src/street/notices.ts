// 温馨提示: notices to service objects — a draft (title, text with fields, target, channel),
// its preview (who receives it, each text filled in), sending, the notices sent, their letters
// for printing and, for administrators, their recipient list as XLSX/CSV for the SMS platform.
import { el } from '../dom';
import * as api from './api';
import { sectionName, state } from './state';
import { channelName, s, targetName } from './strings';
import { errorBox, fill, labelled, select, when } from './ui';

const FIELDS = ['{名称}', '{地址}', '{负责人}', '{联系人}', '{网格}', '{日期}'];
export const CHANNELS = ['短信', '上门', '微信', '信函'];

let draft: api.NoticeDraft = { title: '', template: '', target: null, channel: '短信' };

export function renderNotices(into: HTMLElement): void {
  const ov = state.overview;
  if (!ov?.can_verify) {
    into.replaceChildren(el('p', { class: 'muted', id: 'notice-desk-only' }, s('noticesDesk')), el('div', { id: 'notice-list-host' }));
    void renderList();
    return;
  }
  const title = el('input', { name: 'title', id: 'notice-title', value: draft.title });
  const body = el('textarea', { name: 'template', id: 'notice-template', rows: '4' });
  body.value = draft.template;
  const fieldButtons = el('div', { class: 'reg-tools street-fields-buttons' }, ...FIELDS.map((f) => {
    const b = el('button', { type: 'button', 'data-insert': f }, f);
    b.addEventListener('click', () => {
      const at = body.selectionStart;
      body.value = body.value.slice(0, at) + f + body.value.slice(body.selectionEnd);
      body.focus();
      body.selectionStart = body.selectionEnd = at + f.length;
    });
    return b;
  }));
  const kind = select('target_kind', api.TARGETS.map((k): [string, string] => [k, targetName(k)]), draft.target?.kind ?? 'section');
  kind.id = 'notice-target-kind';
  const keyHost = el('span', {});
  let key: HTMLInputElement | HTMLSelectElement = el('input');
  const makeKey = () => {
    const k = kind.value as api.TargetKind;
    const old = draft.target?.kind === k ? draft.target.key : '';
    if (k === 'section') key = select('target_key', ov.sections.map(([l, n]): [string, string] => [l, `${l} ${n}`]), old);
    else if (k === 'subclass') key = select('target_key', ov.subclasses.map((c): [string, string] => [c.code, `${c.code} ${c.name}`]), old);
    else key = el('input', { name: 'target_key', value: old, placeholder: s(`keyHint_${k}`) });
    key.id = 'notice-target-key';
    keyHost.replaceChildren(labelled(s('targetKey'), key));
  };
  kind.addEventListener('change', makeKey);
  makeKey();
  const channel = select('channel', CHANNELS.map((c): [string, string] => [c, channelName(c)]), draft.channel);
  channel.id = 'notice-channel';
  const out = el('div', { id: 'notice-out' });
  const preview = el('button', { type: 'button', id: 'notice-preview' }, s('preview'));
  const send = el('button', { type: 'submit', id: 'notice-send' }, s('send'));
  const read = (): api.NoticeDraft => {
    draft = { title: title.value, template: body.value, target: { kind: kind.value as api.TargetKind, key: key.value.trim() }, channel: channel.value };
    return draft;
  };
  preview.addEventListener('click', () => {
    api.previewNotice(read()).then((p) => { out.replaceChildren(previewTable(p)); })
      .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  const form = el('form', { id: 'notice-form', class: 'street-form-inline' }, labelled(s('noticeTitle'), title),
    labelled(s('noticeText'), body), fieldButtons, labelled(s('target'), kind), keyHost, labelled(s('channel'), channel),
    el('div', { class: 'reg-tools' }, preview, send), out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api.sendNotice(read()).then(async (n) => {
      draft = { title: '', template: '', target: null, channel: '短信' };
      out.replaceChildren(el('p', { id: 'notice-sent', 'data-id': String(n.id), 'data-recipients': String(n.recipients) },
        fill(s('sent'), { n: n.recipients })));
      title.value = '';
      body.value = '';
      await renderList();
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  into.replaceChildren(form, el('h3', {}, s('noticesSent')), el('div', { id: 'notice-export-out' }), el('div', { id: 'notice-list-host' }));
  void renderList();
}

function previewTable(p: api.NoticePreview): HTMLElement {
  const table = el('table', { id: 'notice-recipients', class: 'reg-table', 'data-total': String(p.total) },
    el('thead', {}, el('tr', {}, el('th', {}, s('name')), el('th', {}, s('grid')), el('th', {}, s('contact')), el('th', {}, s('phone')))));
  const tbody = el('tbody', {});
  for (const r of p.recipients) {
    tbody.append(el('tr', { 'data-object': String(r.object), title: r.text }, el('td', {}, r.name), el('td', {}, r.grid ?? '—'),
      el('td', {}, r.contact ?? '—'), el('td', {}, r.phone ?? '—')));
  }
  table.append(tbody);
  const first = p.recipients[0];
  const more = p.total > p.recipients.length ? [el('p', { class: 'muted', id: 'notice-more' }, fill(s('firstN'), { n: p.recipients.length, total: p.total }))] : [];
  return el('div', {}, el('p', { id: 'notice-count', 'data-total': String(p.total), 'data-shown': String(p.recipients.length) }, fill(s('recipients'), { n: p.total })), ...more,
    el('div', { class: 'reg-scroll' }, table),
    ...(first ? [el('p', { class: 'muted' }, s('firstText')), el('blockquote', { class: 'street-letter-text' }, first.text)] : []));
}

async function renderList(): Promise<void> {
  const host = document.getElementById('notice-list-host');
  if (!host) return;
  try {
    const list = await api.notices();
    const ul = el('ul', { id: 'notice-list', class: 'street-list' });
    for (const n of list) {
      const print = el('button', { type: 'button', 'data-print': String(n.id) }, s('print'));
      print.addEventListener('click', () => { void letters(n); });
      const li = el('li', { 'data-id': String(n.id), 'data-recipients': String(n.recipients) },
        el('b', {}, n.title), ` · ${targetName(n.target.kind)} ${n.target.kind === 'section' ? sectionName(n.target.key) : n.target.key} · ${channelName(n.channel)} · ${fill(s('recipients'), { n: n.recipients })} · ${when(n.created_at)} ${n.created_by} `,
        el('span', { class: 'reg-tools' }, print));
      if (state.overview?.can_export_personal) {
        for (const f of ['xlsx', 'csv'] as const) {
          const b = el('button', { type: 'button', 'data-export': f, 'data-id': String(n.id) }, f === 'xlsx' ? s('exportXlsx') : s('exportCsv'));
          b.addEventListener('click', () => { void exportList(n.id, f); });
          li.lastElementChild?.append(b);
        }
      }
      ul.append(li);
    }
    if (!list.length) ul.append(el('li', { class: 'muted' }, s('none')));
    host.replaceChildren(ul);
  } catch (e) {
    host.replaceChildren(errorBox(e));
  }
}

async function exportList(id: number, format: api.ListFormat): Promise<void> {
  const out = document.getElementById('notice-export-out');
  try {
    const path = await api.exportNotice(id, format);
    out?.replaceChildren(el('p', { id: 'notice-exported', 'data-path': path ?? '' }, path ? fill(s('saved'), { path }) : s('cancelled')));
  } catch (e) {
    out?.replaceChildren(errorBox(e));
  }
}

/** The notice's letters, one per page when printed (only the letters are printed). */
async function letters(n: api.Notice): Promise<void> {
  document.getElementById('street-letters')?.remove();
  const close = el('button', { type: 'button', id: 'letters-close' }, s('close'));
  const print = el('button', { type: 'button', id: 'letters-print' }, s('print'));
  const bar = el('div', { class: 'letters-bar' }, el('b', {}, n.title), print, close);
  const view = el('div', { id: 'street-letters', class: 'street-letters' }, bar);
  close.addEventListener('click', () => { view.remove(); document.body.classList.remove('printing-letters'); });
  print.addEventListener('click', () => { window.print(); });
  document.body.append(view);
  document.body.classList.add('printing-letters');
  try {
    const list = await api.noticeLetters(n.id);
    for (const r of list) {
      view.append(el('article', { class: 'letter', 'data-object': String(r.object) }, el('h1', {}, n.title),
        el('p', { class: 'letter-to' }, `${r.name}（${r.address}）`), el('p', { class: 'letter-text' }, r.text),
        el('p', { class: 'letter-foot' }, `${s('from')} · ${when(n.created_at).slice(0, 10)}`)));
    }
    view.dataset.letters = String(list.length);
  } catch (e) {
    view.append(errorBox(e));
  }
}
