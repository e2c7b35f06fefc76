// The sandbox image: Debian bookworm with the packages of sandbox/image/packages.txt — build
// tools (gcc, g++, make, libc6-dev, pkg-config), Node.js 18 with npm 9, Python 3.11 with pip,
// venv and headers, git, ripgrep, curl, wget, jq, zip/unzip, xz, bzip2, file, tini and the usual
// shell tools (no ssh client) — all from Debian's own packages, without documentation, manuals,
// translations or apt lists, and an unprivileged `agent` user. Built with debootstrap + apt-get
// in a chroot (sandbox/image/build-rootfs.sh) and imported into the engine: no container registry
// involved (sandbox/image/Dockerfile builds the same image where there is one). The tag is a hash
// of the build's inputs, so editing the script or the package list rebuilds; worker code is
// bind-mounted and never needs a rebuild.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { env } from "../config/env";
import { configuredEngines, docker, engineAddress, engineUnavailable, isEngineUnreachable, rethrowEngine } from "./docker";
import { buildLockPath, withBuildLock } from "./image-lock";

const IMAGE_DIR = path.resolve("sandbox/image");
const BUILD_SCRIPT = path.join(IMAGE_DIR, "build-rootfs.sh");
/** Everything the build reads (the image tag hashes them all); the Dockerfile is not one. */
export const IMAGE_INPUTS = ["build-rootfs.sh", "packages.txt", "dpkg-trim.cfg"];
/** What `docker import` adds to the root filesystem (the Dockerfile ends with the same lines). */
export const IMPORT_CHANGES = ["USER agent", "WORKDIR /workspace", "ENV HOME=/home/agent LANG=C.UTF-8"];

export function imageTag(): string {
  if (env().DOCKSIDE_IMAGE) return env().DOCKSIDE_IMAGE!;
  const hash = crypto.createHash("sha256");
  for (const name of IMAGE_INPUTS) hash.update(`${name}\0`).update(fs.readFileSync(path.join(IMAGE_DIR, name))).update("\0");
  return `dockside-sandbox:${hash.digest("hex").slice(0, 12)}`;
}

// Per engine (its address): one build or copy at a time for each.
const g = globalThis as unknown as { __docksideImageBuilds?: Map<string, Promise<string>>; __docksideImageError?: string };
const builds = (): Map<string, Promise<string>> => (g.__docksideImageBuilds ??= new Map());

export interface ImageStatus {
  ready: boolean;
  tag: string;
  building: boolean;
  error?: string;
}

/** False only when the engine answers that it has no such image; an unreachable engine throws (503). */
export async function imageExists(tag = imageTag(), engine?: string | null): Promise<boolean> {
  try {
    await docker(engine).getImage(tag).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    rethrowEngine(err, "looking for the sandbox image", engine);
  }
}

export async function imageStatus(engine?: string | null): Promise<ImageStatus> {
  const tag = imageTag();
  const ready = await imageExists(tag, engine);
  // Building here, or in another process (its lock file).
  const building = !ready && (builds().has(engineAddress(engine)) || fs.existsSync(buildLockPath()));
  return { ready, tag, building, error: ready ? undefined : g.__docksideImageError };
}

/**
 * Builds the image if it is missing; resolves to its tag. One build at a time per process (the
 * promise is shared) and across processes (a lock file in the data directory: a second caller
 * waits for the first and finds its image). An unreachable engine is a 503, never a build.
 */
export async function ensureImage(onProgress: (line: string) => void = (l) => console.log(l), engine?: string | null): Promise<string> {
  const tag = imageTag();
  // The common case, and the check that tells "unreachable" (throws) from "missing" (false).
  if (await imageExists(tag, engine)) return tag;
  const key = engineAddress(engine);
  let pending = builds().get(key);
  if (!pending) {
    // Another engine that has it gives it (docker save | docker load, no rebuild); else build.
    pending = copyFromAnotherEngine(tag, engine, onProgress)
      .then((copied) => copied ?? withBuildLock(tag, onProgress, () => build(tag, onProgress, engine)))
      .finally(() => builds().delete(key));
    builds().set(key, pending);
  }
  return pending;
}

/** Streams the image from an engine that has it into `engine`; null when none has it. */
async function copyFromAnotherEngine(tag: string, engine: string | null | undefined, onProgress: (line: string) => void): Promise<string | null> {
  const target = engineAddress(engine);
  for (const source of configuredEngines().filter((e) => e !== target)) {
    if (!(await imageExists(tag, source).catch(() => false))) continue;
    onProgress(`[image] copying ${tag} from ${source} to ${target}`);
    try {
      const tar = (await docker(source).getImage(tag).get()) as NodeJS.ReadableStream;
      const stream = (await docker(engine).loadImage(tar as never)) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => docker(engine).modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      rethrowEngine(err, `copying the sandbox image from ${source}`, engine);
    }
    if (!(await imageExists(tag, engine))) throw new Error(`the engine ${target} did not list ${tag} after loading it from ${source}`);
    onProgress(`[image] ${tag} ready on ${target}`);
    return tag;
  }
  return null;
}

async function build(tag: string, onProgress: (line: string) => void, engine?: string | null): Promise<string> {
  // Again under the lock: another process may have built it while this one waited.
  if (await imageExists(tag, engine)) return tag;
  if (env().DOCKSIDE_IMAGE) throw new Error(`sandbox image ${tag} (DOCKSIDE_IMAGE) is not in the Docker engine`);
  g.__docksideImageError = undefined;
  const tar = path.join(os.tmpdir(), `dockside-rootfs-${process.pid}-${Date.now()}.tar`);
  try {
    onProgress(`[image] building ${tag} from Debian packages (first start only, a few minutes)`);
    await run("bash", [BUILD_SCRIPT, tar], onProgress);
    onProgress(`[image] importing into the Docker engine`);
    const stream = await docker(engine).importImage(tar, {
      repo: tag.split(":")[0],
      tag: tag.split(":")[1],
      changes: IMPORT_CHANGES,
    } as never) as unknown as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => docker(engine).modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
    if (!(await imageExists(tag, engine))) throw new Error("the engine did not list the image after import");
    onProgress(`[image] ${tag} ready`);
    return tag;
  } catch (err) {
    if (isEngineUnreachable(err)) throw engineUnavailable(err, "importing the sandbox image", engine);
    g.__docksideImageError = (err as Error).message;
    throw err;
  } finally {
    fs.rmSync(tar, { force: true });
  }
}

function run(cmd: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const feed = (buf: Buffer) => {
      for (const line of buf.toString().split("\n").filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`image build failed (exit ${code}): ${tail.slice(-5).join(" | ")}`))));
  });
}
