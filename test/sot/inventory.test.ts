/** The Ansible inventory is derived from the source of truth, never edited by hand. */
import { expect } from 'chai';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO } from '../support/lab.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');
const derive = (args: string[] = []) => execa('node', [CLI, 'inventory', ...args], { env: { NETOPS_SOT_DIR: join(REPO, 'lab', 'sot'), NETOPS_STATE_DIR: '/nonexistent/netops' }, reject: false, stripFinalNewline: false });

describe('sot: the derived Ansible inventory', () => {
  it('lab/inventory/hosts.yml is exactly what `netops inventory` derives from lab/sot', async () => {
    const r = await derive();
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(readFileSync(join(REPO, 'lab', 'inventory', 'hosts.yml'), 'utf8'), 'regenerate: npx netops inventory > lab/inventory/hosts.yml').to.equal(r.stdout);
  });

  it('carries what the playbooks read, per host', async () => {
    const doc = parse((await derive(['--site', 'bma'])).stdout);
    expect(Object.keys(doc.all.children.sites.children)).to.deep.equal(['bma']);
    expect(doc.all.children.sites.children.bma.hosts['bma-edge1']).to.deep.include({
      ansible_host: '192.0.2.2', ansible_network_os: 'frr.frr.frr', netops_platform: 'frr', netops_local_as: 65000, netops_mgmt_interface: 'mgmt0', napalm_driver: null,
    });
    expect(doc.all.vars.ansible_connection).to.equal('ansible.netcommon.network_cli');
  });

  it('an unknown site and a mistyped flag are refused with exit 2', async () => {
    expect((await derive(['--site', 'nosuch'])).exitCode).to.equal(2);
    const r = await derive(['--sites', 'bma']);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.match(/Unknown option '--sites'/);
  });
});
