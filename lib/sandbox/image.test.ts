// The sandbox image: its two recipes (build-rootfs.sh, the Dockerfile) install the same package
// list, and the real image, run as a session runs it (a uid of its own, read-only root, tmpfs
// home, no network, no capabilities), has working compilers, Node.js, npm, Python and tools.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionPaths } from "../git/workspace";
import { removeSandbox, sandboxOptions } from "./container";
import { docker } from "./docker";
import { ensureImage, IMAGE_INPUTS, IMPORT_CHANGES } from "./image";

const dir = path.resolve("sandbox/image");
const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");

/** The list exactly as both recipes read it: `sed 's/#.*//' packages.txt | xargs`. */
function packageList(): string[] {
  const r = spawnSync("bash", ["-c", `sed 's/#.*//' "$1" | xargs`, "-", path.join(dir, "packages.txt")], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stdout.split(/\s+/).filter(Boolean);
}

/** A Dockerfile's instructions, continuation lines joined and comment lines dropped. */
function instructions(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter(Boolean);
}

describe("the sandbox image's recipes", () => {
  it("list the tools sandboxes need and no ssh client", () => {
    const list = packageList();
    for (const p of ["build-essential", "nodejs", "npm", "python3", "python3-pip", "python3-venv", "python3-dev", "git", "ripgrep", "curl", "jq", "unzip", "tini", "ca-certificates"]) {
      expect(list).toContain(p);
    }
    expect(list).not.toContain("openssh-client");
    expect(new Set(list).size).toBe(list.length);
  });

  it("install exactly packages.txt in the Dockerfile, with nothing named inline", () => {
    const ins = instructions(read("Dockerfile"));
    expect(ins).toContain("COPY packages.txt /tmp/packages.txt");
    expect(ins).toContain("COPY dpkg-trim.cfg /etc/dpkg/dpkg.cfg.d/01-dockside-trim");
    const run = ins.filter((i) => i.startsWith("RUN "));
    const installs = run.join(" ").match(/apt-get install[^;]*/g) ?? [];
    // The one install takes its names from the copied list and from nowhere else.
    expect(installs).toEqual(["apt-get install -y --no-install-recommends"]);
    expect(run.join(" ")).toContain("sed 's/#.*//' /tmp/packages.txt | xargs apt-get install -y --no-install-recommends;");
  });

  it("install exactly packages.txt in build-rootfs.sh too", () => {
    const script = read("build-rootfs.sh");
    expect(script).toContain(`read -r -a packages <<<"$(sed 's/#.*//' "$here/packages.txt" | xargs)"`);
    expect(script.match(/apt_get install .*/g)).toEqual([`apt_get install "\${packages[@]}" 2>&1 | progress "packages"`]);
    expect(script).toContain(`cp "$here/dpkg-trim.cfg" "$root/etc/dpkg/dpkg.cfg.d/01-dockside-trim"`);
  });

  it("end the Dockerfile with the changes docker import applies", () => {
    const ins = instructions(read("Dockerfile"));
    expect(ins.slice(-IMPORT_CHANGES.length)).toEqual(IMPORT_CHANGES);
  });

  it("hash every build input into the tag (only the Dockerfile stays out)", () => {
    expect(fs.readdirSync(dir).filter((f) => f !== "Dockerfile").sort()).toEqual([...IMAGE_INPUTS].sort());
  });
});

describe("the sandbox image, run as a session runs it", () => {
  const uid = 200_123;
  let root = "";
  let container = "";

  beforeAll(async () => {
    const image = await ensureImage();
    // The session's real container definition (container.ts) on plain directories standing in
    // for the session's filesystem, kept alive by `sleep` instead of the worker.
    root = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-image-"));
    const id = crypto.randomUUID();
    const paths = sessionPaths(root, id);
    for (const d of [paths.workspace, paths.run, paths.worker, paths.etc]) fs.mkdirSync(d, { recursive: true });
    fs.chownSync(paths.workspace, uid, uid);
    fs.writeFileSync(path.join(paths.etc, "passwd"), `root:x:0:0:root:/root:/bin/bash\nagent:x:${uid}:${uid}::/home/agent:/bin/bash\n`);
    fs.writeFileSync(path.join(paths.etc, "group"), `root:x:0:\nagent:x:${uid}:\n`);
    const opts = sandboxOptions({ sessionId: id, teamId: "t", image, paths, uid, gid: uid });
    expect(opts.HostConfig).toMatchObject({ ReadonlyRootfs: true, NetworkMode: "none", CapDrop: ["ALL"] });
    const c = await docker().createContainer({ ...opts, Cmd: ["sleep", "infinity"] });
    container = c.id;
    await c.start();
  }, 900_000);

  afterAll(async () => {
    if (container) await removeSandbox(container);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  /** Runs `script` in bash as the session's uid, as the worker runs the agent's commands. */
  async function sh(script: string): Promise<{ code: number; out: string }> {
    const exec = await docker().getContainer(container).exec({ Cmd: ["bash", "-c", script], User: `${uid}:${uid}`, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const sink = { write: (b: Buffer) => chunks.push(Buffer.from(b)) } as unknown as NodeJS.WritableStream;
    docker().modem.demuxStream(stream, sink, sink);
    await new Promise((resolve) => stream.on("end", resolve));
    const { ExitCode } = await exec.inspect();
    return { code: ExitCode ?? -1, out: Buffer.concat(chunks).toString("utf8") };
  }
  async function ok(script: string): Promise<string> {
    const r = await sh(script);
    expect(r, r.out).toMatchObject({ code: 0 });
    return r.out;
  }

  it("runs the commands as the session's uid, at home in /workspace, without network", async () => {
    expect(await ok("id -u; echo $HOME; pwd")).toBe(`${uid}\n/home/agent\n/workspace\n`);
    expect((await sh("curl -sS --max-time 5 http://example.com")).code).not.toBe(0);
  });

  it("has Node.js and npm, and npm init works", async () => {
    expect(await ok("node -v")).toMatch(/^v\d+\.\d+\.\d+\n$/);
    expect(await ok("npm -v")).toMatch(/^\d+\.\d+\.\d+\n$/);
    const out = await ok(`d=$(mktemp -d) && cd "$d" && npm init -y >/dev/null && node -p "require('./package.json').version"`);
    expect(out).toBe("1.0.0\n");
  });

  // A venv in /tmp too: the sandbox's tmpfs mounts are exec (Docker's default is noexec, which
  // breaks pip's build isolation and tools installed under ~).
  it("has Python 3 with venv and pip", async () => {
    const out = await ok("python3 -m venv /workspace/v && /workspace/v/bin/pip --version");
    expect(out).toMatch(/^pip \d+.* from \/workspace\/v\//);
    expect(await ok("python3 -m venv /tmp/v && /tmp/v/bin/pip --version")).toMatch(/from \/tmp\/v\//);
    expect(await ok(`python3 -c 'import sysconfig, os; print(os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"))'`)).toBe("True\n");
  });

  it("compiles and runs C and C++ with gcc, g++ and make", async () => {
    const c = `mkdir -p /workspace/c && cd /workspace/c && printf '#include <stdio.h>\\nint main(void) { puts("hello from c"); return 0; }\\n' > h.c && gcc -O2 -o h h.c && ./h`;
    expect(await ok(c)).toBe("hello from c\n");
    const cpp = `mkdir -p /workspace/mk && cd /workspace/mk && printf '#include <iostream>\\nint main() { std::cout << "hello from c++" << std::endl; }\\n' > h.cpp && printf 'h: h.cpp\\n\\tg++ -o h h.cpp\\n' > Makefile && make -s && ./h`;
    expect(await ok(cpp)).toBe("hello from c++\n");
    expect(await ok("make --version")).toMatch(/^GNU Make/);
  });

  it("has the usual command-line tools", async () => {
    expect(await ok(`echo '{"a":[1,2]}' | jq -c '.a | add'`)).toBe("3\n");
    expect(await ok("cd /tmp && echo x > z.txt && zip -q z.zip z.txt && unzip -p z.zip z.txt")).toBe("x\n");
    for (const cmd of ["curl --version", "wget --version", "unzip -v", "git --version", "rg --version", "xz --version", "bzip2 --help", "file --version", "pkg-config --version", "tini --version", "patch --version", "diff --version", "less --version", "ps --version"]) {
      const r = await sh(cmd);
      expect(r.code, `${cmd}: ${r.out}`).toBe(0);
    }
    expect((await sh("command -v ssh")).code).not.toBe(0);
  });

  it("is trimmed: no manuals, docs beyond copyright files, translations or apt lists", async () => {
    const out = await ok(
      "find /usr/share/man /usr/share/info /usr/share/locale /var/lib/apt/lists /var/cache/apt/archives -type f ! -name locale.alias ! -name lock 2>/dev/null | head; find /usr/share/doc -type f ! -name copyright | head",
    );
    expect(out).toBe("");
  });
});
