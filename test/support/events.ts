/** A well-formed DeviceEvent for tests that need many distinct ones (id-<i>), with overrides. */
import type { DeviceEvent } from '../../bridge/event.js';

export function testEvent(i: number, over: Partial<DeviceEvent> = {}): DeviceEvent {
  return {
    id: `id-${i}`,
    error: 'BGP_NEIGHBOR_STATE_CHANGED',
    os: 'frr',
    host: 'r1',
    ip: '192.0.2.1',
    timestamp: 1_700_000_000 + i,
    facility: 23,
    severity: 3,
    yang_model: 'openconfig-bgp',
    yang_message: {},
    message_details: {},
    site: null,
    router: 'r1',
    peer: '10.0.0.1',
    interface: null,
    state: 'Idle',
    level: 'info',
    summary: `event ${i}`,
    raw: `raw ${i}`,
    ...over,
  };
}
