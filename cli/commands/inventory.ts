/**
 * `netops inventory [--site <site>]`: the Ansible inventory derived from the source of truth
 * (YAML on stdout), for ansible-playbook, ansible-inventory, or the bridge's --inventory.
 */
import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as PackRuntime from '../../runtime/pack-entry.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const USAGE = 'usage: netops inventory [--site <site>]   the Ansible inventory derived from the source of truth';

export default async function inventory(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, options: { site: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) { process.stderr.write(`netops inventory: ${(e as Error).message}\n${USAGE}\n`); return 2; }
  if (parsed.values.help) { process.stdout.write(USAGE + '\n'); return 0; }
  const packDir = process.env.NETOPS_PACK_DIR ?? join(REPO, 'pack');
  const rt = (await import(pathToFileURL(join(packDir, 'actions', 'runtime', 'netops.mjs')).href)) as typeof PackRuntime;
  const opts = rt.resolveOptions(packDir, {}, REPO);
  try {
    const sot = rt.openSot(opts.sot);
    const names = parsed.values.site ? [parsed.values.site] : (await sot.sites()).map((s) => s.name);
    const views = [];
    for (const n of names) {
      const v = await sot.site(n);
      if (!v) { process.stderr.write(`netops inventory: unknown site '${n}'\n`); return 2; }
      views.push(v);
    }
    process.stdout.write(rt.inventoryYaml(rt.connectionVars(sot, opts.sot), views, (r) => r.vars ?? {}));
    return 0;
  } catch (e) {
    process.stderr.write(`netops inventory: ${(e as Error).message}\n`);
    return 3;
  }
}
