// 安装站点证书: the page at /ca/ a phone opens (from the QR code on the desktop's 局域网服务, or
// the note on a page opened over plain http) to install the station's own certificate once,
// so that the inspectors' app and 随手拍 can be opened over https:// — the only way a phone's
// browser gives them its GPS (docs/station.md, "HTTPS and the phones' GPS"). Served over plain
// HTTP too, since that is how a phone without the certificate arrives.
import './phone.css';
import { $ } from './common';
import { fill, h } from './dom';

interface CaInfo {
  https: boolean;
  fingerprint: string | null;
  names: string[];
  certificate: string;
}

const app = $('#app');

function frame(...children: (Node | null)[]): void {
  fill(
    app,
    h('header', {}, h('div', { class: 'title' }, '安装站点证书'), h('div', { class: 'who' }, 'GridDesk 局域网服务')),
    h('main', { id: 'body' }, ...children),
  );
}

function step(title: string, ...lines: string[]): HTMLElement {
  return h('section', { class: 'field ca-step' }, h('b', {}, title), ...lines.map((l) => h('p', {}, l)));
}

async function show(): Promise<void> {
  let info: CaInfo | null = null;
  try {
    const r = await fetch('/ca/info.json', { cache: 'no-cache' });
    if (r.ok) info = (await r.json()) as CaInfo;
  } catch {
    info = null;
  }
  if (info === null) {
    frame(h('p', { class: 'error', id: 'ca-state' }, '无法连接本站，请确认手机连在站点的网络上。'));
    return;
  }
  if (!info.https || info.fingerprint === null) {
    frame(
      h('p', { class: 'error', id: 'ca-state', 'data-https': '0' }, '本站未开启 HTTPS。请管理员在 设置 ▸ 局域网服务 中勾选“同时提供 HTTPS”后重新开启。'),
    );
    return;
  }
  const secure = location.protocol === 'https:';
  const https = (path: string): string => `https://${location.host}${path}`;
  frame(
    secure
      ? h('p', { class: 'ok', id: 'ca-state', 'data-secure': '1' }, '已通过 HTTPS 连接：本机已信任站点证书，无需再安装。')
      : h('p', { class: 'muted', id: 'ca-state', 'data-secure': '0' }, '手机浏览器只在 HTTPS 连接下提供 GPS 定位。本站用自己的证书提供 HTTPS，每部手机安装一次即可。'),
    h(
      'section',
      { class: 'field' },
      h('label', {}, '证书指纹（SHA-256）'),
      h('code', { id: 'ca-fingerprint', class: 'fingerprint' }, info.fingerprint),
      h('p', { class: 'muted' }, '请与站点电脑 设置 ▸ 局域网服务 中显示的指纹核对，一致再安装。'),
    ),
    h('a', { class: 'button primary', id: 'ca-download', href: info.certificate, download: 'griddesk-station-ca.crt' }, '下载证书'),
    step('安卓手机', '下载后打开 设置 ▸ 安全 ▸ 更多安全设置 ▸ 加密与凭据 ▸ 安装证书 ▸ CA 证书，选择 griddesk-station-ca.crt。', '各品牌菜单名称略有不同，可在设置中搜索“证书”。'),
    step('iPhone', '用 Safari 下载后，打开 设置 ▸ 通用 ▸ VPN与设备管理，安装“GridDesk 站点证书”描述文件；', '再到 设置 ▸ 通用 ▸ 关于本机 ▸ 证书信任设置，打开对它的完全信任。'),
    h(
      'section',
      { class: 'field' },
      h('label', {}, '安装后用 HTTPS 打开'),
      h('p', {}, h('a', { id: 'ca-open-m', href: https('/m/') }, '巡查上报（监督员）')),
      h('p', {}, h('a', { id: 'ca-open-c', href: https('/c/') }, '随手拍（市民）')),
    ),
    h('p', { class: 'muted small' }, `证书适用于：${info.names.join('、')}`),
  );
}

void show();
