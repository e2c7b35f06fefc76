// Builds the sandbox image if the Docker engine lacks it, printing progress. Used by the test
// and bench commands so that their first session does not wait on a silent build.
import { docker, dockerAddress, engineStatus } from "../lib/sandbox/docker";
import { ensureImage } from "../lib/sandbox/image";

const engine = await engineStatus();
if (!engine.ok) {
  console.error(`[image] the Docker engine is unreachable at ${dockerAddress()}: ${engine.error}`);
  process.exit(1);
}
const t = Date.now();
const tag = await ensureImage((line) => console.log(line));
const { Size } = await docker().getImage(tag).inspect();
console.log(`[image] ${tag} ready (${Math.round(Size / 1e6)} MB, ${((Date.now() - t) / 1000).toFixed(1)} s)`);
