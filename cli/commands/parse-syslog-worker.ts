/**
 * Worker thread of `netops parse-syslog`: loads the profiles, then turns each batch of input
 * bytes it is sent into UTF-8 output bytes (classified, serialized) and its counters.
 *
 * Messages to the main thread: {type: 'ready'} once the profiles are loaded, or
 * {type: 'profile-error', message, problems} when they are broken; then one
 * {type: 'batch', seq, bytes, stats} per {seq, bytes} received, in the order received.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Classifier, ProfileError } from '../../bridge/parse.js';
import { classifyBatch, type BatchOptions } from './parse-syslog-batch.js';

/** What the main thread passes as workerData. */
export interface WorkerSetup extends BatchOptions {
  profiles?: string;
}

/** A batch of input: whole lines (the last one of the input may lack its line break). */
export interface BatchRequest {
  seq: number;
  bytes: Uint8Array;
}

const setup = workerData as WorkerSetup;
const port = parentPort!;
let classifier: Classifier | null = null;
try {
  classifier = new Classifier(setup.profiles ? { profilesDir: setup.profiles } : {});
  port.postMessage({ type: 'ready' });
} catch (e) {
  if (!(e instanceof ProfileError)) throw e;
  port.postMessage({ type: 'profile-error', message: e.message, problems: e.diagnostics.length });
}

port.on('message', (req: BatchRequest) => {
  if (classifier === null) return;
  const text = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength).toString('utf8');
  const bytes = classifyBatch(classifier, text, setup);
  const stats = { ...classifier.stats };
  classifier.resetStats();
  port.postMessage({ type: 'batch', seq: req.seq, bytes, stats }, [bytes.buffer as ArrayBuffer]);
});
