/** The shape every DeviceEvent must have, whatever the input: used by the corpus and fuzz tests. */
import type { DeviceEvent } from '../../bridge/event.js';

const KEYS = [
  'id', 'error', 'os', 'host', 'ip', 'timestamp', 'facility', 'severity', 'yang_model', 'yang_message',
  'message_details', 'site', 'router', 'peer', 'interface', 'state', 'level', 'summary', 'raw', 'time', 'user',
].sort();

const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** Problems with an event's shape; empty when it is well-formed. */
export function eventProblems(e: DeviceEvent, ip: string): string[] {
  const p: string[] = [];
  const keys = Object.keys(e).sort();
  if (keys.join() !== KEYS.join()) p.push(`keys ${keys.join()} ≠ ${KEYS.join()}`);
  if (!/^[0-9a-f]{40}$/.test(e.id)) p.push(`id ${e.id}`);
  if (!strOrNull(e.error) || e.error === '') p.push(`error ${String(e.error)}`);
  if (!strOrNull(e.os) || e.os === '') p.push(`os ${String(e.os)}`);
  if (typeof e.host !== 'string' || e.host === '') p.push(`host ${String(e.host)}`);
  if (e.ip !== ip) p.push(`ip ${e.ip}`);
  if (!Number.isInteger(e.timestamp)) p.push(`timestamp ${e.timestamp}`);
  if (!(e.facility === null || (Number.isInteger(e.facility) && e.facility >= 0 && e.facility <= 23))) p.push(`facility ${e.facility}`);
  if (!(e.severity === null || (Number.isInteger(e.severity) && e.severity >= 0 && e.severity <= 7))) p.push(`severity ${e.severity}`);
  if ((e.facility === null) !== (e.severity === null)) p.push('facility/severity: one null, not the other');
  const matched = e.error !== null;
  if (matched !== (typeof e.yang_model === 'string')) p.push(`yang_model ${String(e.yang_model)} with error ${e.error}`);
  if (matched !== (typeof e.yang_message === 'object' && e.yang_message !== null)) p.push(`yang_message with error ${e.error}`);
  if (matched && e.os === null) p.push('error without os');
  if (typeof e.message_details !== 'object' || e.message_details === null) p.push('message_details');
  if (e.site !== null) p.push(`site ${e.site}`);
  if (e.router !== e.host) p.push(`router ${e.router} ≠ host ${e.host}`);
  for (const k of ['peer', 'interface', 'state'] as const) if (!strOrNull(e[k]) || e[k] === '') p.push(`${k} ${String(e[k])}`);
  if (!['critical', 'warning', 'info'].includes(e.level)) p.push(`level ${e.level}`);
  // eslint-disable-next-line no-control-regex
  if (typeof e.summary !== 'string' || e.summary.trim() === '' || e.summary.length > 300 || /[\u0000-\u001f\u007f\u2028\u2029]/.test(e.summary)) {
    p.push(`summary ${JSON.stringify(e.summary)}`);
  }
  if (typeof e.raw !== 'string') p.push('raw');
  if (e.time !== '' && (typeof e.time !== 'string' || new Date(e.time).getTime() / 1000 !== e.timestamp)) p.push(`time ${String(e.time)} ≠ timestamp ${e.timestamp}`);
  if (!strOrNull(e.user) || e.user === '') p.push(`user ${String(e.user)}`);
  try {
    const back = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    if (Object.keys(back).sort().join() !== KEYS.join()) p.push('JSON round trip lost keys');
  } catch (err) {
    p.push(`JSON: ${(err as Error).message}`);
  }
  return p;
}
