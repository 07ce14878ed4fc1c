// Test support: the GitHub-compatible server now lives in the build (github-dev/), for `hearth registry dev-server`.
export * from '../github-dev/server.js';
