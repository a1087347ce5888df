/**
 * An alias's ack and result formats rendered as StackStorm renders them: the ack by st2api
 * (StrictUndefined; context `execution`, `actionalias`), the result by the chatops pack's
 * format_execution_result (Undefined; context `execution`, `alias`), then split at `{~}`.
 */
import { renderJinja } from './jinja.js';
import { splitMessage, terminalView, type SlackMessage } from './slack.js';
import { executionId, finishedExecution, scheduledExecution, type ChatRequest } from './execution.js';
import type { ChatResultDoc } from './result-doc.js';
import { helpAnswer, type HelpCommand } from './help.js';

/** The parts of a registered alias (pack/aliases/<name>.yaml) that chat rendering reads. */
export interface AliasFormats {
  name: string;
  action_ref: string;
  ack?: { enabled?: boolean; format?: string; append_url?: boolean };
  result?: { enabled?: boolean; format?: string; extra?: { color?: string; slack?: { thread_response?: boolean } } };
}

/** StackStorm's message when no result format is set (chatops pack templates/default.j2, in short). */
const DEFAULT_RESULT = '{{ execution.status }}: {{ execution.result | default("") }}';

/** The ack as posted, or null when the alias has it disabled. */
export function renderAck(alias: AliasFormats, execution: Record<string, unknown>): SlackMessage | null {
  if (!alias.ack || alias.ack.enabled === false || alias.ack.format === undefined) return null;
  let text: string;
  try { text = renderJinja(alias.ack.format, { execution, actionalias: alias, __context: { execution, actionalias: alias } }, true); } catch (e) {
    // st2api posts this instead of the ack when the format refers to something undefined.
    text = `Cannot render "format" in field "ack" for alias. ${(e as Error).message}`;
  }
  return splitMessage(text);
}

/** The result as posted, or null when the alias has it disabled. */
export function renderResult(alias: AliasFormats, execution: Record<string, unknown>): SlackMessage | null {
  if (alias.result?.enabled === false) return null;
  const context = { execution, alias, six: {} };
  const text = renderJinja(alias.result?.format ?? DEFAULT_RESULT, context, false);
  const m = splitMessage(text, alias.result?.extra?.slack?.thread_response === true);
  // st2 renders `extra` values with StrictUndefined (render_values); hubot colours the attachment with extra.color.
  const color = alias.result?.extra?.color;
  return color === undefined ? m : { ...m, color: renderJinja(color, context, true) };
}

/** What the channel shows for one command, ack then result, as the terminal prints it. */
export function transcript(alias: AliasFormats, req: ChatRequest, id: string, doc: ChatResultDoc, exitCode: number): string {
  const ack = renderAck(alias, scheduledExecution(id, req));
  const result = renderResult(alias, finishedExecution(id, req, doc, exitCode));
  return [ack, result].filter((m): m is SlackMessage => m !== null).map(terminalView).join('\n\n');
}

/** `netops chat`'s output for a finished run: a fresh execution id, the request as StackStorm would build it. */
export function chatTranscript(alias: AliasFormats, who: { user: string; channel: string | null }, parameters: Record<string, unknown>, doc: ChatResultDoc, id = executionId()): string {
  const req: ChatRequest = { user: who.user, channel: who.channel ?? 'terminal', alias: alias.name, actionRef: alias.action_ref, parameters };
  return transcript(alias, req, id, doc, doc.exit_code);
}

/** `netops chat help …` (and texts that start like a command): the help action's answer, through the help alias's result format. */
export function helpTranscript(alias: AliasFormats, commands: HelpCommand[], topic: string, who: { user: string; channel: string | null }, id = executionId()): string {
  const a = helpAnswer(commands, topic);
  const doc = { task: 'help', status: 'ok', exit_code: 0, topic, ...a, summary: `${a.title}\n${a.body}` } as unknown as ChatResultDoc;
  return transcript(alias, { user: who.user, channel: who.channel ?? 'terminal', alias: alias.name, actionRef: alias.action_ref, parameters: { topic } }, id, doc, 0);
}
