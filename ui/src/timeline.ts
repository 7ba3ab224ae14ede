// Start-up milestones in page time (ms since navigation start), for measuring where launch goes.
export const timeline: Record<string, number> = {};

export function mark(name: string): void {
  timeline[name] ??= Math.round(performance.now());
}
