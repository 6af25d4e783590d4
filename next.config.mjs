/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native or Node-only packages stay out of the bundle (see docs/ARCHITECTURE.md).
  serverExternalPackages: ['better-sqlite3', 'oidc-provider', 'undici'],
};

export default nextConfig;
