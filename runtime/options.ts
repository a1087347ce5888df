/** Runtime options, resolved once: env > pack config file > built-in lab defaults. */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import type { SotOptions } from '../sot/open.js';
import { LOCK_WAIT_SECONDS } from './limits.js';
import { AccessConfigError, policyFromConfig, type AccessPolicy } from './access.js';

/** Everything a task run needs to know about its environment. */
export interface Options {
  /** Pack root (holds actions/*.yaml and playbooks/). */
  packDir: string;
  /** The pack config file read (it may not exist: then every setting has its default). */
  configPath: string;
  /** Who may do what (pack config `access:`); a broken `access:` is kept as its error and refuses every run. */
  access: AccessPolicy | AccessConfigError;
  /** The source of truth (the Ansible inventory is derived from it). */
  sot: SotOptions;
  /** netops state: locks/, journal/, runs/, backups/. */
  stateDir: string;
  ansiblePlaybook: string;
  /** Seconds a change waits for another run's lock on the same router before it is refused. */
  lockWait: number;
  /** Who asked (chat user, or the terminal user). */
  user: string;
  channel: string | null;
  /** ansible-vault password file (NETOPS_VAULT_PASSWORD_FILE or pack config vault_password_file). */
  vaultPasswordFile: string | null;
  /** Upper bound on any task's timeout, in seconds (NETOPS_TASK_TIMEOUT); null: the task's own. */
  taskTimeout: number | null;
}

/** Where StackStorm keeps the pack configuration. */
export const ST2_PACK_CONFIG = '/opt/stackstorm/configs/netops.yaml';

/** Resolve options for a pack directory. `repoRoot` (when running from a checkout) supplies the lab defaults. */
export function resolveOptions(packDir: string, overrides: Partial<Options> = {}, repoRoot?: string): Options {
  const env = process.env;
  // From a checkout without a StackStorm pack config, the lab's own config (lab/netops.yaml) applies.
  const labConfig = repoRoot ? join(repoRoot, 'lab', 'netops.yaml') : null;
  const configPath = env.NETOPS_CONFIG ?? (!existsSync(ST2_PACK_CONFIG) && labConfig && existsSync(labConfig) ? labConfig : ST2_PACK_CONFIG);
  const config = existsSync(configPath) ? ((jsyaml.load(readFileSync(configPath, 'utf8'), { schema: jsyaml.CORE_SCHEMA, filename: configPath }) ?? {}) as Record<string, unknown>) : {};
  let access: AccessPolicy | AccessConfigError;
  try { access = policyFromConfig(config); } catch (e) {
    if (!(e instanceof AccessConfigError)) throw e;
    access = new AccessConfigError(`${configPath}: ${e.message}`);
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  // One default state directory for the pack's entry scripts and the CLI alike.
  const stateDir = overrides.stateDir ?? env.NETOPS_STATE_DIR ?? str(config.state_dir) ?? '/var/lib/netops';
  const lockWait = overrides.lockWait ?? Number(env.NETOPS_LOCK_WAIT ?? LOCK_WAIT_SECONDS);
  const backend = env.NETOPS_SOT_BACKEND ?? str(config.sot_backend) ?? 'file';
  return {
    packDir,
    configPath,
    access: overrides.access ?? access,
    sot: overrides.sot ?? {
      backend: backend as SotOptions['backend'],
      dir: env.NETOPS_SOT_DIR ?? str(config.sot_dir) ?? join(stateDir, 'sot'),
      seed: repoRoot && !env.NETOPS_SOT_DIR && !str(config.sot_dir) ? join(repoRoot, 'lab', 'sot') : null,
      lockDir: join(stateDir, 'locks', 'sot'),
      lockWait,
      cacheDir: join(stateDir, 'cache', 'sot'),
      nautobotUrl: env.NETOPS_NAUTOBOT_URL ?? str(config.nautobot_url) ?? null,
      nautobotTokenFile: env.NETOPS_NAUTOBOT_TOKEN_FILE ?? str(config.nautobot_token_file) ?? null,
      connectionFile: env.NETOPS_CONNECTION_VARS ?? str(config.connection_vars) ?? null,
    },
    stateDir,
    ansiblePlaybook: overrides.ansiblePlaybook ?? env.NETOPS_ANSIBLE_PLAYBOOK ?? str(config.ansible_playbook) ?? '/usr/bin/ansible-playbook',
    lockWait,
    user: overrides.user ?? env.NETOPS_USER ?? env.SUDO_USER ?? env.USER ?? localUser(),
    channel: overrides.channel ?? null,
    vaultPasswordFile: overrides.vaultPasswordFile ?? env.NETOPS_VAULT_PASSWORD_FILE ?? str(config.vault_password_file) ?? null,
    taskTimeout: overrides.taskTimeout ?? (env.NETOPS_TASK_TIMEOUT ? Number(env.NETOPS_TASK_TIMEOUT) : null),
  };
}

function localUser(): string {
  try { return userInfo().username; } catch { return 'unknown'; }
}
