/// An ONNX graph being built: nodes in order, constant tensors, one input and named outputs; written
/// as an ONNX ModelProto (https://onnx.ai/onnx/repo-docs/IR.html, field numbers from onnx.proto).
///
/// Values are named by the builder (`v0`, `v1`, …) so callers chain operators without naming
/// intermediates. Opset 13, IR version 7: what ONNX Runtime 1.8 and later load.
public struct ONNXGraph: Sendable {
  /// TensorProto.DataType values used here.
  public enum ElementType: Int64, Sendable {
    case float = 1
    case int64 = 7
    case double = 11
  }

  public enum Attribute: Sendable {
    case int(Int64)
    case ints([Int64])
    case float(Float)
  }

  private struct Node: Sendable {
    var op: String
    var inputs: [String]
    var outputs: [String]
    var attributes: [(String, Attribute)]
  }

  private struct Initializer: Sendable {
    var name: String
    var dims: [Int64]
    var type: ElementType
    var raw: [UInt8]
  }

  private var nodes: [Node] = []
  private var initializers: [Initializer] = []
  private var counter = 0

  public init() {}

  /// Adds `op` over `inputs` and returns its output's name.
  public mutating func add(_ op: String, _ inputs: [String], _ attributes: [(String, Attribute)] = []) -> String {
    let output = fresh()
    nodes.append(Node(op: op, inputs: inputs, outputs: [output], attributes: attributes))
    return output
  }

  /// As `add`, with the output named (a graph output).
  public mutating func add(
    _ op: String, _ inputs: [String], named output: String, _ attributes: [(String, Attribute)] = []
  ) {
    nodes.append(Node(op: op, inputs: inputs, outputs: [output], attributes: attributes))
  }

  /// A double tensor of shape `dims` (row-major `values`); returns its name.
  public mutating func constant(_ values: [Double], dims: [Int]) -> String {
    constant(values.count, dims: dims, type: .double, raw: values.withUnsafeBytes { Array($0) })
  }

  /// A float32 tensor of shape `dims`; returns its name.
  public mutating func constant(_ values: [Float], dims: [Int]) -> String {
    constant(values.count, dims: dims, type: .float, raw: values.withUnsafeBytes { Array($0) })
  }

  /// An int64 tensor of shape `dims`; returns its name.
  public mutating func constant(_ values: [Int64], dims: [Int]) -> String {
    constant(values.count, dims: dims, type: .int64, raw: values.withUnsafeBytes { Array($0) })
  }

  /// A tensor from its values' bytes in memory: ONNX's raw_data is little-endian, as this host is.
  private mutating func constant(_ count: Int, dims: [Int], type: ElementType, raw: [UInt8]) -> String {
    precondition(count == dims.reduce(1, *), "constant of \(count) values for shape \(dims)")
    assert(1.littleEndian == 1, "ONNX raw_data is little-endian")
    let name = fresh()
    initializers.append(Initializer(name: name, dims: dims.map(Int64.init), type: type, raw: raw))
    return name
  }

  private mutating func fresh() -> String {
    defer { counter += 1 }
    return "v\(counter)"
  }

  /// One graph input and its outputs, each (name, element type, shape with nil for the batch
  /// dimension `N`).
  struct Value {
    var name: String
    var type: ElementType
    var shape: [Int?]
  }

  /// The ModelProto bytes.
  func serialized(
    name: String, input: Value, outputs: [Value], metadata: [(String, String)], documentation: String
  ) -> [UInt8] {
    var model = ProtobufWriter()
    model.integer(1, 7)  // ir_version
    model.string(2, "unlearn")  // producer_name
    model.string(6, documentation)  // doc_string
    model.message(7) { graph in
      for node in nodes {
        graph.message(1) { proto in
          for input in node.inputs { proto.string(1, input) }
          for output in node.outputs { proto.string(2, output) }
          proto.string(4, node.op)
          for (attributeName, value) in node.attributes {
            proto.message(5) { attribute in
              attribute.string(1, attributeName)
              switch value {
              case .int(let i):
                attribute.integer(3, i)
                attribute.integer(20, 2)  // AttributeType.INT
              case .ints(let values):
                for value in values { attribute.integer(8, value) }
                attribute.integer(20, 7)  // AttributeType.INTS
              case .float(let f):
                attribute.float(2, f)
                attribute.integer(20, 1)  // AttributeType.FLOAT
              }
            }
          }
        }
      }
      graph.string(2, name)
      for initializer in initializers {
        graph.message(5) { tensor in
          tensor.packedIntegers(1, initializer.dims)
          tensor.integer(2, initializer.type.rawValue)
          tensor.string(8, initializer.name)
          tensor.bytes(9, initializer.raw)
        }
      }
      graph.message(11) { Self.write(input, into: &$0) }
      for output in outputs { graph.message(12) { Self.write(output, into: &$0) } }
    }
    model.message(8) { opset in
      opset.string(1, "")
      opset.integer(2, 13)
    }
    for (key, value) in metadata {
      model.message(14) { entry in
        entry.string(1, key)
        entry.string(2, value)
      }
    }
    return model.bytes
  }

  /// A ValueInfoProto: name, then TypeProto.tensor_type {elem_type, shape {dim…}}.
  private static func write(_ value: Value, into info: inout ProtobufWriter) {
    info.string(1, value.name)
    info.message(2) { type in
      type.message(1) { tensor in
        tensor.integer(1, value.type.rawValue)
        tensor.message(2) { shape in
          for dimension in value.shape {
            shape.message(1) { dim in
              if let size = dimension { dim.integer(1, Int64(size)) } else { dim.string(2, "N") }
            }
          }
        }
      }
    }
  }
}
