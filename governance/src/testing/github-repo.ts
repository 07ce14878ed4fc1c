// Test support: the in-memory repository now lives in the build (github-dev/), for `hearth registry dev-server`.
export * from '../github-dev/repo.js';
