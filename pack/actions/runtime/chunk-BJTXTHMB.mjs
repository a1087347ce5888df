import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{a,b,c}from"./chunk-RIMQ5CKP.mjs";import"./chunk-B7HZXOMH.mjs";import"./chunk-CNJM7YVZ.mjs";export{c as outcomes,b as runPlaybook,a as unsafeVarsYaml};
