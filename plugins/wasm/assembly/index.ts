// The exports of Hearth's WebAssembly kernels. Every kernel takes (tid, work, ...) first: each thread that
// calls it claims chunks of the work from the counter at address `work` until none are left; memory is the
// host's, imported (shared when threads are available).
export { binary_f32, unary_f32 } from './elementwise';
export { sum_rows_f32, sum_part_f32 } from './reduce';
export { softmax_rows_f32 } from './softmax';
export { pack_a, pack_b, gemm_f32, gemm_direct_f32 } from './gemm';
export { conv_f32, conv_direct_f32, conv_depthwise_f32, pad_f32, col2im_f32 } from './conv';
export { pool_f32, resize_f32 } from './sampling';
export { layer_norm_f32 } from './norm';
export { strided_copy_32 } from './movement';
