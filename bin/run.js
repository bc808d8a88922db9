#!/usr/bin/env node
// The `stopcovid` command line: oclif finds the commands in dist/cli/commands; errors that no
// command catches are printed in the project's one-line style (dist/cli/main.js).
import module from 'node:module';

// Node 22.1 and later keep the compiled code of the modules on disk between runs (oclif alone is
// about 200 CommonJS files): a faster start. Node 20 has no such cache and skips this.
module.enableCompileCache?.();

// Ctrl-C while no command listens for it (starting up, or the command over and closing its
// store): stop at once with the conventional code. A command that listens handles it itself.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]])
  process.on(signal, () => {
    if (process.listenerCount(signal) === 1) process.exit(code);
  });

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2), import.meta.url);
// A command is over: a client library's reconnect timer (kafkajs after a failed connect) must
// not hold the process open. Give pending output a moment, then exit with the command's code.
setTimeout(() => process.exit(), 500).unref();
