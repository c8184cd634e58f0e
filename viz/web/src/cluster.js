// The cluster as the server's node sees it (GET /api/status, member
// `cluster`, viz/cluster_status): shown in the header only when the
// server is a node of a cluster, green while every peer answers, red with
// the nodes that are down and since when while the cluster is degraded.
// The page shows the server's view; it computes nothing.
import { escape } from './html.js';

const POLL_MS = 2000;

function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour12: false });
}

// The badge's text and whether the cluster is degraded, from `cluster`.
export function describeCluster(cluster) {
  const peers = Array.isArray(cluster.peers) ? cluster.peers : [];
  const down = peers.filter((p) => !p.up).map((p) => p.node);
  if (!cluster.degraded || down.length === 0)
    return { degraded: false, text: `cluster: node ${cluster.node}, ${peers.length} other node${peers.length === 1 ? '' : 's'} up` };
  return {
    degraded: true,
    text: `cluster degraded since ${clock(cluster.degradedSince)}: ${down.join(', ')} down`,
  };
}

export class ClusterBadge {
  constructor({ element, tokenQuery }) {
    this.element = element;
    this.tokenQuery = tokenQuery;
    this.poll();
  }

  async poll() {
    try {
      const res = await fetch(`/api/status${this.tokenQuery}`);
      if (res.ok) this.show((await res.json()).cluster);
    } catch {
      // The stream's own badge says when the server is gone.
    }
    setTimeout(() => this.poll(), POLL_MS);
  }

  show(cluster) {
    const el = this.element;
    if (!cluster || typeof cluster !== 'object') {
      el.hidden = true;
      return;
    }
    const { degraded, text } = describeCluster(cluster);
    el.hidden = false;
    el.className = `cluster ${degraded ? 'degraded' : 'healthy'}`;
    el.dataset.degraded = String(degraded);
    el.innerHTML = `<i></i><span>${escape(text)}</span>`;
  }
}
