/** Mocha root hooks: whatever test support started (the lab) is stopped once, after all tests. */
const LAB_MODULE = './lab.js';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    const lab = (await import(LAB_MODULE).catch(() => null)) as { teardownLabIfStarted?: () => Promise<void> } | null;
    if (lab && typeof lab.teardownLabIfStarted === 'function') await lab.teardownLabIfStarted();
  },
};
