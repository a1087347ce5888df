import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{k as a,l as b,m as c}from"./chunk-SOIB24VS.mjs";import"./chunk-OQ6LXIQB.mjs";import"./chunk-FYUL35GT.mjs";import"./chunk-CNJM7YVZ.mjs";export{c as approvalGate,b as recordDecision,a as siteDigest};
