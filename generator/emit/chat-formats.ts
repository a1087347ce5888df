/**
 * The ack and result formats (StackStorm Jinja) of an alias, built around its short phrases.
 *
 * An alias says what its command does in two phrases whose `{{ name }}` placeholders are the
 * task's parameters, like its formats: `ack: 'adding peer {{ ip }} AS{{ as }} at {{ in }}'`,
 * `result: 'added peer {{ ip }} AS{{ as }} at {{ in }}'`. This module puts them in a frame that
 * reads the result document (`execution.result.stdout`, runtime/run.ts ResultDoc):
 *
 *   <user> added peer 10.0.0.1 AS65100 at bma: bma-edge1 Established, bma-edge2 Established
 *   {~}per-router lines · config diffs · source-of-truth change · what to type next · pointer
 *
 * Both formats must mean the same in Python Jinja2 (StackStorm) and nunjucks (`netops chat`):
 * truthiness is only tested on strings, numbers and null (an empty list is true in JavaScript),
 * lists are tested with `| length`, nothing that may be null, a boolean or a list is printed.
 * The ack is rendered with StrictUndefined (st2api), the result with Undefined (chatops pack).
 */

/** Longest config diff and per-router text shown before they are cut with a pointer. */
export const CUT = { diff: 1500, lines: 2500 } as const;

const PH = /{{\s*(\w+)\s*}}/g;

/** A phrase with its placeholders read from `source` (a Jinja mapping of parameters). */
export function phraseJinja(phrase: string, source: string): string {
  return phrase.replace(PH, (_m, name: string) => `{{ ${source}['${name}'] | default('') }}`);
}

/** The default phrases of an alias without its own: the task name, e.g. "add peer at {{ in }}". */
export function defaultPhrases(taskName: string, siteParam: string): { ack: string; result: string } {
  const words = taskName.replace(/_/g, ' ');
  return { ack: `running ${words} at {{ ${siteParam} }}`, result: `ran ${words} at {{ ${siteParam} }}` };
}

/** The ack format: "<user>: adding peer 10.0.0.1 AS65100 at bma (dry run: nothing will change) · execution <id>". */
export function ackFormat(ack: string): string {
  return [
    "{{ execution.context.api_user | default('someone') }}: ",
    phraseJinja(ack, 'execution.parameters'),
    '{% if execution.parameters.dry_run is defined and execution.parameters.dry_run %} (dry run: nothing will change){% endif %}',
    ' · execution {{ execution.id }}',
  ].join('');
}

const HOST_WORD =
  "{% if h.status == 'failed' or h.status == 'unreachable' %}{{ h.status | upper }}" +
"{% elif r.dry_run %}{{ 'would change' if h.status == 'changed' else 'unchanged' }}" +
  "{% elif h.data is mapping and h.data.state is defined and h.data.state is string and h.data.state %}{{ h.data.state }}" +
  "{% elif h.status == 'ok' %}unchanged{% else %}{{ h.status }}{% endif %}";

/**
 * The Slack attachment colour (`result.extra.color`, read by hubot-stackstorm's Slack adapter):
 * good, warning (partial) or danger. st2 renders `extra` with StrictUndefined.
 */
export const COLOR_FORMAT =
  "{% set r = execution.result.stdout if execution.result is defined and execution.result is mapping else none %}" +
  "{% if r is mapping and r.status is defined %}{{ 'good' if r.status in ['ok', 'changed'] else ('warning' if r.status == 'partial' else 'danger') }}{% else %}danger{% endif %}";

/** The result format for an alias with these phrases. */
export function resultFormat(ack: string, result: string): string {
  const doing = phraseJinja(ack, 'p');
  const done = phraseJinja(result, 'p');
  return `{% set r = execution.result.stdout if execution.result is defined and execution.result is mapping else none %}
{% set p = r.params if r is mapping and r.params is defined and r.params is mapping else execution.parameters | default({}) %}
{% if r is mapping and r.task is defined and r.status is defined %}
{% set hosts = r.hosts if r.hosts is defined and r.hosts is not string and r.hosts is not mapping else [] %}
{% set who = r.user if r.user is defined and r.user else execution.context.api_user | default('someone') %}
{% set refused = r.status not in ['ok', 'changed', 'failed', 'partial', 'timeout', 'stopped'] %}
{% set doing %}${doing}{% endset %}
{% if refused %}:no_entry: {{ who }}: {{ doing }} refused: {{ r.error if r.error is defined and r.error else r.status }}{% elif r.status == 'failed' %}:x: {{ who }}: {{ doing }} failed{% elif r.status == 'timeout' %}:x: {{ who }}: {{ doing }} timed out{% elif r.status == 'stopped' %}:x: {{ who }}: {{ doing }} was stopped{% elif r.status == 'partial' %}:warning: {{ who }}: {{ doing }} partly failed{% elif r.dry_run %}:mag: {{ who }}, dry run: {{ doing }} — nothing was changed{% else %}{{ who }} ${done}{% endif %}
{% if not refused and hosts | length %}: {% for h in hosts %}{{ h.host }} ${HOST_WORD}{{ ', ' if not loop.last else '' }}{% endfor %}{% endif %}
{~}{% set lines = r.summary.split('\\n') if r.summary is defined and r.summary is string else [] %}
{% set skip = lines | length and r.user is defined and r.user and ((lines | first).split(': ') | first) == r.user %}
{% set rest %}
{% for l in lines %}
{% if not (loop.first and skip) %}
{{ l }}
{% endif %}
{% endfor %}
{% endset %}
{% if rest and not refused %}
{{ rest | truncate(${CUT.lines}, true, '', 0) }}
{% if rest | length > ${CUT.lines} %}
… cut; the whole result: \`st2 execution get {{ execution.id }}\`
{% endif %}
{% endif %}
{% for h in hosts %}
{% if h.diff is defined and h.diff is string and h.diff %}
*{{ h.host }}* config diff:
\`\`\`
{{ h.diff | truncate(${CUT.diff}, true, '', 0) }}
{% if h.diff | length > ${CUT.diff} %}
… cut; the whole diff: st2 execution get {{ execution.id }}
{% endif %}
\`\`\`
{% endif %}
{% endfor %}
{% if r.warnings is defined and r.warnings is not string and r.warnings | length %}
{% for w in r.warnings %}
:warning: {{ w }}
{% endfor %}
{% endif %}
{% if r.sot is defined and r.sot is mapping and r.sot.steps is defined and r.sot.steps | length %}
source of truth ({{ r.sot.backend }}{% if r.sot.txn %} {{ r.sot.txn }}{% endif %}{% if r.sot.outcome is defined and r.sot.outcome and r.sot.outcome != 'none' %}, {{ r.sot.outcome }}{% endif %}):
{% for s in r.sot.steps %}
• {{ s }}
{% endfor %}
{% endif %}
{% if r.status != 'ok' and r.status != 'changed' %}
{% if r.next is defined and r.next %}
next: \`{{ r.next }}\`
{% endif %}
details: \`st2 execution get {{ execution.id }}\`
{% endif %}
{% else %}
:x: {{ execution.context.api_user | default('someone') }}: ${doing} ended {{ execution.status | default('without a status') }} without a result document
{~}{% set out = execution.result.stderr | default('', true) if execution.result is defined and execution.result is mapping else '' %}
{% if out %}
\`\`\`
{{ out | truncate(${CUT.lines}, true, '', 0) }}
\`\`\`
{% endif %}
details: \`st2 execution get {{ execution.id }}\`
{% endif %}`;
}
