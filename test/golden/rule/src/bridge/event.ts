/** A minimal device event for the rule checks. */
export interface DeviceEvent {
  /** Tag. */
  error: string | null;
  /** Peer. */
  peer: string | null;
  /** Summary. */
  summary: string;
}
