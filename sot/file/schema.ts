/** JSON schemas of the file store: one YAML file per site (sites/<site>.yml) and netops.yml. */

const name = { type: 'string', pattern: '^[a-z][a-z0-9-]{1,31}$' } as const;
const host = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' } as const;
const ipv4 = { type: 'string', pattern: '^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$' } as const;
const prefix = { type: 'string', pattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$' } as const;
const asn = { type: 'integer', minimum: 1, maximum: 4294967295 } as const;
const text = { type: ['string', 'null'], maxLength: 200 } as const;
const when = { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$' } as const;
const who = {
  status: { enum: ['pending', 'active'] },
  by: { type: 'string', minLength: 1, maxLength: 100 },
  at: when,
  via: { enum: ['chat', 'terminal'] },
  txn: { type: ['string', 'null'] },
} as const;

/** sites/<site>.yml */
export const SITE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['site', 'routers'],
  properties: {
    site: name,
    description: text,
    routers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'platform', 'address', 'local_as'],
        properties: {
          name: host,
          platform: { enum: ['frr', 'eos', 'junos', 'ios', 'iosxr', 'nxos'] },
          address: { type: 'string', minLength: 1, maxLength: 253 },
          local_as: asn,
          router_id: { anyOf: [ipv4, { type: 'null' }] },
          napalm_driver: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_]*$' },
          mgmt_interface: { type: ['string', 'null'] },
          interfaces: { type: ['array', 'null'], items: { type: 'string' } },
          own_addresses: { type: 'array', items: ipv4 },
          vars: { type: 'object' },
        },
      },
    },
    prefixes: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['prefix'], properties: { prefix, description: text } },
    },
    allocations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address', 'prefix', 'owner', 'status', 'by', 'at', 'via'],
        properties: { address: ipv4, prefix, owner: { type: 'string', minLength: 1, maxLength: 100 }, description: text, ...who },
      },
    },
    peers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ip', 'as', 'routers', 'status', 'by', 'at', 'via'],
        properties: { ip: ipv4, as: asn, routers: { type: 'array', items: host }, description: text, channel: { type: ['string', 'null'] }, ...who },
      },
    },
  },
} as const;

/** netops.yml: settings shared by every site. */
export const STORE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    /** Ansible connection vars of every router (the derived inventory's all.vars). */
    ansible: { type: 'object' },
  },
} as const;
