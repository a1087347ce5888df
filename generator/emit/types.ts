/** What every emitter returns: a file of the pack, relative to pack/. */
export interface EmittedFile {
  path: string;
  content: string | Uint8Array;
  /** File mode (executable entry scripts get 0o755). */
  mode?: number;
}
