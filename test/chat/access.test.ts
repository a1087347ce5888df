/** runtime/access.ts: deny by default, grants by user, group, task, risk, channel and way in; refusals say what is missing. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AccessConfigError, checkAccess, DENY_ALL, groupsOf, parsePolicy, terminalUser, type AccessRequest } from '../../runtime/access.js';
import { execa } from 'execa';
import { REPO } from '../support/st2-schemas.js';

const CONFIG = parse(`
access:
  channels: ["#noc", C024BE91L]
  groups:
    neteng: [alice, Bob]
    oncall: [carol]
  grants:
    - {who: ["@neteng"], tasks: [change]}
    - {who: [carol], tasks: [set_interface], channels: [noc]}
    - {who: [dave], tasks: [add_peer], via: [terminal]}
`) as { access: unknown };
const P = parsePolicy(CONFIG.access);
const req = (r: Partial<AccessRequest>): AccessRequest => ({ task: 'add_peer', risk: 'change', user: 'alice', channel: 'noc', via: 'chat', ...r });

describe('access policy', () => {
  it('read tasks: everyone in a configured channel (by name, #name or Slack id) and in a terminal', () => {
    for (const channel of ['noc', '#noc', 'NOC', 'C024BE91L']) expect(checkAccess(P, req({ task: 'show_peers', risk: 'read', user: 'zed', channel }))).to.equal(null);
    expect(checkAccess(P, req({ task: 'show_peers', risk: 'read', user: 'zed', channel: null, via: 'terminal' }))).to.equal(null);
  });

  it('a channel not configured is refused for every task, saying where to ask', () => {
    const r = checkAccess(P, req({ task: 'show_peers', risk: 'read', channel: 'random' }));
    expect(r).to.deep.equal({ reason: 'netops takes no commands in #random', hint: 'ask in #noc, #c024be91l' });
    expect(checkAccess(P, req({ channel: 'random' }))!.reason).to.equal('netops takes no commands in #random');
    expect(checkAccess(P, req({ channel: '' }))!.reason).to.match(/without a channel/);
  });

  it('change tasks: refused until granted, by group or by name, risk or task', () => {
    expect(checkAccess(P, req({}))).to.equal(null);
    expect(checkAccess(P, req({ user: 'bob', task: 'remove_peer' })), 'group members match case-insensitively').to.equal(null);
    expect(checkAccess(P, req({ user: 'carol', task: 'set_interface' }))).to.equal(null);
    const r = checkAccess(P, req({ user: 'carol', task: 'add_peer' }))!;
    expect(r.reason).to.equal('carol may not run add_peer in #noc: the grants for add_peer name @neteng, dave (or other channels or ways in); carol is in @oncall');
    expect(r.hint).to.equal('a netops admin can grant it in the pack config: access.grants: [{who: [carol], tasks: [add_peer], channels: [noc]}]');
  });

  it('a grant limited to channels or to a way in holds only there', () => {
    expect(checkAccess(P, req({ user: 'carol', task: 'set_interface', channel: 'C024BE91L' }))!.reason).to.match(/^carol may not run set_interface in #c024be91l/);
    expect(checkAccess(P, req({ user: 'carol', task: 'set_interface', channel: null, via: 'terminal' })), 'channels do not apply in a terminal').to.equal(null);
    expect(checkAccess(P, req({ user: 'dave', channel: null, via: 'terminal' }))).to.equal(null);
    expect(checkAccess(P, req({ user: 'dave' }))!.reason).to.match(/^dave may not run add_peer in #noc/);
  });

  it('terminal runs check the OS user against the same policy', () => {
    expect(checkAccess(P, req({ user: 'alice', channel: null, via: 'terminal' }))).to.equal(null);
    const r = checkAccess(P, req({ user: 'root', channel: null, via: 'terminal' }))!;
    expect(r.reason).to.match(/^root may not run add_peer from a terminal: .*root is in no group$/);
    expect(r.hint).to.equal('a netops admin can grant it in the pack config: access.grants: [{who: [root], tasks: [add_peer]}]');
  });

  it('no user name: refused for changes, never matched by a grant', () => {
    expect(checkAccess(P, req({ user: '' }))!.reason).to.equal('add peer has no user name to check');
    expect(checkAccess(P, req({ user: '  ', via: 'terminal', channel: null }))!.hint).to.match(/NETOPS_USER/);
  });

  it('nothing configured: no chat channel, no change anywhere; terminal reads still work', () => {
    expect(parsePolicy(undefined)).to.deep.equal(DENY_ALL);
    expect(checkAccess(DENY_ALL, req({ task: 'show_peers', risk: 'read' }))!.hint).to.match(/no channel is configured yet/);
    expect(checkAccess(DENY_ALL, req({ via: 'terminal', channel: null }))!.reason).to.equal('alice may not run add_peer from a terminal: no grant covers add_peer; change tasks are refused until one does');
    expect(checkAccess(DENY_ALL, req({ task: 'show_facts', risk: 'read', via: 'terminal', channel: null }))).to.equal(null);
  });

  it('the terminal user is the real uid, whatever NETOPS_USER or USER say', async () => {
    const { stdout } = await execa('id', ['-un']);
    const prev = { n: process.env.NETOPS_USER, u: process.env.USER };
    process.env.NETOPS_USER = 'alice'; process.env.USER = 'alice';
    try { expect(terminalUser()).to.equal(stdout.trim()); } finally {
      if (prev.n === undefined) delete process.env.NETOPS_USER; else process.env.NETOPS_USER = prev.n;
      if (prev.u === undefined) delete process.env.USER; else process.env.USER = prev.u;
    }
  });

  it('groupsOf', () => {
    expect(groupsOf(P, 'ALICE')).to.deep.equal(['neteng']);
    expect(groupsOf(P, 'zed')).to.deep.equal([]);
  });

  it('bad config is an error naming the key and what to write', () => {
    const bad: [unknown, RegExp][] = [
      [[], /access must be a mapping/],
      [{ chanels: [] }, /access\.chanels is not a setting; use channels, groups, grants or approvals/],
      [{ grants: {} }, /access\.grants must be a list/],
      [{ grants: [{ who: ['x'] }] }, /access\.grants\[0\] needs who and tasks/],
      [{ grants: [{ who: ['@ghosts'], tasks: ['*'] }] }, /group @ghosts, which access\.groups does not define/],
      [{ grants: [{ who: ['x'], tasks: ['*'], via: ['slack'] }] }, /via: 'slack' must be chat or terminal/],
      [{ grants: [{ who: 'x', tasks: ['*'] }] }, /access\.grants\[0\]\.who must be a list of names/],
      [{ grants: [{ who: ['x'], tasks: ['*'], when: 'night' }] }, /access\.grants\[0\]\.when is not a grant field/],
      [{ groups: [] }, /access\.groups must map a group name/],
    ];
    for (const [v, want] of bad) expect(() => parsePolicy(v), JSON.stringify(v)).to.throw(AccessConfigError, want);
  });

  it('the pack config schema declares access with channels, groups and grants', () => {
    const schema = parse(readFileSync(join(REPO, 'pack', 'config.schema.yaml'), 'utf8')) as Record<string, { properties: Record<string, { items?: { properties: Record<string, unknown> } }> }>;
    expect(Object.keys(schema.access!.properties)).to.deep.equal(['channels', 'groups', 'grants', 'approvals']);
    expect(Object.keys(schema.access!.properties.grants!.items!.properties)).to.deep.equal(['who', 'tasks', 'channels', 'via']);
  });
});
