/** Registers the Nautobot backend with sot/open.ts (`sot_backend: nautobot`); import it once for its effect. */
import { backends } from '../open.js';
import { NautobotSourceOfTruth } from './index.js';

backends.nautobot = (o) => new NautobotSourceOfTruth({ url: o.nautobotUrl ?? undefined, tokenFile: o.nautobotTokenFile ?? undefined });
