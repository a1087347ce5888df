/**
 * Device timestamps → Unix seconds. Only dates that carry a year are trusted; a BSD-style
 * "Mmm dd hh:mm:ss" (no year) gives null and the caller uses the receipt time instead.
 */

const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';

/** Month index 0–11 of the three letters at `s[i..i+3]` (any case), else -1. */
export function monthAt(s: string, i: number): number {
  if (s.length < i + 3) return -1;
  const a = s.charCodeAt(i) | 0x20;
  const b = s.charCodeAt(i + 1) | 0x20;
  const c = s.charCodeAt(i + 2) | 0x20;
  for (let m = 0; m < 12; m++) {
    const k = m * 3;
    if (MONTHS.charCodeAt(k) === a && MONTHS.charCodeAt(k + 1) === b && MONTHS.charCodeAt(k + 2) === c) return m;
  }
  return -1;
}

const YMD = /^(\d{4})-(\d{1,2})-(\d{1,2})$/; // 2020-03-31, 2018-7-23 (Huawei)
const Y_MON_D = /^(\d{4})[- ]([A-Za-z]{3})[- ]\s*(\d{1,2})$/; // 2018 Apr 20 (NX-OS), 2018-Nov- 9 (Opengear)
const MON_D_Y = /^([A-Za-z]{3}) +(\d{1,2}) (\d{4})$/; // Nov 14 2019 (IOS "year")
const TIME = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/** Offset in minutes of a zone token (Z, UTC, GMT, ±hh:mm); null when unknown (e.g. MEST). */
function zoneMinutes(tz: string): number | null {
  if (tz === '' || tz === 'Z' || tz === 'UTC' || tz === 'GMT' || tz === 'UT') return 0;
  const m = OFFSET.exec(tz);
  if (!m) return null;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/**
 * Unix seconds of a device date/time, or null when the date has no year, a part is
 * malformed, or the zone is an abbreviation we cannot resolve. No zone means UTC.
 */
export function deviceTime(date: string | null | undefined, time: string | null | undefined, zone?: string | null): number | null {
  if (!date || !time) return null;
  let y: number, mo: number, d: number;
  let m = YMD.exec(date);
  if (m) {
    y = Number(m[1]); mo = Number(m[2]) - 1; d = Number(m[3]);
  } else if ((m = Y_MON_D.exec(date))) {
    y = Number(m[1]); mo = monthAt(m[2]!, 0); d = Number(m[3]);
  } else if ((m = MON_D_Y.exec(date))) {
    y = Number(m[3]); mo = monthAt(m[1]!, 0); d = Number(m[2]);
  } else {
    return null;
  }
  const t = TIME.exec(time.trim());
  if (!t) return null;
  const hh = Number(t[1]), mm = Number(t[2]), ss = Number(t[3]);
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return null;
  const off = zoneMinutes(t[5] ?? (zone ? zone.trim() : ''));
  if (off === null) return null;
  const ms = Date.UTC(y, mo, d, hh, mm, ss);
  if (!Number.isFinite(ms)) return null;
  return Math.floor(ms / 1000) - off * 60;
}

/** Unix seconds of an RFC 3339 / RFC 5424 timestamp ("2019-02-20T15:10:35.073589+00:00"), or null. */
export function rfc3339Time(ts: string | null | undefined): number | null {
  if (!ts) return null;
  const t = ts.indexOf('T');
  if (t < 0) return null;
  return deviceTime(ts.slice(0, t), ts.slice(t + 1));
}
