/**
 * Registers the Nautobot backend with sot/open.ts (`sot_backend: nautobot`); import it once
 * for its effect. The backend (and axios with it) loads on first use, so runs on the file
 * store do not pay for it at start-up.
 */
import { backends } from '../open.js';
import type { SourceOfTruth } from '../types.js';

backends.nautobot = (o) => {
  let real: Promise<SourceOfTruth> | null = null;
  const get = () => (real ??= import('./index.js').then((m) => new m.NautobotSourceOfTruth({ url: o.nautobotUrl ?? undefined, tokenFile: o.nautobotTokenFile ?? undefined })));
  return {
    kind: 'nautobot',
    location: (o.nautobotUrl ?? process.env.NETOPS_NAUTOBOT_URL ?? 'nautobot').replace(/\/+$/, ''),
    sites: async () => (await get()).sites(),
    site: async (name) => (await get()).site(name),
    plan: async (change, actor, basis) => (await get()).plan(change, actor, basis),
    prepare: async (plan) => (await get()).prepare(plan),
    commit: async (plan) => (await get()).commit(plan),
    abort: async (plan) => (await get()).abort(plan),
    record: async (entry) => (await get()).record(entry),
    history: async (filter) => (await get()).history(filter),
  };
};
