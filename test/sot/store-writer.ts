/** A second process for the store's concurrency test: plan, prepare and commit one add at bma. */
import { FileStore } from '../../sot/file/store.js';

const [dir, ip] = process.argv.slice(2) as [string, string];
const store = new FileStore(dir, { lockWait: 10 });
const plan = await store.plan({ kind: 'add_peer', site: 'bma', ip, as: 65100, description: null, routers: ['bma-edge1'] }, { user: `writer-${ip}`, channel: null, via: 'terminal', command: `add ${ip}` });
await store.prepare(plan);
await new Promise((r) => setTimeout(r, 50));
await store.commit(plan);
