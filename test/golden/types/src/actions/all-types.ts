import { defineTask, type Integer, type Secret } from '../../../../../runtime/define.js';

/** One parameter of every kind netops supports. */
export interface Params {
  /** Site. @example bma */
  in: string;
  /** Free text. @example hello */
  text: string;
  /** An IPv4 address. @format ipv4 @example 10.0.0.1 */
  v4: string;
  /** An IPv6 address. @format ipv6 @example 2001:db8::1 */
  v6?: string;
  /** A prefix. @format cidr @example 10.0.0.0/30 */
  prefix?: string;
  /** A whole number. @minimum -5 @maximum 4294967295 @example 7 */
  count: Integer;
  /** A number. */
  ratio?: number;
  /** A switch. */
  flag?: boolean;
  /** A choice. */
  mode?: 'fast' | 'slow';
  /** Strings. */
  tags?: string[];
  /** Numbers. */
  weights?: number[];
  /** Whole numbers. */
  ports?: Integer[];
  /** Optional with a default. @default "none" */
  note?: string;
  /** A whole number with a default. @default 3 */
  retries?: Integer;
  /** A secret. */
  token?: Secret;
  /** A peer address. @format ipv4-unicast @example 10.0.0.1 */
  peer?: string;
  /** An AS number (a range, since a pattern cannot check a number). @format asn @example 65100 */
  asn?: Integer;
  /** An AS number as text. @format asn */
  asn_text?: string;
  /** One line of CLI text. @format cli-text @maxLength 80 */
  line?: string;
  /** A key typed into a CLI. @format cli-secret */
  key?: Secret;
}

export default defineTask<Params>({
  description: 'Carry every parameter type',
  risk: 'read',
  playbook: 'all_types.yml',
  timeout: 30,
});
