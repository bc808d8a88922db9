#!/usr/bin/env node
// The `stopcovid` command line: oclif finds the commands in dist/cli/commands.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
