#!/usr/bin/env node
// The `stopcovid` command line: oclif finds the commands in dist/cli/commands.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
// A command is over: a client library's reconnect timer (kafkajs after a failed connect) must
// not hold the process open. Give pending output a moment, then exit with the command's code.
setTimeout(() => process.exit(), 500).unref();
