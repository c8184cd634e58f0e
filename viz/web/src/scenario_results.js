// Reading a what-if run's results as the server reports them (GET
// /api/scenarios/<id>, viz/scenarios_api): which roads are congested at a
// moment of the run, and how to label its times. Everything here only
// filters or formats the server's figures; nothing is estimated.

// Statuses of a run that will still change (the panel polls while any
// run has one).
export const ACTIVE_STATUSES = ['forking', 'running'];

export const PRIORITY_LABELS = { 1: 'urgent', 2: 'important', 3: 'advice' };

// The segments (URNs) with a congestion episode at `t` seconds after the
// run's start: fromS <= t < toS. Only the episodes the server lists (the
// longest, at most 2000) can be found here.
export function congestedAt(results, t) {
  const result = new Set();
  if (!results || !Array.isArray(results.congestion)) return result;
  for (const c of results.congestion)
    if (c.fromS <= t && t < c.toS) result.add(c.segment);
  return result;
}

// Splits the run's and the baseline's congested roads at one moment into
// roads congested in the run only, in both, and in the baseline only.
export function compareCongestion(runRoads, baselineRoads) {
  const result = { runOnly: [], both: [], baselineOnly: [] };
  for (const urn of runRoads) (baselineRoads.has(urn) ? result.both : result.runOnly).push(urn);
  for (const urn of baselineRoads) if (!runRoads.has(urn)) result.baselineOnly.push(urn);
  return result;
}

// The scenario's start as written ("YYYY-MM-DDTHH:MM[:SS]", or a blank for
// the T; local civil time of the city) as a UTC date that stands for it:
// adding seconds to it never meets the browser's own time zone or
// daylight-saving changes, which the scenario does not apply either.
function civilStart(start) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(start || ''));
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

const two = (n) => String(n).padStart(2, '0');

// "23:05" for `seconds` after the start; a later day is marked "+1d".
// Without a readable start, the offset alone ("+6h05").
export function clockAt(start, seconds) {
  const origin = civilStart(start);
  if (origin === null) return `+${duration(seconds)}`;
  const at = new Date(origin + seconds * 1000);
  const DAY_MS = 86400000;
  const days = Math.floor(at.getTime() / DAY_MS) - Math.floor(origin / DAY_MS);
  const secondsShown = at.getUTCSeconds() ? `:${two(at.getUTCSeconds())}` : '';
  return `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}${secondsShown}${days > 0 ? ` +${days}d` : ''}`;
}

// A duration for people: "45 s", "12:30" (min:s), "1h05".
export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}:${two(s % 60)}`;
  return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}`;
}

// The results object of a finished run with every list present, so a
// field the server left out shows as empty instead of breaking the panel.
export function readResults(results) {
  const r = results && typeof results === 'object' ? results : {};
  const list = (x) => (Array.isArray(x) ? x : []);
  const congestion = list(r.congestion);
  return {
    ...r,
    notes: list(r.notes),
    warnings: list(r.warnings),
    counts: r.counts || {},
    groups: list(r.groups),
    congestion,
    congestionEpisodes: typeof r.congestionEpisodes === 'number' ? r.congestionEpisodes : congestion.length,
    applied: list(r.applied),
    actions: list(r.actions).map((a) => ({ ...a, audiences: list(a.audiences), segments: list(a.segments) })),
  };
}
