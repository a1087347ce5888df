/**
 * The `yaml` package (comment-preserving Documents, error positions, stringify), loaded on
 * first use: a run that only reads the source of truth (show site, plans on a valid store) never
 * evaluates it. Synchronous, for synchronous callers: in the pack bundle esbuild resolves the
 * plain `require('yaml')` to the bundled copy (the bundle's banner defines `require`); in the
 * compiled tree, an ES module without `require`, it comes from node_modules.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let lib: Yaml | undefined;

/** The `yaml` module. */
export function yaml(): Yaml {
  return (lib ??= (typeof require === 'function' ? require('yaml') : createRequire(import.meta.url)('yaml')) as Yaml);
}
