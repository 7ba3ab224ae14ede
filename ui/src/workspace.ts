// Workspaces: the jobs done beside the map — the map itself, grid planning, the case loop,
// analytics. Each feature lives in its own folder (`ui/src/<feature>/`) and contributes one
// `Workspace` through `features.ts`; this module draws the tabs and swaps the panes. With no
// feature registered the tab bar stays hidden and the app is the plain map.
import { byId, el } from './dom';
import { onLangChange, t } from './i18n';
import type { MapView } from './map';

export interface Workspace {
  /** Stable id, also the `data-workspace` value of `<body>` while the workspace is active. */
  id: string;
  /** Tab text in the current language. */
  label: () => string;
  /** Builds the workspace's pane once the map exists. */
  mount: (pane: HTMLElement, view: MapView) => void;
  /** The workspace's tab was selected. */
  enter?: () => void;
  /** Another tab was selected. */
  leave?: () => void;
}

const STORAGE_KEY = 'griddesk.workspace';
const MAP_ID = 'map';

let workspaces: Workspace[] = [];
let active = MAP_ID;

function remembered(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? MAP_ID;
  } catch {
    return MAP_ID;
  }
}

function renderTabs(): void {
  const nav = byId('workspace-tabs');
  const tabs = [{ id: MAP_ID, label: () => t('workspaceMap') }, ...workspaces];
  nav.replaceChildren(
    ...tabs.map((w) => {
      const b = el('button', { type: 'button', 'data-workspace': w.id, role: 'tab' }, w.label());
      b.setAttribute('aria-selected', String(w.id === active));
      b.addEventListener('click', () => { select(w.id); });
      return b;
    }),
  );
  nav.hidden = workspaces.length === 0;
}

/** Shows workspace `id` (or the plain map for an unknown id). */
export function select(id: string): void {
  const next = id === MAP_ID || workspaces.some((w) => w.id === id) ? id : MAP_ID;
  if (next === active && document.body.dataset.workspace === next) return;
  workspaces.find((w) => w.id === active)?.leave?.();
  ensureMounted(next);
  active = next;
  document.body.dataset.workspace = next;
  for (const pane of document.querySelectorAll<HTMLElement>('.workspace-pane')) {
    pane.hidden = pane.dataset.workspace !== next;
  }
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not fatal: the choice just is not remembered.
  }
  renderTabs();
  workspaces.find((w) => w.id === next)?.enter?.();
}

/** The active workspace's id. */
export function activeWorkspace(): string {
  return active;
}

const mounted = new Set<string>();
let mountView: MapView | null = null;

/** Builds workspace `id`'s pane if it has not been built yet. */
function ensureMounted(id: string): void {
  const w = workspaces.find((x) => x.id === id);
  if (!w || mounted.has(id) || !mountView) return;
  mounted.add(id);
  const pane = document.querySelector<HTMLElement>(`.workspace-pane[data-workspace="${id}"]`);
  if (pane) w.mount(pane, mountView);
}

/**
 * Adds every feature's workspace beside the map and restores the last tab. The tabs and the
 * last tab's pane are built now; the other panes are built once the map has drawn its first view
 * (one per task, so the window stays responsive), or at once when their tab is chosen first.
 * Building them all up front held the main thread for a few hundred ms before the first frame.
 */
export function initWorkspaces(list: Workspace[], view: MapView): void {
  workspaces = list;
  mountView = view;
  const host = byId('workspace-panes');
  for (const w of list) {
    const pane = el('section', { class: 'workspace-pane', 'data-workspace': w.id });
    pane.hidden = true;
    host.append(pane);
  }
  onLangChange(renderTabs);
  active = '';
  select(remembered());
  void view.firstDrawn.then(() => {
    const rest = list.filter((w) => !mounted.has(w.id));
    const next = () => {
      const w = rest.shift();
      if (!w) return;
      ensureMounted(w.id);
      window.setTimeout(next, 0);
    };
    next();
  });
}
