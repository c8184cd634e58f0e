// What the page knows about the city: layout, latest states, the values
// seen since page load, and the twin's alerts and recommended actions as
// the server's rules raised them (GET /api/alerts): the page computes none.

export const MAX_POINTS = 600; // per entity, since page load

export class Model {
  constructor() {
    this.entities = new Map(); // urn -> {id, kind, layout, state, history}
    this.alerts = new Map();   // urn -> open alerts on that entity (server's)
    this.alertList = [];       // every alert the server listed, open first
    this.advice = [];          // recommended actions in force
    this.openAlerts = 0;
    this.changes = 0;
    this.latestTime = 0;
  }

  setLayout(layout) {
    this.entities.clear();
    this.alerts.clear();
    for (const section of ['segments', 'intersections', 'things'])
      for (const item of layout[section])
        this.entities.set(item.id, { id: item.id, kind: item.kind, layout: item, state: null, history: { t: [], values: {} } });
  }

  // Applies states; returns the entities that changed.
  apply(states) {
    const changed = [];
    for (const s of states) {
      const e = this.entities.get(s.id);
      if (!e) continue;
      e.state = s;
      this.changes++;
      this.latestTime = Math.max(this.latestTime, s.updated_ms || 0);
      this.record(e, s);
      changed.push(e);
    }
    return changed;
  }

  record(e, s) {
    const h = e.history;
    // The reading's own time (simulated or observed), not when it arrived:
    // the same axis as the archive's history.
    const t = (s.updated_ms || Date.now()) / 1000;
    if (h.t.length && t <= h.t[h.t.length - 1]) return;
    h.t.push(t);
    for (const [name, value] of Object.entries(s.attributes)) {
      if (!h.values[name]) h.values[name] = new Array(h.t.length - 1).fill(null);
      h.values[name].push(value);
    }
    if (h.t.length > MAX_POINTS) {
      h.t.shift();
      for (const v of Object.values(h.values)) v.shift();
    }
  }

  // Takes the server's alerts and advice (GET /api/alerts).
  setOperations(report) {
    this.alertList = report.alerts;
    this.advice = report.advice;
    this.openAlerts = report.open;
    this.alerts.clear();
    for (const a of report.alerts) {
      if (a.status !== 'raised' && a.status !== 'acknowledged') continue;
      if (!this.alerts.has(a.entity)) this.alerts.set(a.entity, []);
      this.alerts.get(a.entity).push(a);
    }
  }
}
