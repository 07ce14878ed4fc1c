import { HearthError } from '../../errors.js';
import { normalizeAxes, normalizeAxis, sizeOf, type Shape } from '../../shape.js';
import { attr } from '../attrs.js';
import { attrOf, promoted, type OpSchema } from '../schema.js';
import { bound, composite } from './define.js';

const exact = bound(0, 0, 'Exact: the same elements under another shape.');

/** A layout composite: one reshape of x to the shape `meta` gives, any dtype. */
function reshaping(name: string, doc: string, attrs: OpSchema['attrs'], shapeOf: (x: Shape, attrs: Readonly<Record<string, unknown>>) => number[]): OpSchema {
  return composite({
    name,
    family: 'layout',
    doc,
    inputs: [promoted('x')],
    attrs,
    compute: 'promote',
    computeDtypes: 'any',
    bound: exact,
    meta: (ins, a) => shapeOf(ins[0]!.shape, a),
    decompose: (b, [x], a) => b.op('reshape', [x!], { shape: shapeOf(x!.shape, a) }),
  });
}

/** squeeze, unsqueeze and flatten: reshapes whose target shape follows from an axis rule. */
export const LAYOUT_COMPOSITES: readonly OpSchema[] = [
  reshaping('squeeze', 'Removes the listed axes, each of size 1 (every size-1 axis when `axes` is null).', { axes: attr.ints({ nullable: true, default: null }) }, (x, a) => {
    const given = attrOf<number[] | null>(a, 'axes');
    const axes = given === null ? x.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(given, x.length, 'squeeze');
    const bad = axes.find((i) => x[i] !== 1);
    if (bad !== undefined) throw new HearthError('E_SHAPE', `squeeze: axis ${bad} has size ${x[bad]}, not 1; only size-1 axes can be removed.`, { shape: x, axes });
    return x.filter((_, i) => !axes.includes(i));
  }),
  reshaping('unsqueeze', 'Inserts size-1 axes at the listed positions of the output (negative positions count from the output\'s end).', { axes: attr.ints() }, (x, a) => {
    const given = attrOf<number[]>(a, 'axes');
    const rank = x.length + given.length;
    const axes = normalizeAxes(given, rank, 'unsqueeze');
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : x[k++]!);
    return out;
  }),
  reshaping('flatten', 'ONNX Flatten: the axes before `axis` become the first dimension and the rest the second (axis may be the rank, giving [size, 1]).', { axis: attr.int({ default: 1 }) }, (x, a) => {
    const raw = attrOf<number>(a, 'axis');
    const axis = raw === x.length ? raw : normalizeAxis(raw, x.length, 'flatten');
    return [sizeOf(x.slice(0, axis)), sizeOf(x.slice(axis))];
  }),
];
