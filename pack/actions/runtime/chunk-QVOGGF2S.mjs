import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{a,b,c,d}from"./chunk-CKX7I4AR.mjs";import"./chunk-LGCWXPVB.mjs";import"./chunk-RFP44KVA.mjs";import"./chunk-CNJM7YVZ.mjs";export{b as mayCarryChange,d as outcomes,c as runPlaybook,a as unsafeVarsYaml};
