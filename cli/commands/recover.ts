/**
 * `netops recover [in=<site>|--in <site>] [--json]`: finish the changes a crash left behind
 * (runtime/recover.ts): an interrupted add is rolled back, an interrupted removal completed.
 */
import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as PackRuntime from '../../runtime/pack-entry.js';
import type { TaskDefinition } from '../../runtime/define.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const USAGE = 'usage: netops recover [in=<site> | --in <site>] [--json]   (all sites when none is given)';

export default async function recover(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { in: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) { process.stderr.write(`netops recover: ${(e as Error).message}\n${USAGE}\n`); return 2; }
  if (parsed.values.help) { process.stdout.write(USAGE + '\n'); return 0; }
  let site = parsed.values.in ?? null;
  for (const p of parsed.positionals) {
    const m = /^in=(.+)$/.exec(p);
    if (!m) { process.stderr.write(`netops recover: unexpected '${p}'\n${USAGE}\n`); return 2; }
    site = m[1]!;
  }
  const packDir = process.env.NETOPS_PACK_DIR ?? join(REPO, 'pack');
  const rt = (await import(pathToFileURL(join(packDir, 'actions', 'runtime', 'netops.mjs')).href)) as typeof PackRuntime & { tasks: Record<string, TaskDefinition<any>> };
  const opts = rt.resolveOptions(packDir, {}, REPO);
  const sot = rt.openSot(opts.sot);
  const sites = site ? [site] : (await sot.sites()).map((s) => s.name);
  const report: { site: string; busy: string | null; failed: string | null; notes: string[] }[] = [];
  for (const s of sites) report.push({ site: s, ...(await rt.recoverSite(s, sot, { ...opts, validate: () => true, tasks: rt.tasks })) });
  if (parsed.values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else for (const r of report) {
    const lines = r.busy ? [`${r.site}: ${r.busy}; not touched`] : r.failed ? [`${r.site}: ${r.failed}`] : r.notes.length ? r.notes.map((n) => `${r.site}: ${n}`) : [`${r.site}: nothing to recover`];
    process.stdout.write(lines.join('\n') + '\n');
  }
  return report.some((r) => r.failed) ? 3 : report.some((r) => r.busy) ? 5 : 0;
}
