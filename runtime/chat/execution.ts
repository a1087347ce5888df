/**
 * The `execution` objects StackStorm hands to an alias's formats, built for `netops chat`:
 * the scheduled execution the ack sees (st2api aliasexecution) and the finished one the result
 * sees (chatops.format_execution_result, local-shell-script runner result).
 */
import { randomBytes } from 'node:crypto';
import type { ChatResultDoc } from './result-doc.js';

/** Who typed the command, where, and which alias matched. */
export interface ChatRequest {
  user: string;
  channel: string;
  alias: string;
  actionRef: string;
  parameters: Record<string, unknown>;
  /** The st2 account the chat bot runs as (what `execution.context.user` holds). */
  botUser?: string;
}

/** A 24-hex-digit id shaped like StackStorm's (a MongoDB ObjectId). */
export function executionId(now = Date.now()): string {
  return Math.floor(now / 1000).toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

function context(req: ChatRequest): Record<string, unknown> {
  return {
    action_alias_ref: { name: req.alias, ref: `netops.${req.alias}` },
    api_user: req.user,
    user: req.botUser ?? 'chatbot',
    source_channel: req.channel,
  };
}

/** The execution as the ack format sees it: just scheduled, no result yet. */
export function scheduledExecution(id: string, req: ChatRequest): Record<string, unknown> {
  return { id, action: { ref: req.actionRef }, context: context(req), parameters: req.parameters, status: 'requested' };
}

/** The execution as the result format sees it: the runner's result with the document parsed from stdout. */
export function finishedExecution(id: string, req: ChatRequest, doc: ChatResultDoc | string, exitCode: number, stderr = ''): Record<string, unknown> {
  // The runtime stops a playbook at the task's timeout itself and exits 124, which StackStorm
  // reports as failed; st2's own timeout (-9, status timeout) kills the script before it prints.
  const code = exitCode;
  return {
    id,
    action: { ref: req.actionRef },
    context: context(req),
    parameters: req.parameters,
    status: code === 0 ? 'succeeded' : 'failed',
    result: { succeeded: code === 0, failed: code !== 0, return_code: code, stdout: doc, stderr },
  };
}
