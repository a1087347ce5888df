/** Assertions on the source of truth's refusals (sot/types.ts Refusal), shared by the backends' tests. */
import { expect } from 'chai';
import { Refusal } from '../../sot/types.js';

/** `p` rejects with a Refusal whose message contains every one of `parts`; the Refusal. */
export async function expectRefusal(p: Promise<unknown>, ...parts: string[]): Promise<Refusal> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e, 'a Refusal').to.be.instanceOf(Refusal);
  for (const part of parts) expect((e as Error).message).to.include(part);
  return e as Refusal;
}
