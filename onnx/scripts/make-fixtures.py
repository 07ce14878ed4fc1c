"""Builds the ONNX models Hearth's tests run, with ONNX's own helpers (onnx.helper), into onnx/fixtures/.

Run with Debian's python3-onnx: `apt-get install -y python3-onnx && /usr/bin/python3 onnx/scripts/make-fixtures.py`.
Weights come from a fixed seed, so the files are reproducible. The tests compare Hearth's outputs on these
models with onnxruntime-node's.
"""
import os
import numpy as np

# python3-onnx in Debian 12 still uses NumPy aliases that NumPy 1.24 removed.
for alias, real in (("float", float), ("int", int), ("bool", bool), ("object", object), ("str", str)):
    if alias not in np.__dict__:
        setattr(np, alias, real)

import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
rng = np.random.default_rng(23)


def init(name, shape, scale=0.3):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def const(name, values, dtype=np.int64):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def save(graph, name, opset):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="hearth-fixtures")
    model.ir_version = 8
    if opset <= onnx.defs.onnx_opset_version():  # newer opsets than this onnx knows are checked by onnxruntime
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))


def conv_bn(nodes, inits, prefix, x, cin, cout, relu=True):
    inits += [init(f"{prefix}.w", [cout, cin, 3, 3]), init(f"{prefix}.b", [cout], 0.1)]
    inits += [numpy_helper.from_array((1 + 0.1 * rng.standard_normal(cout)).astype(np.float32), f"{prefix}.scale"),
              init(f"{prefix}.beta", [cout], 0.1), init(f"{prefix}.mean", [cout], 0.1),
              numpy_helper.from_array((0.5 + rng.random(cout)).astype(np.float32), f"{prefix}.var")]
    nodes.append(helper.make_node("Conv", [x, f"{prefix}.w", f"{prefix}.b"], [f"{prefix}.c"], name=f"{prefix}.conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("BatchNormalization", [f"{prefix}.c", f"{prefix}.scale", f"{prefix}.beta", f"{prefix}.mean", f"{prefix}.var"], [f"{prefix}.bn"], name=f"{prefix}.bn", epsilon=1e-5))
    if not relu:
        return f"{prefix}.bn"
    nodes.append(helper.make_node("Relu", [f"{prefix}.bn"], [f"{prefix}.r"], name=f"{prefix}.relu"))
    return f"{prefix}.r"


def resnet():
    """A ResNet-style CNN: conv-bn-relu stem, max pool, one residual block, global average pool, gemm, softmax."""
    nodes, inits = [], []
    x = conv_bn(nodes, inits, "stem", "image", 3, 8)
    nodes.append(helper.make_node("MaxPool", [x], ["pool"], name="pool", kernel_shape=[2, 2], strides=[2, 2]))
    y = conv_bn(nodes, inits, "block.1", "pool", 8, 8)
    y = conv_bn(nodes, inits, "block.2", y, 8, 8, relu=False)
    nodes.append(helper.make_node("Add", [y, "pool"], ["sum"], name="residual"))
    nodes.append(helper.make_node("Relu", ["sum"], ["act"], name="act"))
    nodes.append(helper.make_node("GlobalAveragePool", ["act"], ["gap"], name="gap"))
    # The flattening shape as exporters write it, from Constant nodes (constant folding makes it one constant),
    # and a branch no output reads (dead-node removal drops it).
    nodes.append(helper.make_node("Constant", [], ["minus1"], name="minus1", value=helper.make_tensor("minus1", TensorProto.INT64, [1], [-1])))
    nodes.append(helper.make_node("Constant", [], ["eight"], name="eight", value_ints=[8]))
    nodes.append(helper.make_node("Concat", ["minus1", "eight"], ["flat_shape"], name="flat_shape", axis=0))
    nodes.append(helper.make_node("Reshape", ["gap", "flat_shape"], ["flat"], name="flatten"))
    nodes.append(helper.make_node("ReduceMax", ["act"], ["unused"], name="unused", keepdims=0))
    inits += [init("fc.w", [10, 8]), init("fc.b", [10], 0.1)]
    nodes.append(helper.make_node("Gemm", ["flat", "fc.w", "fc.b"], ["logits"], name="fc", transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1))
    graph = helper.make_graph(nodes, "resnet", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 16, 16])],
                              [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 10])], inits)
    save(graph, "resnet.onnx", 13)


def transformer():
    """A transformer encoder block as PyTorch exports it: LayerNormalization, multi-head attention whose
    reshapes come from Shape/Gather/Concat subgraphs, erf-GELU feed-forward, residuals. Batch and sequence
    length are symbolic."""
    d, heads, ff = 16, 2, 32
    dh = d // heads
    nodes, inits = [], []
    inits += [numpy_helper.from_array((1 + 0.1 * rng.standard_normal(d)).astype(np.float32), "ln1.g"), init("ln1.b", [d], 0.1),
              numpy_helper.from_array((1 + 0.1 * rng.standard_normal(d)).astype(np.float32), "ln2.g"), init("ln2.b", [d], 0.1)]
    nodes.append(helper.make_node("LayerNormalization", ["x", "ln1.g", "ln1.b"], ["h"], name="ln1", axis=-1, epsilon=1e-5))
    # Shapes: [B, S, heads, dh] from the input's own shape, as exporters write it.
    nodes.append(helper.make_node("Shape", ["x"], ["x.shape"], name="shape"))
    inits += [const("i0", [0]), const("i1", [1]), const("heads_dh", [heads, dh]), const("d_only", [d])]
    nodes.append(helper.make_node("Gather", ["x.shape", "i0"], ["B"], name="B", axis=0))
    nodes.append(helper.make_node("Gather", ["x.shape", "i1"], ["S"], name="S", axis=0))
    nodes.append(helper.make_node("Concat", ["B", "S", "heads_dh"], ["split_shape"], name="split_shape", axis=0))
    nodes.append(helper.make_node("Concat", ["B", "S", "d_only"], ["merge_shape"], name="merge_shape", axis=0))
    for p in "qkv":
        inits += [init(f"{p}.w", [d, d]), init(f"{p}.b", [d], 0.1)]
        nodes.append(helper.make_node("MatMul", ["h", f"{p}.w"], [f"{p}.mm"], name=f"{p}.matmul"))
        nodes.append(helper.make_node("Add", [f"{p}.mm", f"{p}.b"], [f"{p}.lin"], name=f"{p}.bias"))
        nodes.append(helper.make_node("Reshape", [f"{p}.lin", "split_shape"], [f"{p}.split"], name=f"{p}.reshape"))
        perm = [0, 2, 3, 1] if p == "k" else [0, 2, 1, 3]
        nodes.append(helper.make_node("Transpose", [f"{p}.split"], [f"{p}.heads"], name=f"{p}.transpose", perm=perm))
    inits += [numpy_helper.from_array(np.array(np.sqrt(dh), dtype=np.float32), "scale")]
    nodes.append(helper.make_node("MatMul", ["q.heads", "k.heads"], ["scores"], name="scores"))
    nodes.append(helper.make_node("Div", ["scores", "scale"], ["scaled"], name="scaled"))
    nodes.append(helper.make_node("Softmax", ["scaled"], ["attn"], name="attn", axis=-1))
    nodes.append(helper.make_node("MatMul", ["attn", "v.heads"], ["ctx"], name="context"))
    nodes.append(helper.make_node("Transpose", ["ctx"], ["ctx.t"], name="ctx.transpose", perm=[0, 2, 1, 3]))
    nodes.append(helper.make_node("Reshape", ["ctx.t", "merge_shape"], ["ctx.m"], name="ctx.reshape"))
    inits += [init("o.w", [d, d]), init("o.b", [d], 0.1)]
    nodes.append(helper.make_node("MatMul", ["ctx.m", "o.w"], ["o.mm"], name="o.matmul"))
    nodes.append(helper.make_node("Add", ["o.mm", "o.b"], ["o.lin"], name="o.bias"))
    nodes.append(helper.make_node("Add", ["x", "o.lin"], ["res1"], name="residual1"))
    nodes.append(helper.make_node("LayerNormalization", ["res1", "ln2.g", "ln2.b"], ["h2"], name="ln2", axis=-1, epsilon=1e-5))
    inits += [init("ff1.w", [d, ff]), init("ff1.b", [ff], 0.1), init("ff2.w", [ff, d]), init("ff2.b", [d], 0.1)]
    nodes.append(helper.make_node("MatMul", ["h2", "ff1.w"], ["ff1.mm"], name="ff1.matmul"))
    nodes.append(helper.make_node("Add", ["ff1.mm", "ff1.b"], ["ff1.lin"], name="ff1.bias"))
    # GELU as torch.onnx exports nn.GELU(): x * 0.5 * (1 + erf(x / sqrt(2))).
    inits += [numpy_helper.from_array(np.array(np.sqrt(2), dtype=np.float32), "sqrt2"),
              numpy_helper.from_array(np.array(1, dtype=np.float32), "one"), numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half")]
    nodes.append(helper.make_node("Div", ["ff1.lin", "sqrt2"], ["g.div"], name="gelu.div"))
    nodes.append(helper.make_node("Erf", ["g.div"], ["g.erf"], name="gelu.erf"))
    nodes.append(helper.make_node("Add", ["g.erf", "one"], ["g.add"], name="gelu.add"))
    nodes.append(helper.make_node("Mul", ["ff1.lin", "g.add"], ["g.mul"], name="gelu.mul"))
    nodes.append(helper.make_node("Mul", ["g.mul", "half"], ["gelu"], name="gelu.half"))
    nodes.append(helper.make_node("MatMul", ["gelu", "ff2.w"], ["ff2.mm"], name="ff2.matmul"))
    nodes.append(helper.make_node("Add", ["ff2.mm", "ff2.b"], ["ff2.lin"], name="ff2.bias"))
    nodes.append(helper.make_node("Add", ["res1", "ff2.lin"], ["y"], name="residual2"))
    graph = helper.make_graph(nodes, "encoder", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", d])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq", d])], inits)
    save(graph, "transformer.onnx", 17)


def conventions(opset):
    """Ops whose inputs and attributes changed across opsets (Softmax's axis, Reduce* axes, Slice, Pad, Clip,
    Squeeze/Unsqueeze, Split), written the way `opset` spells them."""
    nodes, inits = [], []
    x = "x"
    nodes.append(helper.make_node("Softmax", [x], ["sm"], name="softmax", axis=1))
    if opset < 13:
        nodes.append(helper.make_node("ReduceMean", ["sm"], ["rm"], name="reduce_mean", axes=[2], keepdims=1))
        nodes.append(helper.make_node("ReduceSum", ["x"], ["rs"], name="reduce_sum", axes=[1], keepdims=0))
        nodes.append(helper.make_node("Unsqueeze", ["rs"], ["rsu"], name="unsqueeze", axes=[1]))
        nodes.append(helper.make_node("Split", ["x"], ["s0", "s1"], name="split", axis=2, split=[1, 3]))
    else:
        inits += [const("ax2", [2]), const("ax1", [1]), const("split", [1, 3])]
        rm_axes = ["ax2"]
        nodes.append(helper.make_node("ReduceMean", ["sm"] + (rm_axes if opset >= 18 else []), ["rm"], name="reduce_mean", keepdims=1, **({} if opset >= 18 else {"axes": [2]})))
        nodes.append(helper.make_node("ReduceSum", ["x", "ax1"], ["rs"], name="reduce_sum", keepdims=0))
        nodes.append(helper.make_node("Unsqueeze", ["rs", "ax1"], ["rsu"], name="unsqueeze"))
        nodes.append(helper.make_node("Split", ["x", "split"], ["s0", "s1"], name="split", axis=2))
    nodes.append(helper.make_node("Add", ["rsu", "rm"], ["mix"], name="mix"))
    if opset < 10:
        nodes.append(helper.make_node("Slice", ["x"], ["sl"], name="slice", starts=[0, 1], ends=[2, 1000], axes=[0, 2]))
    else:
        inits += [const("st", [0, -3]), const("en", [2, 9223372036854775807]), const("axs", [0, 2]), const("stp", [1, 2])]
        nodes.append(helper.make_node("Slice", ["x", "st", "en", "axs", "stp"], ["sl"], name="slice"))
    if opset < 11:
        nodes.append(helper.make_node("Pad", ["sl"], ["pd"], name="pad", pads=[0, 1, 0, 0, 0, 1], value=0.5))
        nodes.append(helper.make_node("Clip", ["pd"], ["cl"], name="clip", min=-0.2, max=0.6))
    else:
        inits += [const("pads", [0, 1, 0, 0, 0, 1]), numpy_helper.from_array(np.array(0.5, dtype=np.float32), "pv"),
                  numpy_helper.from_array(np.array(-0.2, dtype=np.float32), "lo"), numpy_helper.from_array(np.array(0.6, dtype=np.float32), "hi")]
        nodes.append(helper.make_node("Pad", ["sl", "pads", "pv"], ["pd"], name="pad"))
        nodes.append(helper.make_node("Clip", ["pd", "lo", "hi"], ["cl"], name="clip"))
    nodes.append(helper.make_node("LeakyRelu", ["s1"], ["lr"], name="leaky", alpha=0.1))
    nodes.append(helper.make_node("HardSigmoid", ["s0"], ["hs"], name="hard_sigmoid"))
    nodes.append(helper.make_node("LogSoftmax", ["x"], ["lsm"], name="log_softmax"))
    outs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [f"{n}0", f"{n}1", f"{n}2"]) for n in ["mix", "cl", "lr", "hs", "lsm"]]
    graph = helper.make_graph(nodes, f"conventions{opset}", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])], outs, inits)
    save(graph, f"conventions-opset{opset}.onnx", opset)


def unsupported():
    """Two nodes Hearth cannot run (an unmapped attribute value, an unmapped op) after one it can."""
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("MaxPool", ["r"], ["p"], name="maxpool", kernel_shape=[2, 2], dilations=[2, 2]),
             helper.make_node("Det", ["p"], ["y"], name="det")]
    graph = helper.make_graph(nodes, "unsupported", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])])
    save(graph, "unsupported.onnx", 13)


def int64_range():
    """Gather with an int64 index outside int32's range: Hearth refuses it rather than wrapping it."""
    nodes = [helper.make_node("Gather", ["x", "idx"], ["y"], name="gather", axis=0)]
    graph = helper.make_graph(nodes, "int64_range", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])], [const("idx", [3_000_000_000])])
    save(graph, "int64-range.onnx", 13)


def bn(nodes, inits, prefix, x, c):
    inits += [numpy_helper.from_array((1 + 0.1 * rng.standard_normal(c)).astype(np.float32), f"{prefix}.scale"),
              init(f"{prefix}.beta", [c], 0.1), init(f"{prefix}.mean", [c], 0.1),
              numpy_helper.from_array((0.5 + rng.random(c)).astype(np.float32), f"{prefix}.var")]
    nodes.append(helper.make_node("BatchNormalization", [x, f"{prefix}.scale", f"{prefix}.beta", f"{prefix}.mean", f"{prefix}.var"], [f"{prefix}.bn"], name=f"{prefix}.bn", epsilon=1e-3))
    return f"{prefix}.bn"


def conv(nodes, inits, prefix, x, cin, cout, k=1, stride=1, group=1, bias=False, **attrs):
    inits.append(init(f"{prefix}.w", [cout, cin // group, k, k], (2 / (cin // group * k * k)) ** 0.5))
    ins = [x, f"{prefix}.w"]
    if bias:
        inits.append(init(f"{prefix}.b", [cout], 0.1))
        ins.append(f"{prefix}.b")
    nodes.append(helper.make_node("Conv", ins, [f"{prefix}.c"], name=f"{prefix}.conv", kernel_shape=[k, k], strides=[stride, stride], group=group, **attrs))
    return f"{prefix}.c"


def mobilenet():
    """A MobileNetV3-style CNN as exporters write it, with a SqueezeNet fire module: Conv-BatchNormalization-HardSwish
    stem, an inverted residual block (1x1 expansion, ReLU6 as Clip with min/max inputs, depthwise 3x3, squeeze-and-
    excitation with GlobalAveragePool, Relu and HardSigmoid, 1x1 projection, residual Add), a strided depthwise 5x5
    with HardSwish, a fire module (squeeze 1x1, expand 1x1 and 3x3, Concat), AveragePool, GlobalAveragePool,
    Flatten and Gemm. The batch is symbolic."""
    nodes, inits = [], []
    inits += [numpy_helper.from_array(np.array(0, dtype=np.float32), "zero"), numpy_helper.from_array(np.array(6, dtype=np.float32), "six")]

    def relu6(x, name):
        nodes.append(helper.make_node("Clip", [x, "zero", "six"], [f"{name}.relu6"], name=f"{name}.relu6"))
        return f"{name}.relu6"

    def hswish(x, name):
        nodes.append(helper.make_node("HardSwish", [x], [f"{name}.hs"], name=f"{name}.hswish"))
        return f"{name}.hs"

    x = hswish(bn(nodes, inits, "stem", conv(nodes, inits, "stem", "image", 3, 16, k=3, stride=2, pads=[1, 1, 1, 1]), 16), "stem")
    y = relu6(bn(nodes, inits, "b1.expand", conv(nodes, inits, "b1.expand", x, 16, 32), 32), "b1.expand")
    y = relu6(bn(nodes, inits, "b1.dw", conv(nodes, inits, "b1.dw", y, 32, 32, k=3, group=32, pads=[1, 1, 1, 1]), 32), "b1.dw")
    nodes.append(helper.make_node("GlobalAveragePool", [y], ["b1.se.pool"], name="b1.se.pool"))
    s = conv(nodes, inits, "b1.se.reduce", "b1.se.pool", 32, 8, bias=True)
    nodes.append(helper.make_node("Relu", [s], ["b1.se.relu"], name="b1.se.relu"))
    s = conv(nodes, inits, "b1.se.expand", "b1.se.relu", 8, 32, bias=True)
    nodes.append(helper.make_node("HardSigmoid", [s], ["b1.se.gate"], name="b1.se.gate", alpha=1 / 6, beta=0.5))
    nodes.append(helper.make_node("Mul", [y, "b1.se.gate"], ["b1.se"], name="b1.se.scale"))
    y = bn(nodes, inits, "b1.project", conv(nodes, inits, "b1.project", "b1.se", 32, 16), 16)
    nodes.append(helper.make_node("Add", [x, y], ["b1.out"], name="b1.residual"))
    # A strided depthwise 5x5 whose padding is asymmetric (TensorFlow's SAME on an even size).
    y = hswish(bn(nodes, inits, "b2.dw", conv(nodes, inits, "b2.dw", "b1.out", 16, 16, k=5, stride=2, group=16, pads=[1, 1, 2, 2]), 16), "b2.dw")
    nodes.append(helper.make_node("Relu", [conv(nodes, inits, "fire.squeeze", y, 16, 8, bias=True)], ["fire.s"], name="fire.squeeze.relu"))
    nodes.append(helper.make_node("Relu", [conv(nodes, inits, "fire.e1", "fire.s", 8, 16, bias=True)], ["fire.e1.r"], name="fire.e1.relu"))
    nodes.append(helper.make_node("Relu", [conv(nodes, inits, "fire.e3", "fire.s", 8, 16, k=3, bias=True, pads=[1, 1, 1, 1])], ["fire.e3.r"], name="fire.e3.relu"))
    nodes.append(helper.make_node("Concat", ["fire.e1.r", "fire.e3.r"], ["fire"], name="fire.concat", axis=1))
    nodes.append(helper.make_node("AveragePool", ["fire"], ["avg"], name="avgpool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0))
    nodes.append(helper.make_node("GlobalAveragePool", ["avg"], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1))
    inits += [init("fc.w", [10, 32]), init("fc.b", [10], 0.1)]
    nodes.append(helper.make_node("Gemm", ["flat", "fc.w", "fc.b"], ["logits"], name="fc", transB=1))
    graph = helper.make_graph(nodes, "mobilenet", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 32, 32])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], inits)
    save(graph, "mobilenet.onnx", 17)


def masked_attention():
    """Self-attention with the shape logic exporters of transformers write: a padding mask [batch, seq] of ones and
    zeros; position ids from CumSum of the mask, gathered from an embedding table; a causal mask from Range and
    comparison; both masks combined, Expanded to the scores' shape and applied with Where; a masked mean pool
    (ReduceSum with axes as input). Batch and sequence are symbolic."""
    d, max_len = 8, 16
    nodes, inits = [], []
    inits += [init("pos.table", [max_len, d]), const("zero_i", 0), const("one_i", 1), const("ax0", [0]), const("ax1", [1]), const("ax2", [2]),
              const("i0", [0]), const("i1", [1]),
              numpy_helper.from_array(np.array(1, dtype=np.float32), "one"), numpy_helper.from_array(np.array(0, dtype=np.float32), "zero"),
              numpy_helper.from_array(np.array(np.finfo(np.float32).min, dtype=np.float32), "neg"),
              numpy_helper.from_array(np.array(np.sqrt(d), dtype=np.float32), "scale")]
    # Position ids as Hugging Face writes them for right or left padding: cumsum(mask) - 1, 0 where padded.
    nodes.append(helper.make_node("CumSum", ["mask", "one_i"], ["mask.cum"], name="pos.cumsum"))
    nodes.append(helper.make_node("Sub", ["mask.cum", "one"], ["pos.sub"], name="pos.sub"))
    nodes.append(helper.make_node("Mul", ["pos.sub", "mask"], ["pos.f"], name="pos.mul"))
    nodes.append(helper.make_node("Cast", ["pos.f"], ["pos.ids"], name="pos.cast", to=TensorProto.INT64))
    nodes.append(helper.make_node("Gather", ["pos.table", "pos.ids"], ["pos.emb"], name="pos.gather", axis=0))
    nodes.append(helper.make_node("Add", ["x", "pos.emb"], ["h"], name="pos.add"))
    # The causal mask [S, S] from the input's own length.
    nodes.append(helper.make_node("Shape", ["x"], ["x.shape"], name="shape"))
    nodes.append(helper.make_node("Gather", ["x.shape", "i1"], ["S"], name="S", axis=0))
    nodes.append(helper.make_node("Gather", ["x.shape", "i0"], ["B"], name="B", axis=0))
    nodes.append(helper.make_node("Gather", ["x.shape", "one_i"], ["S.len"], name="S.len", axis=0))
    nodes.append(helper.make_node("Range", ["zero_i", "S.len", "one_i"], ["ar"], name="range"))
    nodes.append(helper.make_node("Unsqueeze", ["ar", "ax0"], ["ar.row"], name="ar.row"))
    nodes.append(helper.make_node("Unsqueeze", ["ar", "ax1"], ["ar.col"], name="ar.col"))
    nodes.append(helper.make_node("Greater", ["ar.row", "ar.col"], ["future"], name="future"))
    # Padded keys: mask == 0, as [B, 1, S] (one head), then with the causal mask, Expanded to [B, S, S].
    nodes.append(helper.make_node("Equal", ["mask", "zero"], ["pad"], name="pad"))
    nodes.append(helper.make_node("Unsqueeze", ["pad", "ax1"], ["pad.k"], name="pad.keys"))
    nodes.append(helper.make_node("Or", ["pad.k", "future"], ["blocked.b"], name="blocked"))
    nodes.append(helper.make_node("Concat", ["B", "S", "S"], ["scores.shape"], name="scores.shape", axis=0))
    nodes.append(helper.make_node("Expand", ["blocked.b", "scores.shape"], ["blocked"], name="blocked.expand"))
    for p in "qkv":
        inits.append(init(f"{p}.w", [d, d]))
        nodes.append(helper.make_node("MatMul", ["h", f"{p}.w"], [p], name=f"{p}.matmul"))
    nodes.append(helper.make_node("Transpose", ["k"], ["k.t"], name="k.transpose", perm=[0, 2, 1]))
    nodes.append(helper.make_node("MatMul", ["q", "k.t"], ["scores"], name="scores"))
    nodes.append(helper.make_node("Div", ["scores", "scale"], ["scaled"], name="scaled"))
    nodes.append(helper.make_node("Where", ["blocked", "neg", "scaled"], ["masked"], name="mask.apply"))
    nodes.append(helper.make_node("Softmax", ["masked"], ["attn"], name="attn", axis=-1))
    nodes.append(helper.make_node("MatMul", ["attn", "v"], ["y"], name="context"))
    # Mean over the unpadded positions.
    nodes.append(helper.make_node("Unsqueeze", ["mask", "ax2"], ["mask.col"], name="mask.col"))
    nodes.append(helper.make_node("Mul", ["y", "mask.col"], ["y.masked"], name="pool.mask"))
    nodes.append(helper.make_node("ReduceSum", ["y.masked", "ax1"], ["pool.sum"], name="pool.sum", keepdims=0))
    nodes.append(helper.make_node("ReduceSum", ["mask", "ax1"], ["pool.count"], name="pool.count", keepdims=1))
    nodes.append(helper.make_node("Div", ["pool.sum", "pool.count"], ["pooled"], name="pool.mean"))
    graph = helper.make_graph(nodes, "masked_attention",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", d]), helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "seq"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq", d]), helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", d])], inits)
    save(graph, "masked-attention.onnx", 17)


def speech_rnn():
    """A voice-activity model in the shape of Silero VAD and openWakeWord's front-end: reflect Pad, an STFT as a
    strided Conv with a fixed cosine/sine basis, magnitude (Slice, Pow, Add, Sqrt), log, per-utterance mean
    removal, a 1-D Conv encoder, an LSTM carrying its state in and out as the model's inputs and outputs, a
    bidirectional GRU (PyTorch's linear_before_reset), a per-frame Sigmoid head and the mean over time. Batch
    and the number of samples are symbolic."""
    win, hop, bins, hidden = 64, 32, 33, 16
    nodes, inits = [], []
    n = np.arange(win)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / win)
    basis = np.concatenate([np.cos(2 * np.pi * np.outer(np.arange(bins), n) / win), -np.sin(2 * np.pi * np.outer(np.arange(bins), n) / win)]) * window
    inits += [numpy_helper.from_array(basis[:, None, :].astype(np.float32), "stft.basis"), const("pads", [0, 0, win // 2, 0, 0, win // 2]),
              const("re.start", [0]), const("re.end", [bins]), const("im.end", [2 * bins]), const("axis1", [1]), const("squeeze.axes", [1]),
              const("merge", [0, 0, -1]), numpy_helper.from_array(np.array(2, dtype=np.float32), "two"),
              numpy_helper.from_array(np.array(1e-6, dtype=np.float32), "eps")]
    nodes.append(helper.make_node("Pad", ["audio", "pads"], ["padded"], name="pad", mode="reflect"))
    nodes.append(helper.make_node("Conv", ["padded", "stft.basis"], ["spec"], name="stft", kernel_shape=[win], strides=[hop]))
    nodes.append(helper.make_node("Slice", ["spec", "re.start", "re.end", "axis1"], ["re"], name="re"))
    nodes.append(helper.make_node("Slice", ["spec", "re.end", "im.end", "axis1"], ["im"], name="im"))
    nodes.append(helper.make_node("Pow", ["re", "two"], ["re2"], name="re2"))
    nodes.append(helper.make_node("Pow", ["im", "two"], ["im2"], name="im2"))
    nodes.append(helper.make_node("Add", ["re2", "im2"], ["power"], name="power"))
    nodes.append(helper.make_node("Sqrt", ["power"], ["mag"], name="magnitude"))
    nodes.append(helper.make_node("Add", ["mag", "eps"], ["mag.eps"], name="mag.eps"))
    nodes.append(helper.make_node("Log", ["mag.eps"], ["logmag"], name="log"))
    nodes.append(helper.make_node("ReduceMean", ["logmag"], ["logmag.mean"], name="mean", axes=[2], keepdims=1))
    nodes.append(helper.make_node("Sub", ["logmag", "logmag.mean"], ["feat"], name="normalise"))
    inits += [init("encoder.w", [hidden, bins, 3], (2 / (3 * bins)) ** 0.5), init("encoder.b", [hidden], 0.1)]
    nodes.append(helper.make_node("Conv", ["feat", "encoder.w", "encoder.b"], ["encoder.c"], name="encoder.conv", kernel_shape=[3], pads=[1, 1]))
    nodes.append(helper.make_node("Relu", ["encoder.c"], ["enc"], name="encoder.relu"))
    nodes.append(helper.make_node("Transpose", ["enc"], ["frames"], name="frames", perm=[2, 0, 1]))
    inits += [init("lstm.w", [1, 4 * hidden, hidden]), init("lstm.r", [1, 4 * hidden, hidden]), init("lstm.b", [1, 8 * hidden], 0.1)]
    nodes.append(helper.make_node("LSTM", ["frames", "lstm.w", "lstm.r", "lstm.b", "", "h", "c"], ["lstm.y", "hn", "cn"], name="lstm", hidden_size=hidden))
    nodes.append(helper.make_node("Squeeze", ["lstm.y", "squeeze.axes"], ["lstm.out"], name="lstm.squeeze"))
    g = hidden // 2
    inits += [init("gru.w", [2, 3 * g, hidden]), init("gru.r", [2, 3 * g, g]), init("gru.b", [2, 6 * g], 0.1)]
    nodes.append(helper.make_node("GRU", ["lstm.out", "gru.w", "gru.r", "gru.b"], ["gru.y"], name="gru", hidden_size=g, direction="bidirectional", linear_before_reset=1))
    nodes.append(helper.make_node("Transpose", ["gru.y"], ["gru.t"], name="gru.transpose", perm=[2, 0, 1, 3]))
    nodes.append(helper.make_node("Reshape", ["gru.t", "merge"], ["gru.out"], name="gru.merge"))
    inits += [init("head.w", [hidden, 1]), init("head.b", [1], 0.1)]
    nodes.append(helper.make_node("MatMul", ["gru.out", "head.w"], ["head.mm"], name="head.matmul"))
    nodes.append(helper.make_node("Add", ["head.mm", "head.b"], ["head.logit"], name="head.bias"))
    nodes.append(helper.make_node("Sigmoid", ["head.logit"], ["frame.prob"], name="head.sigmoid"))
    nodes.append(helper.make_node("ReduceMean", ["frame.prob"], ["prob"], name="prob", axes=[1], keepdims=0))
    state = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, "batch", hidden])
    graph = helper.make_graph(nodes, "speech_rnn", [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["batch", 1, "samples"]), state("h"), state("c")],
                              [helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["batch", 1]), state("hn"), state("cn")], inits)
    save(graph, "speech-rnn.onnx", 14)


def log_mel():
    """A log-mel spectrogram front-end as torchaudio's MelSpectrogram exports at opset 17: STFT with a HannWindow,
    power (Pow, ReduceSum over real and imaginary), a MelWeightMatrix product, log. Batch and length are symbolic."""
    frame, step, mels = 64, 32, 16
    scalar = lambda name, v, dtype=np.int64: numpy_helper.from_array(np.array(v, dtype=dtype), name)
    inits = [scalar("frame", frame), scalar("step", step), scalar("mels", mels), scalar("rate", 16000), scalar("lo", 0, np.float32), scalar("hi", 8000, np.float32),
             const("ax_last", [-1]), const("ax2", [2]), numpy_helper.from_array(np.array(2, dtype=np.float32), "two"),
             numpy_helper.from_array(np.array(1e-6, dtype=np.float32), "eps")]
    nodes = [helper.make_node("Unsqueeze", ["audio", "ax2"], ["signal"], name="signal"),
             helper.make_node("HannWindow", ["frame"], ["window"], name="window"),
             helper.make_node("STFT", ["signal", "step", "window"], ["spec"], name="stft"),
             helper.make_node("Pow", ["spec", "two"], ["spec2"], name="square"),
             helper.make_node("ReduceSum", ["spec2", "ax_last"], ["power"], name="power", keepdims=0),
             helper.make_node("MelWeightMatrix", ["mels", "frame", "rate", "lo", "hi"], ["filters"], name="filters"),
             helper.make_node("MatMul", ["power", "filters"], ["mel"], name="mel"),
             helper.make_node("Add", ["mel", "eps"], ["mel.eps"], name="mel.eps"),
             helper.make_node("Log", ["mel.eps"], ["logmel"], name="log"),
             helper.make_node("Transpose", ["logmel"], ["features"], name="features", perm=[0, 2, 1])]
    graph = helper.make_graph(nodes, "log_mel", [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["batch", "samples"])],
                              [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", mels, "frames"])], inits)
    save(graph, "log-mel.onnx", 17)


def bert_tiny():
    """The front of a BERT as Hugging Face exports it: int64 input_ids and attention_mask graph inputs; word
    embeddings gathered by id, position ids from Shape and Range, LayerNormalization; one attention layer whose
    additive mask is (1 - mask) * float32 min, Unsqueezed and Cast from the int64 mask; the pooler (the first
    token, Gemm, Tanh). Batch and sequence are symbolic."""
    vocab, d, max_len = 50, 8, 32
    nodes, inits = [], []
    inits += [init("word", [vocab, d]), init("pos", [max_len, d]), numpy_helper.from_array((1 + 0.1 * rng.standard_normal(d)).astype(np.float32), "ln.g"),
              init("ln.b", [d], 0.1), const("zero_s", 0), const("one_s", 1), const("i1", [1]), const("ax12", [1, 2]), const("first", 0),
              numpy_helper.from_array(np.array(1, dtype=np.float32), "one"), numpy_helper.from_array(np.array(np.finfo(np.float32).min, dtype=np.float32), "fmin"),
              numpy_helper.from_array(np.array(np.sqrt(d), dtype=np.float32), "scale")]
    nodes.append(helper.make_node("Gather", ["word", "input_ids"], ["tok"], name="embed.word", axis=0))
    nodes.append(helper.make_node("Shape", ["input_ids"], ["ids.shape"], name="ids.shape"))
    nodes.append(helper.make_node("Gather", ["ids.shape", "one_s"], ["S"], name="S", axis=0))
    nodes.append(helper.make_node("Range", ["zero_s", "S", "one_s"], ["pos.ids"], name="pos.range"))
    nodes.append(helper.make_node("Gather", ["pos", "pos.ids"], ["pos.emb"], name="embed.pos", axis=0))
    nodes.append(helper.make_node("Add", ["tok", "pos.emb"], ["emb"], name="embed.add"))
    nodes.append(helper.make_node("LayerNormalization", ["emb", "ln.g", "ln.b"], ["h"], name="embed.ln", axis=-1, epsilon=1e-12))
    # The extended attention mask: [B, 1, S] of 0 (attend) or float32 min (padding), added to the scores.
    nodes.append(helper.make_node("Unsqueeze", ["attention_mask", "i1"], ["m.u"], name="mask.unsqueeze"))
    nodes.append(helper.make_node("Cast", ["m.u"], ["m.f"], name="mask.cast", to=TensorProto.FLOAT))
    nodes.append(helper.make_node("Sub", ["one", "m.f"], ["m.inv"], name="mask.invert"))
    nodes.append(helper.make_node("Mul", ["m.inv", "fmin"], ["m.add"], name="mask.scale"))
    for p in "qkv":
        inits.append(init(f"{p}.w", [d, d]))
        nodes.append(helper.make_node("MatMul", ["h", f"{p}.w"], [p], name=f"{p}.matmul"))
    nodes.append(helper.make_node("Transpose", ["k"], ["k.t"], name="k.transpose", perm=[0, 2, 1]))
    nodes.append(helper.make_node("MatMul", ["q", "k.t"], ["scores"], name="scores"))
    nodes.append(helper.make_node("Div", ["scores", "scale"], ["scaled"], name="scaled"))
    nodes.append(helper.make_node("Add", ["scaled", "m.add"], ["masked"], name="mask.apply"))
    nodes.append(helper.make_node("Softmax", ["masked"], ["attn"], name="attn", axis=-1))
    nodes.append(helper.make_node("MatMul", ["attn", "v"], ["ctx"], name="context"))
    nodes.append(helper.make_node("Add", ["h", "ctx"], ["last_hidden_state"], name="residual"))
    nodes.append(helper.make_node("Gather", ["last_hidden_state", "first"], ["cls"], name="pool.first", axis=1))
    inits += [init("pool.w", [d, d]), init("pool.b", [d], 0.1)]
    nodes.append(helper.make_node("Gemm", ["cls", "pool.w", "pool.b"], ["pool.lin"], name="pool.dense", transB=1))
    nodes.append(helper.make_node("Tanh", ["pool.lin"], ["pooler_output"], name="pool.tanh"))
    graph = helper.make_graph(nodes, "bert_tiny",
                              [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]), helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
                              [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", d]), helper.make_tensor_value_info("pooler_output", TensorProto.FLOAT, ["batch", d])], inits)
    save(graph, "bert-tiny.onnx", 17)


def qdq(nodes, x, scale, zp, name):
    """A QuantizeLinear -> DequantizeLinear pair on activation x (how quantize_static marks a quantized value)."""
    nodes.append(helper.make_node("QuantizeLinear", [x, scale, zp], [f"{name}.q"], name=f"{name}.quantize"))
    nodes.append(helper.make_node("DequantizeLinear", [f"{name}.q", scale, zp], [f"{name}.dq"], name=f"{name}.dequantize"))
    return f"{name}.dq"


def int8_weight(inits, nodes, name, w, axis=None):
    """Symmetric int8 weight (zero point 0), per channel along `axis` or per tensor, dequantized by a node."""
    if axis is None:
        scale = np.float32(np.abs(w).max() / 127)
    else:
        scale = (np.abs(w).reshape(w.shape[axis], -1).max(axis=1) / 127).astype(np.float32)
    shaped = scale if axis is None else scale.reshape([-1] + [1] * (w.ndim - 1))
    q = np.clip(np.rint(w / shaped), -127, 127).astype(np.int8)
    zp = np.zeros_like(scale, dtype=np.int8)
    inits += [numpy_helper.from_array(q, f"{name}.q"), numpy_helper.from_array(np.asarray(scale, np.float32), f"{name}.scale"),
              numpy_helper.from_array(np.asarray(zp, np.int8), f"{name}.zp")]
    attrs = {} if axis is None else {"axis": axis}
    nodes.append(helper.make_node("DequantizeLinear", [f"{name}.q", f"{name}.scale", f"{name}.zp"], [f"{name}.w"], name=f"{name}.dequantize", **attrs))
    return f"{name}.w"


def qdq_cnn():
    """A QDQ-quantized CNN as quantize_static writes one: uint8 activations (QuantizeLinear -> DequantizeLinear
    around each float op), int8 per-channel conv weights and a per-tensor int8 matmul weight, float32 biases;
    the logits and their uint8 quantization are the outputs."""
    nodes, inits = [], []
    act = lambda name, scale, zp: inits.extend([numpy_helper.from_array(np.array(scale, np.float32), f"{name}.scale"), numpy_helper.from_array(np.array(zp, np.uint8), f"{name}.zp")])
    act("in", 2 / 255, 128)
    x = qdq(nodes, "image", "in.scale", "in.zp", "in")
    w1 = int8_weight(inits, nodes, "conv1", (rng.standard_normal([8, 3, 3, 3]) * 0.3).astype(np.float32), axis=0)
    inits.append(init("conv1.b", [8], 0.1))
    nodes.append(helper.make_node("Conv", [x, w1, "conv1.b"], ["conv1.y"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["conv1.y"], ["conv1.r"], name="relu1"))
    act("a1", 0.02, 0)
    x = qdq(nodes, "conv1.r", "a1.scale", "a1.zp", "a1")
    w2 = int8_weight(inits, nodes, "conv2", (rng.standard_normal([8, 8, 3, 3]) * 0.2).astype(np.float32), axis=0)
    inits.append(init("conv2.b", [8], 0.1))
    nodes.append(helper.make_node("Conv", [x, w2, "conv2.b"], ["conv2.y"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]))
    nodes.append(helper.make_node("Relu", ["conv2.y"], ["conv2.r"], name="relu2"))
    act("a2", 0.02, 0)
    x = qdq(nodes, "conv2.r", "a2.scale", "a2.zp", "a2")
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1))
    w3 = int8_weight(inits, nodes, "fc", (rng.standard_normal([8, 4]) * 0.5).astype(np.float32))
    inits.append(init("fc.b", [4], 0.1))
    nodes.append(helper.make_node("MatMul", ["flat", w3], ["fc.y"], name="fc"))
    nodes.append(helper.make_node("Add", ["fc.y", "fc.b"], ["logits"], name="fc.bias"))
    act("out", 0.01, 128)
    nodes.append(helper.make_node("QuantizeLinear", ["logits", "out.scale", "out.zp"], ["logits_q"], name="out.quantize"))
    graph = helper.make_graph(nodes, "qdq_cnn", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 8, 8])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4]), helper.make_tensor_value_info("logits_q", TensorProto.UINT8, ["batch", 4])], inits)
    save(graph, "qdq-cnn.onnx", 13)


def qdq_io():
    """uint8 in, int8 out: DequantizeLinear of a uint8 input (its zero point in int32_data), scaled, QuantizeLinear to int8."""
    inits = [numpy_helper.from_array(np.array(0.05, np.float32), "s"), helper.make_tensor("zp", TensorProto.UINT8, [], [100]),
             numpy_helper.from_array(np.array(0.1, np.float32), "t"), numpy_helper.from_array(np.array(-3, np.int8), "tzp")]
    nodes = [helper.make_node("DequantizeLinear", ["x", "s", "zp"], ["f"], name="dequantize"),
             helper.make_node("Mul", ["f", "f"], ["sq"], name="square"),
             helper.make_node("QuantizeLinear", ["sq", "t", "tzp"], ["y"], name="quantize")]
    graph = helper.make_graph(nodes, "qdq_io", [helper.make_tensor_value_info("x", TensorProto.UINT8, [2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.INT8, [2, 3])], inits)
    save(graph, "qdq-io.onnx", 13)


def qdq_bad_zero_point():
    """DequantizeLinear with a float zero point: ONNX's checker refuses it, so it is saved unchecked."""
    inits = [numpy_helper.from_array(np.array(0.5, np.float32), "s"), numpy_helper.from_array(np.array(1.0, np.float32), "zp")]
    nodes = [helper.make_node("DequantizeLinear", ["x", "s", "zp"], ["y"], name="dequantize")]
    graph = helper.make_graph(nodes, "qdq_bad_zero_point", [helper.make_tensor_value_info("x", TensorProto.INT8, [3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="hearth-fixtures")
    model.ir_version = 8
    onnx.save(model, os.path.join(OUT, "qdq-bad-zero-point.onnx"))


def quantized_refused():
    """Integer-arithmetic quantized ops Hearth refuses (QLinearConv, MatMulInteger) after a QuantizeLinear it runs."""
    inits = [numpy_helper.from_array(np.array(0.1, np.float32), "s"), numpy_helper.from_array(np.array(128, np.uint8), "zp"),
             numpy_helper.from_array(np.ones([2, 1, 3, 3], np.uint8), "w"), numpy_helper.from_array(np.ones([16, 2], np.uint8), "m")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["q"], name="quantize"),
             helper.make_node("QLinearConv", ["q", "s", "zp", "w", "s", "zp", "s", "zp"], ["c"], name="qconv"),
             helper.make_node("Reshape", ["c", "shape"], ["flat"], name="flatten"),
             helper.make_node("MatMulInteger", ["flat", "m"], ["y"], name="matmul_integer")]
    inits.append(const("shape", [1, 16]))
    graph = helper.make_graph(nodes, "quantized_refused", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.INT32, [1, 2])], inits)
    save(graph, "quantized-refused.onnx", 13)


os.makedirs(OUT, exist_ok=True)
resnet()
transformer()
for v in (9, 11, 13, 18):
    conventions(v)
unsupported()
int64_range()
mobilenet()
masked_attention()
speech_rnn()
log_mel()
bert_tiny()
qdq_cnn()
qdq_io()
qdq_bad_zero_point()
quantized_refused()
print("wrote", sorted(os.listdir(OUT)))
