/** runtime/approval.ts: which runs wait, who may approve (never the requester), break-glass. */
import { expect } from 'chai';
import { parse } from 'yaml';
import { AccessConfigError, DENY_ALL, parsePolicy } from '../../runtime/access.js';
import { approvalRequired, checkApprover, checkBreakGlass } from '../../runtime/approval.js';

const P = parsePolicy((parse(`
access:
  channels: [noc]
  groups: {neteng: [alice, bob], leads: [erin]}
  grants: [{who: ["@neteng"], tasks: [change]}]
  approvals: {tasks: [add_peer, remove_peer], approvers: ["@leads", bob], break_glass: [alice], ttl_minutes: 15}
`) as { access: unknown }).access);

describe('approvals', () => {
  it('listed change tasks wait; dry runs, reads and other changes do not', () => {
    expect(approvalRequired(P, { task: 'add_peer', risk: 'change', dryRun: false })).to.equal(true);
    expect(approvalRequired(P, { task: 'add_peer', risk: 'change', dryRun: true })).to.equal(false);
    expect(approvalRequired(P, { task: 'set_interface', risk: 'change', dryRun: false })).to.equal(false);
    expect(approvalRequired(P, { task: 'show_peers', risk: 'read', dryRun: false })).to.equal(false);
    expect(approvalRequired(DENY_ALL, { task: 'add_peer', risk: 'change', dryRun: false })).to.equal(false);
    expect(P.approvals.ttlMinutes).to.equal(15);
  });

  it('the requester cannot approve their own change, even as an approver', () => {
    expect(checkApprover(P, { task: 'add_peer', requester: 'bob', approver: 'Bob' })).to.deep.equal({ reason: 'bob asked for this add_peer and cannot approve it too', hint: 'ask one of @leads, bob to approve it' });
  });

  it('an approver outside the list is refused; one in it (by name or group) passes', () => {
    expect(checkApprover(P, { task: 'add_peer', requester: 'alice', approver: 'mallory' })).to.deep.equal({ reason: 'mallory is not an approver for add_peer', hint: 'approvers are @leads, bob (access.approvals.approvers in the pack config)' });
    expect(checkApprover(P, { task: 'add_peer', requester: 'alice', approver: 'erin' })).to.equal(null);
    expect(checkApprover(P, { task: 'add_peer', requester: 'alice', approver: 'bob' })).to.equal(null);
    expect(checkApprover(P, { task: 'add_peer', requester: 'alice', approver: '' })!.reason).to.match(/no approver name/);
  });

  it('break-glass needs a reason and a user the policy names', () => {
    expect(checkBreakGlass(P, { task: 'add_peer', user: 'alice', reason: 'INC-7 transit down' })).to.equal(null);
    expect(checkBreakGlass(P, { task: 'add_peer', user: 'alice', reason: ' ' })!.reason).to.equal('--break-glass needs a reason');
    expect(checkBreakGlass(P, { task: 'add_peer', user: 'bob', reason: 'because' })!.reason).to.equal('bob may not break glass for add_peer');
  });

  it('bad approvals config is an error naming the key', () => {
    for (const [v, want] of [
      [{ approvals: { tasks: ['add_peer'] } }, /need approvers/],
      [{ approvals: { tasks: ['add_peer'], approvers: ['@nobody'] } }, /group @nobody, which access\.groups does not define/],
      [{ approvals: { ttl_minutes: 0, approvers: ['x'] } }, /ttl_minutes must be a whole number/],
      [{ approvals: { approver: ['x'] } }, /access\.approvals\.approver is not a setting/],
    ] as [unknown, RegExp][]) expect(() => parsePolicy(v), JSON.stringify(v)).to.throw(AccessConfigError, want);
  });
});
