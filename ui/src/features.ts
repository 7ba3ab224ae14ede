// The feature workspaces shown as tabs beside the map, in tab order. A feature adds itself here
// with one import and one entry; everything else it needs lives in its own folder.
import { casesWorkspace } from './cases';
import { planningWorkspace } from './planning';
import type { Workspace } from './workspace';
import { analyticsWorkspace } from './analytics/pane';
import { registerWorkspace } from './register';
import { streetWorkspace } from './street';
import { syncWorkspace } from './sync';

export const FEATURES: Workspace[] = [casesWorkspace, registerWorkspace, streetWorkspace, analyticsWorkspace, planningWorkspace, syncWorkspace];
