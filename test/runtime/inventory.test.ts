/** Inventories read the way Ansible reads them (ansible-inventory --list): INI, nested groups; or refused naming the file. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../runtime/inventory.js';
import { REPO } from '../support/lab.js';

describe('runtime: reading an Ansible inventory', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'netops-inv-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the lab inventory: sites and their routers', () => {
    const inv = loadInventory(join(REPO, 'lab', 'inventory', 'hosts.yml'));
    expect([...inv.sites.keys()]).to.deep.equal(['bma', 'gbg']);
    expect(inv.hosts.get('bma-edge1')).to.deep.include({ site: 'bma', address: '192.0.2.2', platform: 'frr.frr.frr' });
  });

  it('INI with nested groups under a site and group vars', () => {
    const p = join(dir, 'hosts.ini');
    writeFileSync(p, ['[bma_core]', 'bma-edge2 ansible_host=192.0.2.10', '', '[bma]', 'bma-edge1 ansible_host=192.0.2.2', '', '[bma:children]', 'bma_core', '',
      '[sites:children]', 'bma', '', '[sites:vars]', 'ansible_network_os=frr.frr.frr', ''].join('\n'));
    const inv = loadInventory(p);
    expect(inv.sites.get('bma')!.map((h) => [h.name, h.address, h.platform])).to.deep.equal([['bma-edge1', '192.0.2.2', 'frr.frr.frr'], ['bma-edge2', '192.0.2.10', 'frr.frr.frr']]);
  });

  it('refuses, naming the file: one Ansible cannot parse, one without a sites group, a missing one', () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'all:\n  hosts: [a, b\n');
    expect(() => loadInventory(bad)).to.throw(/bad\.yml: Ansible cannot read this inventory/);
    const flat = join(dir, 'flat.yml');
    writeFileSync(flat, 'all:\n  hosts:\n    r1:\n      ansible_host: 192.0.2.1\n');
    expect(() => loadInventory(flat)).to.throw(/flat\.yml: has no group 'sites'/);
    expect(() => loadInventory(join(dir, 'nope.yml'))).to.throw(/nope\.yml: no such file/);
  });
});
