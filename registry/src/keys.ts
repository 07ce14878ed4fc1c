import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { RegistryError } from './error.js';
import { readJson } from './schema.js';

/** A signer as the index trusts it: a name and an Ed25519 public key. */
export interface Signer {
  /** Who signs: the lab or CI that ran the suite. */
  readonly name: string;
  /** `ed25519:` and the first 32 hex digits of the SHA-256 of the public key (SPKI DER). */
  readonly keyId: string;
  /** The public key, SPKI DER in base64. */
  readonly publicKey: string;
}

/** A signer's key pair: the public part and the private key in PEM (PKCS#8). Keep it secret. */
export interface SignerKey extends Signer {
  /** The private key, PEM. */
  readonly privateKey: string;
}

/** The key id of a base64 SPKI DER public key. */
export function keyIdOf(publicKey: string): string {
  return `ed25519:${createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 32)}`;
}

/** Makes a new Ed25519 signer key named `name`. */
export function generateSignerKey(name: string): SignerKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { name, keyId: keyIdOf(pub), publicKey: pub, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The public part of a key. */
export function publicSigner(key: Signer): Signer {
  return { name: key.name, keyId: key.keyId, publicKey: key.publicKey };
}

/** Reads a public signer file (`.pub.json`) written by `hearth registry keygen`; throws `E_REG_KEY` naming the file. */
export function readPublicSigner(file: string): Signer {
  const read = readJson(file);
  if (!read.ok) throw new RegistryError('E_REG_KEY', `${read.reason}; pass the .pub.json file \`hearth registry keygen\` wrote.`, { path: file });
  const s = read.data as Partial<Signer>;
  if (typeof s?.name !== 'string' || typeof s.keyId !== 'string' || typeof s.publicKey !== 'string') {
    throw new RegistryError('E_REG_KEY', `${file}: not a public signer file (it needs "name", "keyId" and "publicKey").`, { path: file });
  }
  return publicSigner(s as Signer);
}

/** Reads a key file written by `hearth registry keygen`; throws `E_REG_KEY` naming the file. */
export function readSignerKey(file: string): SignerKey & { key: KeyObject } {
  const read = readJson(file);
  if (!read.ok) throw new RegistryError('E_REG_KEY', `${read.reason}. Make a key with \`hearth registry keygen\`.`, { path: file });
  const k = read.data as Partial<SignerKey>;
  if (typeof k?.name !== 'string' || typeof k.privateKey !== 'string') throw new RegistryError('E_REG_KEY', `${file}: not a signer key file (it needs "name" and "privateKey"); make one with \`hearth registry keygen\`.`, { path: file });
  let key: KeyObject;
  try {
    key = createPrivateKey(k.privateKey);
  } catch (cause) {
    throw new RegistryError('E_REG_KEY', `${file}#/privateKey: not a private key in PEM (${(cause as Error).message}).`, { path: `${file}#/privateKey`, cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new RegistryError('E_REG_KEY', `${file}#/privateKey: a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519; make one with \`hearth registry keygen\`.`, { path: `${file}#/privateKey` });
  const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
  return { name: k.name, keyId: keyIdOf(publicKey), publicKey, privateKey: k.privateKey, key };
}
