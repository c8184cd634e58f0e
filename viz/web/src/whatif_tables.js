// The what-if panel's text: the runs, trip times per group (run beside
// baseline) and recommended actions, as HTML built from the server's JSON
// (GET /api/scenarios[/<id>]). Only formatting happens here.
import { ACTIVE_STATUSES, PRIORITY_LABELS, clockAt, duration } from './scenario_results.js';
import { escape } from './html.js';

const count = (n) => (typeof n === 'number' ? n.toLocaleString() : '–');

// One list item per run, newest first as the server lists them.
export function runList(runs, selectedId) {
  return runs.map((r) => {
    const active = ACTIVE_STATUSES.includes(r.status);
    const progress = r.horizonS > 0 ? Math.min(1, r.simulatedS / r.horizonS) : 0;
    return `<li class="st-${escape(r.status)}${r.id === selectedId ? ' on' : ''}" data-id="${r.id}" title="${escape(r.error || r.runFile || '')}">`
      + `<b>${escape(r.name)} <small>#${r.id}</small></b>`
      + `<span>${escape(r.status)} · ${duration(r.simulatedS)} of ${duration(r.horizonS)} simulated · by ${escape(r.submittedBy || '?')}`
      + `${r.appliedTo ? ` · #${r.appliedTo} with ${Array.isArray(r.applied) ? r.applied.length : '?'} of its actions` : ''}</span>`
      + (active ? `<progress max="1" value="${progress}"></progress>` : '')
      + (r.error ? `<span class="error">${escape(r.error)}</span>` : '')
      + '</li>';
  }).join('');
}

// Options of a run picker; `placeholder` (text) adds an empty choice.
export function runOptions(runs, selectedId, placeholder) {
  const empty = placeholder === undefined ? '' : `<option value="">${escape(placeholder)}</option>`;
  return empty + runs.map((r) => `<option value="${r.id}"${r.id === selectedId ? ' selected' : ''}>`
    + `#${r.id} ${escape(r.name)}${r.status === 'done' ? '' : ` (${escape(r.status)})`}</option>`).join('');
}

const FIGURES = [
  { key: 'meanS', label: 'mean', show: duration },
  { key: 'p95S', label: 'p95', show: duration },
  { key: 'arrived', label: 'arrived', show: count },
  { key: 'neverStarted', label: 'never started', show: count },
];

// Trip times per group; with a baseline each figure has two columns, the
// run's and the baseline's, matched by group name.
export function groupsTable(results, baseline) {
  const runGroups = new Map(results.groups.map((g) => [g.name, g]));
  const baseGroups = new Map(baseline ? baseline.groups.map((g) => [g.name, g]) : []);
  const names = [...runGroups.keys(), ...[...baseGroups.keys()].filter((n) => !runGroups.has(n))];
  const span = baseline ? ' colspan="2"' : '';
  const head = `<tr><th rowspan="${baseline ? 2 : 1}">group</th>${FIGURES.map((f) => `<th${span}>${f.label}</th>`).join('')}</tr>`
    + (baseline ? `<tr>${FIGURES.map(() => '<th>run</th><th class="base">base</th>').join('')}</tr>` : '');
  const cell = (g, f, cls) => `<td${cls ? ` class="${cls}"` : ''}>${g ? f.show(g[f.key]) : '–'}</td>`;
  const rows = names.map((n) => `<tr data-group="${escape(n)}"><th>${escape(n)}</th>`
    + FIGURES.map((f) => cell(runGroups.get(n), f, '') + (baseline ? cell(baseGroups.get(n), f, 'base') : '')).join('')
    + '</tr>').join('');
  return `<thead>${head}</thead><tbody>${rows || `<tr><td class="note" colspan="9">No trips in this run.</td></tr>`}</tbody>`;
}

// The run's recommended actions, most urgent first as the server orders
// them; each names its audiences and its window in clock time.
export function actionList(results) {
  return results.actions.map((a, i) => `<li class="prio-${a.priority}${a.changesTraffic ? ' traffic' : ''}" data-index="${i}" title="${escape(a.reason)}">`
    + `<b>${escape(a.text)}</b>`
    + `<span>${escape(PRIORITY_LABELS[a.priority] || `priority ${a.priority}`)} · ${a.audiences.map((x) => escape(x.replace(/_/g, ' '))).join(', ')}`
    + ` · ${clockAt(results.start, a.fromS)}–${clockAt(results.start, a.toS)}`
    + `${a.segments.length ? ` · ${a.segments.length} road${a.segments.length > 1 ? 's' : ''}` : ''}`
    + `${a.changesTraffic ? ' · can be simulated' : ''}</span>`
    + `<span class="why">${escape(a.reason)}</span></li>`).join('')
    || '<li class="note">No actions recommended.</li>';
}

// The run's totals, notes and warnings, as the server wrote them; a run
// with another run's actions in effect lists them; with a baseline, the
// congested road-minutes of both.
export function summary(results, baseline) {
  const c = results.counts;
  const lines = [...results.warnings.map((w) => `<li class="warning">${escape(w)}</li>`),
    ...results.notes.map((n) => `<li>${escape(n)}</li>`)];
  const minutes = (r) => (typeof r.congestedRoadMinutes === 'number' ? Math.round(r.congestedRoadMinutes).toLocaleString() : '–');
  const applied = results.appliedTo
    ? `<p class="whatif-applied">Run #${results.appliedTo} again with ${results.applied.length} of its actions in effect:</p>`
      + `<ul class="whatif-notes">${results.applied.map((a) => `<li>${escape(a)}</li>`).join('')}</ul>` : '';
  return applied
    + `<p class="note">${count(c.trips)} trips: ${count(c.arrived)} arrived, ${count(c.enRoute)} en route, `
    + `${count(c.neverStarted)} never started, ${count(c.unroutable)} unroutable</p>`
    + `<p class="note" id="whatif-road-minutes">Congested road-minutes: <b>${minutes(results)}</b>`
    + `${baseline ? ` (baseline ${minutes(baseline)})` : ''}</p>`
    + (lines.length ? `<ul class="whatif-notes">${lines.join('')}</ul>` : '');
}
