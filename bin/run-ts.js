#!/usr/bin/env node
// Runs a TypeScript script of the repository (benchmarks, tools): `node bin/run-ts.js bench/me.ts`.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const script = process.argv[2];
if (!script) {
  console.error('usage: node bin/run-ts.js <script.ts> [args…]');
  process.exit(2);
}
process.argv.splice(2, 1);
await import(pathToFileURL(resolve(script)).href);
