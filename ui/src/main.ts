// Boot: wait for the store, then show the map or the error screen.
import { initChecklist } from './setup/checklist';
import { openNewDistrict } from './setup/newDistrict';
import './style.css';
import { invoke } from '@tauri-apps/api/core';
import { api, asErrorDto, onMenu, onStoreChanged, type ErrorDto, type Lang, type StoreStatusDto } from './api';
import { byId, show } from './dom';
import { applyStatic, errorText, lang, onLangChange, sayMessage, setLang, t } from './i18n';
import { FEATURES } from './features';
import { initWorkspaces, select as selectWorkspace } from './workspace';
import { createMap, prewarmMap, statusOverview, type MapView } from './map';
import { rerenderPanel, showGrid } from './panel';
import { initSearch } from './search';
import { mark, timeline } from './timeline';
import { openTransfer } from './transfer';
import { initSidebar, renderSidebar, setGroupVisible, syncMenu } from './sidebar';
import { initBasemaps } from './basemap';
import { initLan } from './lan';
import { initTrack } from './track';
import { cityApi, onCityChanged } from './city/api';
import { openCentreDialog, showCity, showCityError, type CityHooks } from './city/view';

interface GridDeskHooks {
  api: typeof api;
  view: MapView | null;
  status: StoreStatusDto | null;
  setLang: (l: Lang) => void;
  /** What Help ▸ About does. */
  showAbout: () => Promise<void>;
  /** Selects a workspace tab by id (`map`, or a feature's id). */
  selectWorkspace: (id: string) => void;
  /** What File ▸ Import / Export ▸ dataset does. */
  openTransfer: typeof openTransfer;
  /** What File ▸ New does. */
  openNewDistrict: typeof openNewDistrict;
  /** Start-up milestones (ms since the page started). */
  timeline: Record<string, number>;
  /** The city view, when a centre is open (ui/src/city). */
  city: CityHooks | null;
  /** What File ▸ 打开市级中心… does. */
  openCentreDialog: typeof openCentreDialog;
}

declare global {
  interface Window {
    __griddesk?: GridDeskHooks;
  }
}

const hooks: GridDeskHooks = {
  api, view: null, status: null, setLang, showAbout, timeline, selectWorkspace, openTransfer, openNewDistrict,
  city: null, openCentreDialog,
};
// The test hook only where the shell allows it (debug builds, or GRIDDESK_TEST_HOOK=1 at launch).
void invoke<boolean>('test_hook_enabled').then((on) => { if (on) window.__griddesk = hooks; }).catch(() => undefined);

type Screen = 'loading' | 'map' | 'error';

function setScreen(s: Screen): void {
  document.body.dataset.screen = s;
  show('loading', s === 'loading');
  show('error-screen', s === 'error');
  show('app', s === 'map');
}

function showError(path: string, error: ErrorDto, exitCode: number): void {
  byId('error-friendly').textContent = errorText(error.code);
  byId('error-path').textContent = path;
  byId('error-code').textContent = error.code;
  byId('error-message').textContent = sayMessage(error.detail);
  byId('error-message').dataset.message = error.message;
  byId('error-exit').hidden = exitCode === 0;
  document.body.dataset.errorCode = error.code;
  setScreen('error');
}

async function showAbout(): Promise<void> {
  try {
    const info = await api.appInfo();
    byId('about-version').textContent = info.version;
    byId('about-store').textContent = info.store_path ?? t('none');
    byId('about-attribution').hidden = hooks.status?.state !== 'ready' || !hooks.status.overview.sample;
  } catch (e) {
    console.warn('about failed', e);
  }
  show('about', true);
}

function wireChrome(): void {
  byId('error-open').addEventListener('click', () => { void api.openStoreDialog(); });
  byId('error-new').addEventListener('click', () => { openNewDistrict(); });
  byId('error-quit').addEventListener('click', () => { void api.quit(); });
  byId('about-close').addEventListener('click', () => { show('about', false); });
  byId('grid-panel-close').addEventListener('click', () => { void hooks.view?.selectGrid(null); });

  const settings = byId('settings');
  const settingsButton = byId('settings-button');
  settingsButton.addEventListener('click', () => { settings.hidden = !settings.hidden; });
  // A click anywhere else closes the settings popover.
  document.addEventListener('mousedown', (e) => {
    const target = e.target;
    if (target instanceof Node && !settings.contains(target) && !settingsButton.contains(target)) {
      settings.hidden = true;
    }
  });
  const select = byId('lang-select', HTMLSelectElement);
  select.value = lang();
  select.addEventListener('change', () => {
    setLang(select.value === 'en' ? 'en' : 'zh');
  });
  onLangChange(() => {
    select.value = lang();
    renderSidebar();
    rerenderPanel();
    syncMenu();
    const status = hooks.status;
    if (status?.state === 'ready') byId('status-overview').textContent = statusOverview(status.overview);
    if (status?.state === 'failed') byId('error-friendly').textContent = errorText(status.error.code);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      show('about', false);
      settings.hidden = true;
    }
  });

  void onMenu((a) => {
    switch (a.action) {
      case 'toggle-layer':
        setGroupVisible(a.layer, a.visible);
        break;
      case 'zoom-district':
        hooks.view?.zoomToDistrict();
        break;
      case 'settings':
        settings.hidden = false;
        break;
      case 'about':
        void showAbout();
        break;
      case 'transfer':
        void openTransfer(a.mode, a.dataset);
        break;
      case 'new-store':
        openNewDistrict();
        break;
      case 'open-centre':
        openCentreDialog();
        break;
    }
  });
  // A centre was opened or closed: start over on the city view or on the station's store.
  void onCityChanged(() => { window.location.reload(); });
  // Another store was opened from the menu or the error screen: start over on it.
  void onStoreChanged(() => { window.location.reload(); });
}

async function boot(): Promise<void> {
  mark('boot');
  prewarmMap();
  applyStatic();
  wireChrome();
  initLan();
  syncMenu();
  setScreen('loading');
  // A centre named at launch (`--centre URL`) or opened from the menu: the read-only city view.
  try {
    const city = await cityApi.status();
    if (city.state === 'ready') {
      show('loading', false);
      hooks.city = showCity(city.overview);
      return;
    }
    if (city.state === 'failed') {
      show('loading', false);
      showCityError(city.error);
      return;
    }
  } catch (e) {
    console.warn('city status failed', e);
  }
  const slow = window.setTimeout(() => { byId('loading-text').textContent = t('seeding'); }, 1500);
  let status: StoreStatusDto;
  try {
    status = await api.storeStatus();
  } catch (e) {
    window.clearTimeout(slow);
    showError('', asErrorDto(e), 0);
    return;
  } finally {
    window.clearTimeout(slow);
  }
  mark('store');
  hooks.status = status;
  if (status.state === 'failed') {
    showError(status.path, status.error, status.exit_code);
    return;
  }
  const o = status.overview;
  byId('district-name').textContent = `${o.district_name ?? t('district')} ${o.district_code ?? ''}`;
  byId('sample-badge').hidden = !o.sample;
  byId('read-only-badge').hidden = !status.read_only;
  document.body.dataset.readOnly = status.read_only ? '1' : '';
  byId('status-overview').textContent = statusOverview(o);
  document.title = `GridDesk — ${o.district_name ?? t('district')}`;
  setScreen('map');
  const view = createMap(o, status.generation, status.grids_bbox);
  hooks.view = view;
  mark('map-created');
  initSidebar(view.applyGroup);
  initBasemaps(view, status.path);
  initTrack(view);
  initSearch(view);
  showGrid(null);
  initWorkspaces(FEATURES, view);
  void view.firstDrawn.then(() => { initChecklist(view); });
  // Damage that opening did not read (pages of tables the map does not load): check the whole
  // file in the background once the first view is drawn (the check reads every page, and on two
  // cores it would compete with the first tiles), and say so at once.
  void view.firstDrawn.then(() => api.storeHealth()).then((h) => {
    if (h.ok) return;
    const banner = byId('health-banner');
    banner.textContent = t('storeDamaged');
    banner.title = h.detail;
    banner.dataset.detail = h.detail;
    banner.hidden = false;
  }).catch(() => undefined);
}

void boot();
