/**
 * `event-routes-local start|serve [--program <dir>]`: runs any Pulumi AWS program in the local cloud.
 * TypeScript programs are compiled as they load (ts-node, transpile only), as Pulumi's Node.js
 * runtime loads them; a program already compiled to JavaScript loads as it is.
 */
import { runCommandLine } from "./command-line";

function registerTypeScript(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!require.extensions[".ts"]) require("ts-node").register({ transpileOnly: true, skipProject: true, compilerOptions: { module: "commonjs", target: "ES2022", esModuleInterop: true } });
}

/** Runs the command line with the process's arguments and exits with its code (the bin's entry). */
export function runAsCommand(): void {
  registerTypeScript();
  runCommandLine(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`error: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    },
  );
}

if (require.main === module) runAsCommand();
