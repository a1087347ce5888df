/**
 * What a rendered chat message becomes in Slack (hubot-stackstorm): the text before `{~}` is
 * the message, the text after it the attachment; and how `netops chat` prints that.
 */

/** A message as posted: plain text, and an attachment when the format has `{~}`. */
export interface SlackMessage {
  text: string;
  attachment: string | null;
  /** Posted as a reply in the thread of the command (`extra.slack.thread_response`). */
  thread: boolean;
  /** Attachment colour (good, warning, danger), when the alias sets one. */
  color?: string;
}

/** Split a rendered format at the first `{~}` as the chat adapter does; whitespace at the ends is dropped. */
export function splitMessage(rendered: string, thread = false): SlackMessage {
  const i = rendered.indexOf('{~}');
  if (i < 0) return { text: rendered.trim(), attachment: null, thread };
  const attachment = rendered.slice(i + 3).trim();
  return { text: rendered.slice(0, i).trim(), attachment: attachment || null, thread };
}

/** The message as the terminal shows it: the text, then the attachment behind a bar (`┃`). */
export function terminalView(m: SlackMessage): string {
  const lines = [m.thread ? `↳ (in thread) ${m.text}` : m.text];
  if (m.attachment) for (const l of m.attachment.split('\n')) lines.push(l ? `┃ ${l}` : '┃');
  return lines.join('\n');
}
