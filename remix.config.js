/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Kept outside app/ on purpose: the build is generated, never committed.
  serverBuildPath: "build/index.js",
  assetsBuildDirectory: "public/build",
  publicPath: "/build/",
  serverDependenciesToBundle: [],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    // Off: with it, GET /__manifest lets anyone spend seconds of CPU per request (CVE-2026-55685,
    // fixed only in React Router 7.18; decision 0027). The whole route manifest then loads once as
    // one immutable file (~3 KB gzip) instead of a discovery request before navigations.
    v3_lazyRouteDiscovery: false,
    v3_singleFetch: true,
  },
};
