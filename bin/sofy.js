#!/usr/bin/env node
// Entry point of the `sofy` binary. The code base is TypeScript run through tsx's loader,
// so the same sources serve `npm start`, the CLI and the tests with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
