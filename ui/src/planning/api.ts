// The planning and responsibility commands (src-tauri/src/planning.rs). The types are generated
// from the Rust types (../generated, scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import type {
  Applied, AssignReport, BasemapSnap, BuildingCut, ChangeSet, CommunityItem, Edit, EditSummary, GridHistory, GridsAsOf, GuardReport,
  LayerColoursDto, LayerInfo, PersonRef, PersonZonesDto, Preview, Proposal, ProposalOptions, Responsibility,
  SnapHit, ZoneSummary,
} from '../generated';
import { isMessage, type Message } from '../messages';

export type {
  Applied, AssignReport, Balance, BasemapSnap, BuildingCut, ChangeSet, CommunityItem, Edit, EditEffect, EditState, EditSummary,
  GridHistory, GridsAsOf, GridVersion, GuardReport, HistoryEntry, LayerAnswer, LayerColoursDto, LayerInfo,
  LineageLink, Named, NewGrid, PersonRef, PersonZoneDto, PersonZonesDto, Preview, Problem, Proposal,
  ProposalOptions, ProposedGrid, Responsibility, RoadAnswer, RoadSummary, Rule, Severity, SnapHit, UnitRef,
  ZoneSummary,
} from '../generated';

/** `[lon, lat]`. */
export type LonLat = [number, number];

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
  /** `basemap`: also snap to that vector basemap's roads and/or building outlines. */
  snap: (lon: number, lat: number, toleranceM: number, basemap: BasemapSnap | null = null) =>
    call<SnapHit | null>('plan_snap', { lon, lat, toleranceM, basemap }),
  propose: (community: string, options: ProposalOptions | null = null) =>
    call<Proposal>('plan_propose', { community, options }),
  accept: (change: ChangeSet, note: string | null = null) => call<Applied>('plan_accept', { change, note }),
  renumberPreview: (community: string) => call<Preview>('plan_renumber_preview', { community }),
  checkDistrict: () => call<GuardReport>('plan_check_district'),
  zoneLayers: () => call<LayerInfo[]>('zone_layers'),
  zonesInLayer: (layer: string) => call<ZoneSummary[]>('zones_in_layer', { layer }),
  zoneColours: (layer: string) => call<LayerColoursDto>('zone_colours', { layer }),
  assign: (layer: string, zone: string, grids: string[], moveGrids: boolean) =>
    call<AssignReport>('zone_assign', { layer, zone, grids, moveGrids }),
  people: () => call<PersonRef[]>('zone_people'),
  whoIsHere: (lon: number, lat: number) => call<Responsibility>('who_is_here', { lon, lat }),
  history: (code: string) => call<GridHistory>('plan_grid_history', { code }),
  communities: () => call<CommunityItem[]>('plan_communities'),
  gridsAsOf: (date: string, bbox: [number, number, number, number] | null = null) =>
    call<GridsAsOf>('plan_grids_as_of', { date, bbox }),
  personZones: (id: string) => call<PersonZonesDto>('zone_person_zones', { id }),
  /** Buildings of vector basemap `id` that a grid boundary cuts through. */
  buildingCuts: (id: string) => call<BuildingCut[]>('basemap_building_cuts', { id }),
};
