/**
 * An audit log entry in words, as an event's `last_change` names it: "added peer 10.0.0.1
 * AS65100", "set interface to-peer2 down", "removed peer 10.0.0.5 (failed)"; and a duration for
 * people ("45 s", "12 min", "1 h 5 min"). Pure.
 */
import type { HistoryEntry } from '../../sot/types.js';

/** Past tense of a task's verb (the first word of its name). */
const PAST: Record<string, string> = { add: 'added', remove: 'removed', set: 'set', delete: 'deleted', create: 'created', update: 'updated', enable: 'enabled', disable: 'disabled', restore: 'restored', backup: 'backed up' };

/** Parameters that name the change, in the order people say them; the rest are left out. */
const KEY_PARAMS = ['ip', 'name', 'interface', 'state', 'as', 'prefix', 'vlan'];

/** Statuses after which the routers carry the change (the others are named in the summary). */
const DONE = new Set(['changed']);

const MAX_SUMMARY = 160;

function value(k: string, v: unknown): string | null {
  if (v === null || v === undefined || v === '' || typeof v === 'object') return null;
  const s = String(v);
  if (s.includes('*')) return null; // masked secrets
  return k === 'as' ? `AS${s}` : s;
}

/** "added peer 10.0.0.1 AS65100": the task's verb in the past tense, its object, its key parameters. */
export function describeEntry(e: Pick<HistoryEntry, 'task' | 'params' | 'status'>): string {
  const [verb = e.task, ...rest] = e.task.split('_');
  const head = [PAST[verb] ?? verb, ...rest].join(' ');
  const params = e.params ?? {};
  const parts = KEY_PARAMS.map((k) => value(k, params[k])).filter((s): s is string => s !== null);
  const status = DONE.has(e.status) ? '' : e.status === 'running' ? ' (in progress)' : ` (${e.status})`;
  const s = `${[head, ...parts].join(' ')}${status}`;
  return s.length > MAX_SUMMARY ? `${s.slice(0, MAX_SUMMARY - 1)}…` : s;
}

/** Seconds for people: "45 s", "12 min", "1 h 5 min", "2 d 3 h". */
export function agoText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
