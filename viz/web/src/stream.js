// The viewer's side of /ws: connects, decodes frames (Protobuf DeltaBatch
// or JSON), reconnects with a back-off, and calls the handlers. A stream
// the server refused with an explanation (an `error` frame: a bad token,
// a tenant or filter it will not serve) is not retried: asking again
// would get the same answer.
import protobuf from 'protobufjs';
import schema from '../../../twin/proto/citytwin.proto';

const DeltaBatch = protobuf.parse(schema).root.lookupType('citytwin.wire.DeltaBatch');

// A Protobuf EntityState as the JSON shape the server sends in JSON mode.
function fromProto(delta) {
  const s = delta.state;
  const attributes = {};
  for (const a of s.attributes) attributes[a.name] = a.value;
  return { id: s.id, updated_ms: s.updatedMs, num_applied: s.numApplied, attributes };
}

export function connect({ format, query, onHello, onLayout, onStates, onSnapshotEnd, onStatus }) {
  let retry = 500;
  const open = () => {
    let refusal = null;
    const params = new URLSearchParams(query);
    params.set('format', format);
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${params}`);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => { retry = 500; onStatus('live'); };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        const batch = DeltaBatch.toObject(DeltaBatch.decode(new Uint8Array(ev.data)), { longs: Number, defaults: true });
        onStates(batch.deltas.map(fromProto), ev.data.byteLength);
        return;
      }
      const msg = JSON.parse(ev.data);
      if (msg.type === 'hello') onHello(msg);
      else if (msg.type === 'layout') onLayout(msg);
      else if (msg.type === 'deltas') onStates(msg.deltas, ev.data.length);
      else if (msg.type === 'snapshot_end') onSnapshotEnd(msg);
      else if (msg.type === 'error') refusal = msg.message;
    };
    ws.onclose = (ev) => {
      if (refusal !== null) {
        onStatus('refused', refusal);
        return;
      }
      onStatus('down', ev.reason || `closed (${ev.code})`);
      setTimeout(open, retry);
      retry = Math.min(retry * 2, 10000);
    };
  };
  open();
}
