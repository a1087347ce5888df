/**
 * The playbooks without the lab: `ansible-playbook --syntax-check` and ansible-lint (pinned,
 * from .venv) clean on every playbook; the Python filters' own unit tests (pytest); host
 * keys checked by the shipped ansible.cfg and not by the lab only; a NAPALM host whose
 * NAPALM or driver is missing fails before anything reaches the device, naming what to install.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ANSIBLE_CONFIG, ANSIBLE_PLAYBOOK, LAB_INVENTORY, PLAYBOOKS_DIR, REPO, runPlaybook } from '../support/lab.js';
import { VENV, ensureVenv, pytest } from '../support/venv.js';

const PLAYBOOKS = readdirSync(PLAYBOOKS_DIR).filter((f) => f.endsWith('.yml')).sort();

describe('playbooks: syntax, lint, filters (no lab)', function () {
  this.timeout(300_000);
  before(async () => ensureVenv());

  it('every playbook passes ansible-playbook --syntax-check', async function () {
    expect(PLAYBOOKS).to.include.members(['add_peer.yml', 'remove_peer.yml', 'set_interface.yml', 'show_compliance.yml']);
    for (const pb of PLAYBOOKS) {
      const r = await execa(ANSIBLE_PLAYBOOK, ['-i', LAB_INVENTORY, '--syntax-check', join(PLAYBOOKS_DIR, pb)], { reject: false, env: { ANSIBLE_CONFIG } });
      expect(r.exitCode, `${pb}: ${r.stderr}`).to.equal(0);
    }
  });

  it('ansible-lint (pinned) reports nothing', async function () {
    const r = await execa(join(VENV, 'bin', 'ansible-lint'), ['-q', '--nocolor', '-f', 'pep8', ...PLAYBOOKS], {
      cwd: PLAYBOOKS_DIR, reject: false, all: true,
      env: { ANSIBLE_COLLECTIONS_PATH: '/usr/lib/python3/dist-packages/ansible_collections', PATH: `${join(VENV, 'bin')}:${process.env.PATH}` },
    });
    const problems = String(r.all).split('\n').filter((l) => l.trim() && !l.startsWith('WARNING: PATH'));
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(r.exitCode).to.equal(0);
  });

  it('the Python filters pass their own unit tests (pytest)', async function () {
    expect(await pytest(['test/playbooks/py/test_filters.py'])).to.match(/\d+ passed/);
  });

  it('host keys are checked by the shipped config; only the lab inventory turns checking off', async function () {
    const r = await execa('/usr/bin/ansible-config', ['dump', '--only-changed'], { env: { ANSIBLE_CONFIG } });
    expect(r.stdout).to.match(/HOST_KEY_CHECKING.*= True/);
    expect(readFileSync(join(PLAYBOOKS_DIR, 'ansible.cfg'), 'utf8')).to.not.match(/host_key_checking\s*=\s*False/i);
    const inv = parse(readFileSync(LAB_INVENTORY, 'utf8')) as { all: { vars: Record<string, unknown> } };
    expect(inv.all.vars.ansible_host_key_checking).to.equal(false);
    expect(inv.all.vars.napalm_optional_args).to.deep.include({ host_key_checking: true, known_hosts: '/run/netops-lab/ssh/known_hosts' });
  });

  it('a NAPALM host without NAPALM, or without its driver, fails before touching the device, naming what to install', async function () {
    const params = { in: 'bma', ip: '10.0.0.1', as: 65100 };
    // no lab needed: the check runs on the controller before any device task
    const noNapalm = await runPlaybook('add_peer', params, { limit: ['bma-edge1'], extraVars: { napalm_driver: 'frr', netops_napalm_python: '/nonexistent/venv/bin/python' } });
    expect(noNapalm.exitCode).to.not.equal(0);
    expect(noNapalm.failures['bma-edge1']).to.match(/NAPALM is not installed: no Python at \/nonexistent\/venv\/bin\/python; install it with: bash scripts\/venv\.sh/);
    expect(noNapalm.failedTasks['bma-edge1']).to.deep.equal(['Refuse a host whose NAPALM or driver is not installed']);
    const noDriver = await runPlaybook('remove_peer', { in: 'bma', ip: '10.0.0.1' }, { limit: ['bma-edge1'], extraVars: { napalm_driver: 'nosuchos' } });
    expect(noDriver.failures['bma-edge1']).to.match(/the NAPALM driver 'nosuchos' is not installed in .*: pip install napalm-nosuchos; nothing was changed/);
    expect(noDriver.failedTasks['bma-edge1']).to.deep.equal(['Refuse a host whose NAPALM or driver is not installed']);
    expect(noDriver.stdout).to.not.match(/"name": "Read the BGP neighbors through NAPALM|napalm_get_facts/);
    void REPO;
  });

  it("an IOS-XR host whose driver is iosxr_netconf (XML only) is refused before anything runs, saying to use iosxr", async function () {
    // the address is never contacted: the refusal comes before any NAPALM task
    const dir = mkdtempSync(join(tmpdir(), 'netops-xr-'));
    try {
      const inv = join(dir, 'hosts.yml');
      writeFileSync(inv, stringify({ all: { children: { sites: { children: { xrsite: { hosts: { xr1: {
        ansible_host: '192.0.2.250', ansible_network_os: 'cisco.iosxr.iosxr', ansible_user: 'netops', netops_platform: 'iosxr',
        netops_local_as: 65000, netops_router_id: '192.0.2.250', napalm_driver: 'iosxr_netconf', netops_mgmt_interface: 'MgmtEth0/RP0/CPU0/0' } } } } } } } }));
      for (const [task, params] of [['add_peer', { in: 'xrsite', ip: '10.0.0.1', as: 65100 }], ['remove_peer', { in: 'xrsite', ip: '10.0.0.1' }], ['set_interface', { in: 'xrsite', name: 'GigabitEthernet0/0/0/1', state: 'down' }]] as const) {
        const r = await runPlaybook(task, params, { limit: ['xr1'], inventory: inv });
        expect(r.exitCode, task).to.not.equal(0);
        expect(r.failures.xr1, task).to.match(new RegExp(`^${task} on xr1: napalm_driver 'iosxr_netconf' takes XML \\(YANG\\) configuration only, and netops renders iosxr CLI \\(playbooks/templates/${task}/iosxr\\.j2\\); set napalm_driver: iosxr for this host .*; nothing was changed$`));
        expect(r.failedTasks.xr1, task).to.deep.equal(["Refuse a NAPALM driver that cannot take the platform's CLI template"]);
        expect(r.stdout, task).to.not.match(/napalm_get_facts|napalm_install_config/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
