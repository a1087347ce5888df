import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{a,b,c,d}from"./chunk-6UXJNDKG.mjs";import"./chunk-LGCWXPVB.mjs";import"./chunk-32SHYCPN.mjs";import"./chunk-CNJM7YVZ.mjs";export{b as mayCarryChange,d as outcomes,c as runPlaybook,a as unsafeVarsYaml};
