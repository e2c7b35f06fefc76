// Every port the end-to-end tests use, moved together by E2E_PORT_OFFSET so two checkouts can
// run Playwright at once on one machine (default 0: the ports CI has always used).
const offset = Number(process.env.E2E_PORT_OFFSET ?? 0);
if (!Number.isInteger(offset) || offset < 0 || offset > 1000) throw new Error(`E2E_PORT_OFFSET must be an integer 0..1000, got ${process.env.E2E_PORT_OFFSET}`);

export const STUB_PORT = 4311 + offset;
export const APP_PORT = 3311 + offset;
export const NODOCKER_PORT = 3312 + offset;
/** A second server a spec starts itself (approvals, multi-instance). */
export const EXTRA_PORT = 3313 + offset;
export const APP_PG_PORT = 55431 + offset;
export const NODOCKER_PG_PORT = 55432 + offset;
export const EXTRA_PG_PORT = 55433 + offset;
export const APP_ORIGIN = `http://localhost:${APP_PORT}`;
