// A minimal ONNX model writer for the benchmark: one operator node, float inputs and output, encoded as
// protobuf by hand (field numbers from onnx.proto), so onnxruntime can be timed without extra packages.

type Field = [number, 'varint' | 'bytes', number | Uint8Array | string];

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return out;
}

/** Encodes one protobuf message from its fields. */
function message(fields: readonly Field[]): Uint8Array {
  const bytes: number[] = [];
  for (const [num, kind, value] of fields) {
    if (kind === 'varint') {
      bytes.push(...varint((num << 3) | 0), ...varint(value as number));
    } else {
      const data = typeof value === 'string' ? new TextEncoder().encode(value) : (value as Uint8Array);
      bytes.push(...varint((num << 3) | 2), ...varint(data.length), ...data);
    }
  }
  return Uint8Array.from(bytes);
}

const FLOAT = 1;

function valueInfo(name: string, shape: readonly number[]): Uint8Array {
  const dims = shape.map((d): Field => [1, 'bytes', message([[1, 'varint', d]])]);
  const tensorType = message([
    [1, 'varint', FLOAT],
    [2, 'bytes', message(dims)],
  ]);
  return message([
    [1, 'bytes', name],
    [2, 'bytes', message([[1, 'bytes', tensorType]])],
  ]);
}

/** An attribute: an int or a list of ints. */
export type OnnxAttr = number | readonly number[];

function attribute(name: string, value: OnnxAttr): Uint8Array {
  if (typeof value === 'number') return message([[1, 'bytes', name], [3, 'varint', value], [20, 'varint', 2]]);
  return message([[1, 'bytes', name], ...value.map((v): Field => [8, 'varint', v]), [20, 'varint', 7]]);
}

/** A model of one node `opType` with float inputs x0, x1, ... of `inputs` shapes and output y of `output` shape. */
export function onnxModel(opType: string, inputs: readonly (readonly number[])[], output: readonly number[], attrs: Readonly<Record<string, OnnxAttr>> = {}): Uint8Array {
  const names = inputs.map((_, i) => `x${i}`);
  const node = message([
    ...names.map((n): Field => [1, 'bytes', n]),
    [2, 'bytes', 'y'],
    [4, 'bytes', opType],
    ...Object.entries(attrs).map(([k, v]): Field => [5, 'bytes', attribute(k, v)]),
  ]);
  const graph = message([
    [1, 'bytes', node],
    [2, 'bytes', 'bench'],
    ...inputs.map((s, i): Field => [11, 'bytes', valueInfo(names[i]!, s)]),
    [12, 'bytes', valueInfo('y', output)],
  ]);
  return message([
    [1, 'varint', 8],
    [7, 'bytes', graph],
    [8, 'bytes', message([[1, 'bytes', ''], [2, 'varint', 13]])],
  ]);
}
