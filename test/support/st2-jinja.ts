/**
 * A rule's action parameter rendered the way StackStorm renders it (st2common/util/jinja.py:
 * StrictUndefined, trim_blocks, lstrip_blocks), by Python's Jinja2 (Debian's python3-jinja2),
 * with `trigger` = the webhook payload.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const PYTHON = '/usr/bin/python3';

/** Render one template with trigger=payload; throws with Jinja2's message when it fails. */
export function renderRuleTemplate(template: string, trigger: Record<string, unknown>): string {
  const script = [
    'import json, sys, jinja2',
    'd = json.load(sys.stdin)',
    'env = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)',
    "print(json.dumps(env.from_string(d['template']).render(trigger=d['trigger'])))",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ template, trigger }), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`jinja2 failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout) as string;
}

/** The `message` parameter of a generated rule (pack/rules/<name>.yaml). */
export function ruleMessage(packDir: string, rule: string): string {
  const doc = parse(readFileSync(join(packDir, 'rules', `${rule}.yaml`), 'utf8')) as { action: { parameters: { message: string } } };
  return doc.action.parameters.message;
}
