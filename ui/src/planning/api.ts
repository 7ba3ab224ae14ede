// The planning and responsibility commands (src-tauri/src/planning.rs) and their DTOs. Field
// names mirror the engine's Serialize types (crates/griddesk/src/planning, src/zones).
import { invoke } from '@tauri-apps/api/core';
import { isMessage, type Message } from '../messages';
import type { FeatureCollection, Geometry, Polygon } from 'geojson';

export type LonLat = [number, number];

/** An edit, as the engine's `planning::Edit` (tagged by `op`). */
export type Edit =
  | { op: 'add_grid'; ring: LonLat[]; community?: string | null; name?: string | null }
  | { op: 'split'; grid: string; line: LonLat[] }
  | { op: 'merge'; grids: string[]; attributes_from?: string | null }
  | { op: 'move_vertex'; from: LonLat; to: LonLat }
  | { op: 'insert_vertex'; at: LonLat }
  | { op: 'delete_vertex'; at: LonLat }
  | { op: 'reshape'; grid: string; path: LonLat[] }
  | { op: 'renumber'; community: string };

export type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  rule: string;
  community: string | null;
  grids: string[];
  /** The engine's English sentence (logs); show `detail`. */
  message: string;
  detail: Message;
  geometry: Geometry | null;
  area_m2: number | null;
}

export interface GuardReport {
  problems: Problem[];
}

export interface NewGrid {
  code: string;
  name: string;
  polygon: Polygon;
  area_m2: number;
  predecessors: string[];
}

export interface ChangeSet {
  operation: string;
  community: string;
  retire: { code: string; polygon: Polygon }[];
  create: NewGrid[];
  modify: { code: string; before: Polygon; after: Polygon }[];
  rename: { from: string; to: string }[];
}

export interface Preview {
  change: ChangeSet;
  report: GuardReport;
  relocated_components: number;
  relocated_cases: number;
}

export type EditState = 'applied' | 'undone' | 'discarded';

export interface EditSummary {
  id: number;
  at: string;
  author: string;
  operation: string;
  note: string | null;
  community: string;
  state: EditState;
  effect: {
    retired: string[];
    created: string[];
    modified: string[];
    renamed: [string, string][];
    relocated_components: number;
    relocated_cases: number;
  };
}

/** Figures of one proposed grid. */
export interface ProposedGrid {
  code: string;
  area_m2: number;
  components: number;
  cases: number;
  /** Components + cases of the last 12 months. */
  workload: number;
}

/** Balance figures of a set of grids (CV: coefficient of variation, lower is better). */
export interface Balance {
  grids: number;
  mean_area_m2: number;
  area_cv: number;
  mean_workload: number;
  workload_cv: number;
  max_workload_ratio: number;
}

/** How to propose (the engine's `ProposalOptions`). */
export interface ProposalOptions {
  target_area_m2?: number | null;
  workload_weight?: number | null;
}

/** A proposed partition of a community (a dry run; accept its `change`). */
export interface Proposal {
  change: ChangeSet;
  grids: ProposedGrid[];
  proposed: Balance;
  current: Balance;
  report: GuardReport;
}

export interface Applied {
  edit: EditSummary;
  warnings: Problem[];
}

export interface SnapHit {
  kind: 'vertex' | 'edge';
  layer: 'grid' | 'community' | 'street' | 'road';
  feature: string;
  point: LonLat;
  edge: [LonLat, LonLat] | null;
  distance_m: number;
}

export interface LayerInfo {
  code: string;
  name: string;
  kind: string;
  network: string;
  order: number;
  kind_zh: string;
  network_zh: string;
  zones: number;
  unassigned_grids: number;
}

export interface PersonRef {
  id: string | null;
  name: string;
  role: string;
  role_zh: string;
  phone: string | null;
  unit_name: string | null;
}

export interface UnitRef {
  code: string;
  name: string;
  kind: string;
  phone: string | null;
}

export interface ZoneSummary {
  layer: string;
  code: string;
  name: string;
  ci: number;
  unit: UnitRef | null;
  people: PersonRef[];
  grids: number;
  area_m2: number;
}

/** `codes[i]` lies in zone `zone[i]` (a position in `zones`, or -1), coloured `ci[zone]`. */
export interface LayerColours {
  layer: string;
  zones: string[];
  ci: number[];
  codes: string[];
  zone: number[];
}

export interface AssignReport {
  added: string[];
  moved: [string, string][];
  unchanged: string[];
}

export interface Named {
  code: string;
  name: string;
}

export interface Responsibility {
  lon: number;
  lat: number;
  grid: Named | null;
  community: Named | null;
  street: Named | null;
  layers: { layer: string; layer_name: string; kind: string; network: string; zone: ZoneSummary | null }[];
  roads: {
    code: string;
    name: string;
    class: string;
    chief_title: string;
    chief: PersonRef | null;
    unit: UnitRef | null;
    distance_m: number;
  }[];
}

/** One version of a grid in its history (GeoJSON polygons; null: it did not exist). */
export interface GridVersion {
  code: string;
  before: Polygon | null;
  after: Polygon | null;
  end_date_after: string | null;
}

/** A grid's lineage and every edit touching it, oldest first. */
export interface GridHistory {
  code: string;
  lineage_codes: string[];
  lineage: { edit: number; predecessor: string; successor: string }[];
  edits: { edit: EditSummary; grids: GridVersion[] }[];
}

export interface CommunityItem {
  code: string;
  name: string;
  grids: number;
}

/** The grids in force at the end of a date; `current`: still in force today. */
export interface GridsAsOf {
  date: string;
  total: number;
  truncated: boolean;
  grids: FeatureCollection<Polygon, { code: string; seq: string; name: string; current: boolean }>;
}

export interface PersonZones {
  person: PersonRef;
  zones: {
    layer: string;
    layer_name: string;
    code: string;
    name: string;
    lead: boolean;
    grids: number;
    member_grids: string[];
    bbox: [number, number, number, number] | null;
  }[];
  roads: { code: string; name: string; class: string; chief_title: string; length_m: number }[];
}

/** A failed planning command; `report` is set for `topology-refused`. */
export class PlanError extends Error {
  readonly code: string;
  readonly report: GuardReport | null;
  /** What to show, in the user's language (`message` is the engine's English). */
  readonly detail: Message;
  constructor(code: string, message: string, report: GuardReport | null, detail: Message) {
    super(message);
    this.name = 'PlanError';
    this.code = code;
    this.report = report;
    this.detail = detail;
  }
}

function isReport(v: unknown): v is GuardReport {
  return typeof v === 'object' && v !== null && Array.isArray((v as { problems?: unknown }).problems);
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'code' in e && 'message' in e) {
      const { code, message } = e;
      const report: unknown = (e as { report?: unknown }).report;
      const detail: unknown = (e as { detail?: unknown }).detail;
      throw new PlanError(String(code), String(message), isReport(report) ? report : null,
        isMessage(detail) ? detail : { code: 'internal-error', params: {} });
    }
    throw new PlanError('window', e instanceof Error ? e.message : String(e), null, { code: 'window-failed', params: {} });
  }
}

export const planApi = {
  preview: (edit: Edit) => call<Preview>('plan_preview', { edit }),
  apply: (edit: Edit, note: string | null = null) => call<Applied>('plan_apply', { edit, note }),
  undo: () => call<Applied>('plan_undo'),
  redo: () => call<Applied>('plan_redo'),
  log: (limit: number) => call<EditSummary[]>('plan_log', { limit }),
  snap: (lon: number, lat: number, toleranceM: number) =>
    call<SnapHit | null>('plan_snap', { lon, lat, toleranceM }),
  propose: (community: string, options: ProposalOptions | null = null) =>
    call<Proposal>('plan_propose', { community, options }),
  accept: (change: ChangeSet, note: string | null = null) => call<Applied>('plan_accept', { change, note }),
  renumberPreview: (community: string) => call<Preview>('plan_renumber_preview', { community }),
  checkDistrict: () => call<GuardReport>('plan_check_district'),
  zoneLayers: () => call<LayerInfo[]>('zone_layers'),
  zonesInLayer: (layer: string) => call<ZoneSummary[]>('zones_in_layer', { layer }),
  zoneColours: (layer: string) => call<LayerColours>('zone_colours', { layer }),
  assign: (layer: string, zone: string, grids: string[], moveGrids: boolean) =>
    call<AssignReport>('zone_assign', { layer, zone, grids, moveGrids }),
  people: () => call<PersonRef[]>('zone_people'),
  whoIsHere: (lon: number, lat: number) => call<Responsibility>('who_is_here', { lon, lat }),
  history: (code: string) => call<GridHistory>('plan_grid_history', { code }),
  communities: () => call<CommunityItem[]>('plan_communities'),
  gridsAsOf: (date: string, bbox: [number, number, number, number] | null = null) =>
    call<GridsAsOf>('plan_grids_as_of', { date, bbox }),
  personZones: (id: string) => call<PersonZones>('zone_person_zones', { id }),
};
