import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { deserialize, serialize } from 'node:v8';

/**
 * Messages over a plain stream (a pipe on file descriptor 3), framed as a 4-byte length and a V8
 * structured-clone payload, so typed arrays, NaN and −0 cross unchanged. Unlike Node's IPC channel it
 * leaves no `process.send` and no `NODE_CHANNEL_FD` behind: the plugin sees the process a program has.
 */
export class Channel<In, Out> extends EventEmitter<{ message: [In]; close: [] }> {
  #pending: Buffer = Buffer.alloc(0);

  constructor(private readonly stream: Duplex) {
    super();
    stream.on('data', (chunk: Buffer) => this.#read(chunk));
    stream.on('close', () => this.emit('close'));
    stream.on('error', () => undefined);
  }

  #read(chunk: Buffer): void {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    while (this.#pending.length >= 4) {
      const size = this.#pending.readUInt32LE(0);
      if (this.#pending.length < 4 + size) return;
      const body = this.#pending.subarray(4, 4 + size);
      this.#pending = this.#pending.subarray(4 + size);
      this.emit('message', deserialize(body) as In);
    }
  }

  /** Sends one message; resolves once it is handed to the operating system. */
  send(message: Out): Promise<void> {
    const body = serialize(message);
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length, 0);
    return new Promise((resolve) => this.stream.write(Buffer.concat([head, body]), () => resolve()));
  }

  /** Closes the stream. */
  end(): void {
    this.stream.end();
  }
}
