#!/usr/bin/env node
// One program, several commands: each command module exports main(argv) → exit code.
type Command = { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  serve: { summary: 'run the inference server for one ONNX model', load: () => import('../server/cli.js') },
  bench: { summary: 'load-test an Open Inference Protocol v2 endpoint', load: () => import('../bench/cli.js') },
  run: { summary: 'serve and benchmark an InferenceService manifest locally, against its SLA', load: () => import('./run.js') },
  crd: { summary: 'print the InferenceService CustomResourceDefinition', load: () => import('./crd.js') },
  operator: { summary: 'run the InferenceService controller against the current cluster', load: () => import('../operator/cli.js') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`);
  return `usage: vernier <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n'vernier <command> --help' describes a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`vernier: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).main(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`vernier: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.VERNIER_DEBUG && err instanceof Error) console.error(err.stack);
    process.exitCode = 1;
  },
);
