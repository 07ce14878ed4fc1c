// Test support, excluded from the build: an npm-compatible registry on 127.0.0.1 serving package documents
// and tarballs, as the registry bot fetches them (`localBotEnvironment({ npmRegistry })`).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A registry serving what a test publishes. */
export interface FakeNpmRegistry {
  /** Its base URL. */
  url: string;
  /** Every request path seen. */
  requests: string[];
  /** Publishes a version of a package as these tarball bytes. */
  publish(name: string, version: string, tarball: Buffer): void;
  close(): Promise<void>;
}

export async function startNpmRegistry(): Promise<FakeNpmRegistry> {
  const packages = new Map<string, Map<string, Buffer>>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const send = (status: number, body: Buffer | string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const tarball = /^\/-\/tarballs\/(.+)\/(.+)\.tgz$/.exec(path);
    if (tarball) {
      const bytes = packages.get(decodeURIComponent(tarball[1]!))?.get(tarball[2]!);
      return bytes ? send(200, bytes, 'application/octet-stream') : send(404, '{"error":"not found"}');
    }
    // npm clients ask for a scoped package as /@scope%2fname.
    const name = decodeURIComponent(path.slice(1));
    const versions = packages.get(name);
    if (!versions) return send(404, '{"error":"Not found"}');
    const doc = { name, versions: Object.fromEntries([...versions.keys()].map((v) => [v, { name, version: v, dist: { tarball: `${url}/-/tarballs/${encodeURIComponent(name)}/${v}.tgz` } }])) };
    send(200, JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    publish: (name, version, bytes) => packages.set(name, (packages.get(name) ?? new Map()).set(version, bytes)),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e === undefined ? resolve() : reject(e)))),
  };
}
