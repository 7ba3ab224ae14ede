// 设置 ▸ 局域网服务: the station service for the phones on the station's network (the inspectors'
// 巡查上报 at /m/, the citizens' 随手拍 at /c/, Open311), switched on and off by an administrator
// on the address and port chosen here, shown as URLs with QR codes to scan
// (src-tauri/src/lan.rs, docs/station.md). Off by default.
import { asErrorDto, call } from './api';
import { el } from './dom';
import { defineStrings, onLangChange, sayMessage } from './i18n';
import type { LanOptions, LanPage, LanStatus, Message } from './generated';

declare global {
  interface Window {
    __lan?: { api: typeof lanApi; open: () => Promise<void> };
  }
}

const ls = defineStrings(
  {
    open: '局域网服务…', title: '局域网服务', intro: '让本站网络中的手机访问：监督员巡查上报、市民随手拍、Open311 接口。不需要互联网。',
    state: '状态', on: '运行中', off: '未开启', address: '监听地址', all: '所有网络（{addr}）', local: '仅本机（{addr}）',
    port: '端口', citizen: '随手拍受理账号', citizenHint: '市民上报以此账号登记（受理员、监督员、值班长或领导）；留空则不开放随手拍',
    start: '开启', restart: '按新设置重启', stop: '停止服务', close: '关闭窗口', starting: '正在开启…', stopping: '正在关闭…',
    noPages: '未找到手机页面（ui/dist-phone），仅提供 Open311 接口。',
    page_inspector: '巡查上报（监督员）', page_citizen: '随手拍（市民）', page_open311: 'Open311 接口',
    adminOnly: '仅系统管理员可开启或关闭。',
    https: '同时提供 HTTPS（手机浏览器仅在 HTTPS 下提供 GPS 定位）', page_certificate: '安装站点证书（每部手机一次）',
    fingerprint: '证书指纹（SHA-256，请与手机上显示的核对）', certDir: '证书保存在 {dir}，请妥善保管：已安装证书的手机只信任它。',
  },
  {
    open: 'Network service…', title: 'Network service', intro: 'For phones on the station\'s network: inspectors\' reports, citizens\' 随手拍, the Open311 API. No internet needed.',
    state: 'State', on: 'Running', off: 'Off', address: 'Listen on', all: 'Every network ({addr})', local: 'This computer only ({addr})',
    port: 'Port', citizen: 'Account for 随手拍', citizenHint: 'Citizens\' reports are filed as this account (receptionist, inspector, shift lead or leader); empty: 随手拍 stays off',
    start: 'Start', restart: 'Restart with these settings', stop: 'Stop the service', close: 'Close', starting: 'Starting…', stopping: 'Stopping…',
    noPages: 'The phone pages (ui/dist-phone) are missing: only the Open311 API is served.',
    page_inspector: 'Inspector reports', page_citizen: '随手拍 (citizens)', page_open311: 'Open311 API',
    adminOnly: 'Administrators only may start or stop it.',
    https: 'Serve HTTPS too (phone browsers give GPS positions only over HTTPS)', page_certificate: 'Install the station\'s certificate (once per phone)',
    fingerprint: 'Certificate fingerprint (SHA-256: compare it with the phone\'s)', certDir: 'The certificate is kept in {dir}: keep it safe, the phones that installed it trust only it.',
  },
);

export const lanApi = {
  status: () => call<LanStatus>('lan_status'),
  start: (options: LanOptions) => call<LanStatus>('lan_start', { options }),
  stop: () => call<LanStatus>('lan_stop'),
};

const form = { host: '0.0.0.0', port: '', citizen: '', https: true };
let modal: HTMLElement | null = null;
let status: LanStatus | null = null;
let busy: 'starting' | 'stopping' | null = null;
let error: { text: string; code: string } | null = null;

function pageName(p: LanPage): string {
  switch (p) {
    case 'certificate': return ls('page_certificate');
    case 'inspector': return ls('page_inspector');
    case 'citizen': return ls('page_citizen');
    case 'open311': return ls('page_open311');
  }
}

function addressName(a: string): string {
  if (a === '0.0.0.0') return ls('all').replace('{addr}', a);
  if (a === '127.0.0.1') return ls('local').replace('{addr}', a);
  return a;
}

function mark(): void {
  const b = document.body.dataset;
  b.lanRunning = status?.running ? '1' : '0';
  b.lanListen = status?.listen ?? '';
  b.lanHttps = status?.https ? '1' : '0';
  b.lanError = error?.code ?? '';
}

async function act(what: 'start' | 'stop'): Promise<void> {
  busy = what === 'start' ? 'starting' : 'stopping';
  error = null;
  render();
  try {
    if (what === 'start') {
      const port = Number(form.port === '' ? status?.default_port ?? 8311 : form.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        // The shell's own refusal, said before asking it (a port is a 16-bit number).
        const detail: Message = { code: 'lan-listen-failed', params: { addr: { text: `${form.host}:${form.port}` } } };
        error = { text: sayMessage(detail), code: detail.code };
        return;
      }
      status = await lanApi.start({
        host: form.host,
        port,
        citizen_login: form.citizen.trim() === '' ? null : form.citizen.trim(),
        https: form.https,
      });
    } else {
      status = await lanApi.stop();
    }
  } catch (e) {
    const err = asErrorDto(e);
    error = { text: sayMessage(err.detail), code: err.detail.code };
    // A restart that failed has stopped the service that ran: show it as it is now.
    status = await lanApi.status().catch(() => status);
  } finally {
    busy = null;
    render();
  }
}

function render(): void {
  if (!modal || modal.hidden) return;
  const s = status;
  const card = el('div', { class: 'modal-card lan-card', role: 'dialog', 'aria-labelledby': 'lan-title' });
  card.append(el('h2', { id: 'lan-title' }, ls('title')), el('p', { class: 'muted' }, ls('intro')));
  card.append(
    el('p', {}, `${ls('state')}：`, el('strong', { id: 'lan-state' }, s?.running ? `${ls('on')} · ${s.listen ?? ''}` : ls('off'))),
  );
  const host = el('select', { id: 'lan-host' });
  for (const a of s?.addresses ?? ['0.0.0.0', '127.0.0.1']) host.append(el('option', { value: a }, addressName(a)));
  host.value = form.host;
  host.addEventListener('change', () => { form.host = host.value; });
  const port = el('input', { id: 'lan-port', type: 'number', min: '1', max: '65535', value: form.port, placeholder: String(s?.default_port ?? 8311) });
  port.addEventListener('input', () => { form.port = port.value; });
  const citizen = el('input', { id: 'lan-citizen', type: 'text', value: form.citizen, placeholder: 'receptionist' });
  citizen.addEventListener('input', () => { form.citizen = citizen.value; });
  const https = el('input', { id: 'lan-https', type: 'checkbox' });
  https.checked = form.https;
  https.addEventListener('change', () => { form.https = https.checked; });
  card.append(
    el('label', { class: 'lan-row' }, el('span', {}, ls('address')), host),
    el('label', { class: 'lan-row' }, el('span', {}, ls('port')), port),
    el('label', { class: 'lan-row' }, el('span', {}, ls('citizen')), citizen),
    el('p', { class: 'muted small' }, ls('citizenHint')),
    el('label', { class: 'lan-check' }, https, el('span', {}, ls('https'))),
  );
  if (s && !s.pages) card.append(el('p', { class: 'warn', id: 'lan-no-pages' }, ls('noPages')));
  if (error) card.append(el('p', { class: 'error', id: 'lan-error', 'data-code': error.code }, error.text));
  if (busy) card.append(el('p', { class: 'muted' }, ls(busy)));
  if (s?.running) {
    const list = el('div', { class: 'lan-urls', id: 'lan-urls' });
    for (const u of s.urls) {
      list.append(
        el(
          'figure',
          { class: 'lan-url', 'data-page': u.page },
          el('img', { src: `data:image/png;base64,${u.qr_png}`, alt: u.url, width: '116', height: '116' }),
          el('figcaption', {}, el('strong', {}, pageName(u.page)), el('br'), el('code', {}, u.url)),
        ),
      );
    }
    card.append(list);
    if (s.https) {
      card.append(
        el('p', { class: 'small', id: 'lan-fingerprint' }, `${ls('fingerprint')}：`, el('br'), el('code', {}, s.https.fingerprint)),
        el('p', { class: 'muted small' }, ls('certDir').replace('{dir}', s.https.dir)),
      );
    }
  }
  const buttons = el('div', { class: 'buttons' });
  const start = el('button', { type: 'button', id: 'lan-start' }, s?.running ? ls('restart') : ls('start'));
  start.disabled = busy !== null;
  start.addEventListener('click', () => { void act('start'); });
  buttons.append(start);
  if (s?.running) {
    const stop = el('button', { type: 'button', id: 'lan-stop' }, ls('stop'));
    stop.disabled = busy !== null;
    stop.addEventListener('click', () => { void act('stop'); });
    buttons.append(stop);
  }
  const close = el('button', { type: 'button', id: 'lan-close' }, ls('close'));
  close.addEventListener('click', () => { if (modal) modal.hidden = true; });
  buttons.append(close);
  card.append(buttons, el('p', { class: 'muted small' }, ls('adminOnly')));
  modal.replaceChildren(card);
  mark();
}

/** Opens the dialog with the service's state now. */
export async function openLan(): Promise<void> {
  if (!modal) {
    modal = el('div', { id: 'lan-dialog', class: 'modal' });
    document.body.append(modal);
  }
  modal.hidden = false;
  error = null;
  try {
    status = await lanApi.status();
    if (status.listen) {
      const at = status.listen.lastIndexOf(':');
      form.host = status.listen.slice(0, at);
      form.port = status.listen.slice(at + 1);
      form.https = status.https !== null;
    }
  } catch (e) {
    const err = asErrorDto(e);
    error = { text: sayMessage(err.detail), code: err.detail.code };
  }
  render();
}

/** Adds 局域网服务… to the settings popover. */
export function initLan(): void {
  const settings = document.getElementById('settings');
  if (!settings) return;
  const button = el('button', { type: 'button', id: 'lan-open' }, ls('open'));
  button.addEventListener('click', () => {
    settings.hidden = true;
    void openLan();
  });
  settings.append(button);
  onLangChange(() => {
    button.textContent = ls('open');
    render();
  });
  window.__lan = { api: lanApi, open: openLan };
}
