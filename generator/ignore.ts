/**
 * Files that running the pack leaves beside its sources and that are never build output:
 * Python bytecode (Ansible imports filter_plugins/*.py, writing __pycache__/*.pyc) and
 * Ansible's *.retry files. The playbook copy, the writer and `build --check` all skip them.
 */

/** Whether a file or directory name is a run-time leftover, not part of the pack. */
export function isRunLeftover(name: string): boolean {
  return name === '__pycache__' || name.endsWith('.pyc') || name.endsWith('.pyo') || name.endsWith('.retry');
}
