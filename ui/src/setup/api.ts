// The setup commands (src-tauri/src/setup.rs): File ▸ New for a real district, the checklist,
// grids proposed for every community, departments with their classes.
import { call } from '../api';
import type { Applied, CountyEntry, Department, DistrictProposal, DrawnBoundary, NewDistrict, ProposalOptions, SetupStatus } from '../generated';

export type { CountyEntry, DistrictProposal, SetupStatus } from '../generated';

export const setupApi = {
  counties: (query: string, limit = 30) => call<CountyEntry[]>('setup_counties', { query, limit }),
  pickStore: (name: string) => call<string | null>('setup_pick_store', { name }),
  pickOutline: () => call<string | null>('setup_pick_outline'),
  create: (path: string, district: NewDistrict) => call<null>('setup_create_district', { path, district }),
  status: () => call<SetupStatus>('setup_status'),
  propose: (options: ProposalOptions | null = null) => call<DistrictProposal>('setup_propose', { communities: null, options }),
  accept: (token: number) => call<Applied>('setup_accept', { token, note: null }),
  discard: () => call<null>('setup_discard'),
  departments: () => call<Department[]>('setup_departments'),
  addDepartment: (code: string, name: string, classes: string[]) => call<null>('setup_add_department', { code, name, classes }),
  newSample: () => call<null>('new_store_dialog'),
  drawBoundary: (boundary: DrawnBoundary) => call<string>('setup_draw_boundary', { boundary }),
};
