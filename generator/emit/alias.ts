/** AliasModel → pack/aliases/<name>.yaml (and the st2 `formats` used for matching checks). */
import type { AliasModel, FormatModel, TaskModel } from '../model.js';
import type { AliasDoc } from '../../runtime/alias-match.js';
import type { EmittedFile } from './types.js';
import { toYaml } from '../yaml.js';
import { APPROVAL_IMMUTABLE } from './approval.js';
import { ackFormat, COLOR_FORMAT, defaultPhrases, resultFormat } from './chat-formats.js';

/** st2 `formats` of an alias: plain strings, or {display, representation} when keys are typed as key=value. */
export function aliasFormats(alias: AliasModel): AliasDoc['formats'] {
  return alias.formats.map((f: FormatModel) =>
    f.keys.length === 0 ? f.text : { display: `${f.text} ${f.keys.map((k) => `${k}=<${k}>`).join(' ')}`, representation: [f.text] });
}

/** The alias document st2 registers (also what `netops chat` matches against). */
export function aliasDoc(alias: AliasModel, task: TaskModel | undefined): Record<string, unknown> & AliasDoc {
  const phrases = defaultPhrases(alias.name, task?.siteParam ?? 'in');
  const ack = alias.ack ?? phrases.ack;
  const result = alias.result ?? phrases.result;
  return {
    name: alias.name,
    pack: 'netops',
    description: alias.description + (task?.risk === 'change' ? ' (changes the network; add dry_run=true to preview)' : ''),
    action_ref: `netops.${alias.name}`,
    enabled: true,
    formats: aliasFormats(alias),
    ...(task?.risk === 'change' ? { immutable_parameters: { ...APPROVAL_IMMUTABLE } } : {}),
    ack: { enabled: true, format: ackFormat(ack), append_url: false },
    result: { enabled: true, format: resultFormat(ack, result), extra: { color: COLOR_FORMAT, ...(alias.threadResponse ? { slack: { thread_response: true } } : {}) } },
  };
}

/** Emit one alias file. */
export function emitAlias(alias: AliasModel, task: TaskModel | undefined): EmittedFile {
  return { path: `aliases/${alias.name}.yaml`, content: '---\n' + toYaml(aliasDoc(alias, task)) };
}
