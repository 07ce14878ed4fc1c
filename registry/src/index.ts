/**
 * @hearth/registry: how Hearth finds, trusts and lists plugins. The `hearth` field of a plugin's
 * package.json (its manifest, with a JSON Schema); discovery and loading of installed plugins in Node;
 * Ed25519-signed certification bundles of conformance runs and their verification; the registry index
 * (a folder of JSON files kept in git); the bot that checks submissions on GitHub; the static web page.
 *
 * @packageDocumentation
 */
export { RegistryError, type RegistryErrorCode } from './error.js';
export { parsePluginPackage, readPluginPackage, manifestDisagreements, type HearthField, type PluginPackage, type ProfileName } from './manifest.js';
export { findInstalledPlugins, pluginSelection, trustSettings, CONFIG_FILE, type InstalledPlugin, type PluginSelection, type TrustSettings } from './discover.js';
export { loadInstalledPlugins, importInstalledPlugin, type LoadedPlugin, type PluginFailure, type DiscoveryResult, type DiscoveryOptions } from './load.js';
export { canonicalJson, sha512Integrity } from './canonical.js';
export { generateSignerKey, readSignerKey, readPublicSigner, publicSigner, keyIdOf, type Signer, type SignerKey } from './keys.js';
export { packageIntegrity, tarballIntegrity } from './integrity.js';
export { writeBundle, signStatement, bundleDigest, BUNDLE_FILES, CERTIFICATE_FILE, type Certificate, type CertificateStatement, type WriteBundleOptions } from './bundle.js';
export { SUITE_RELEASES, SUITE_LISTS_DIR, supportedSuiteVersions, currentCaseList, releasedCaseList, releasedSuite, currentSuiteRelease, freezeCurrentSuite, type SuiteRelease } from './suites.js';
export { readBundle, verifyBundle, refusalReasons, CHECKS, BUNDLE_FILE_LIMITS, type Bundle, type VerifyCheck, type VerifyReport, type VerifyOptions, type SuitePolicy } from './verify.js';
export {
  readIndex,
  entryPath,
  expiryOf,
  certificationStatus,
  certifiedProfiles,
  installableVersion,
  newestVersion,
  revokedContent,
  isInstant,
  deviceTypeOwners,
  CERTIFICATE_MONTHS,
  type RegistryIndex,
  type IndexEntry,
  type IndexVersion,
  type Certification,
  type CertificationStatus,
  type RunSummary,
} from './index-file.js';
export { initIndex, addBundle, revokeVersion, summarize, withBundle, type AddBundleOptions } from './index-write.js';
export { compareRerun, ACCURACY_SLACK, type RerunComparison } from './rerun.js';
export { buildSite } from './site/build.js';
export { submitBundle, checkPullRequest, bundleFolder, type RepoRef, type SubmitOptions, type Submission, type BotEnvironment, type CheckPullRequestOptions, type BundleOutcome, type CheckOutcome } from './github.js';
export { localBotEnvironment, RERUN_DEVICE_TYPES, type LocalBotOptions } from './bot-environment.js';
export { publishedIntegrity, npmRegistryUrl, NPM_REGISTRY } from './published.js';
export { refuseChangedPackage } from './package-drift.js';
export { packageDirOf } from './package-dir.js';
export { standingOf, type Standing } from './standing.js';
export { skeleton, packageNameProblem, coversPackage, coversDeviceType, signerFor, type SignerScope, type TrustedSigner } from './trust.js';
