import Foundation
import UnlearnCore

/// Trained models as ONNX graphs for other runtimes (ONNX Runtime, Triton): raw features in, the
/// feature scaling inside the graph, so a served model needs nothing of ours.
///
/// Input `features`: float32 [N, d], raw as in the training data. Outputs `probabilities`: float32
/// [N, K], and `label`: int64 [N], the most probable class (its value when the class names are
/// integers, as CSV and IDX labels are; its index otherwise — the model's `class_names` metadata
/// lists them). Inside, the graph computes in float64, as `unlearn predict` does, and casts the
/// probabilities at the end, so the two agree to float32 rounding.
///
/// - Logistic: (x − μ)/s (then x/‖x‖ for models trained with rows scaled to unit length), X·W + b,
///   softmax over K classes, or for binary models p₁ = σ(z), p₀ = 1 − p₁.
/// - MLP: the same scaling, X·W_l + b_l with ReLU between layers, softmax at the end.
/// - Ensembles (SISA's shards): every member's probabilities in the one graph, combined as the
///   strategy combines them — their mean, or for a vote the share of members whose most probable
///   class each class is. ARCANE and LMEraser build their own on
///   `file(featureCount:classNames:members:description:build:)` (`ARCANEState.onnxFile()`,
///   `LMEraserState.onnxFile()`) from the pieces here.
public enum ONNXExport {
  public enum Combination: Sendable {
    case mean
    case vote
  }

  /// The ONNX file of one model.
  public static func file(for model: TrainedModel) -> [UInt8] {
    file(for: [model], combination: .mean)
  }

  /// The ONNX file of an ensemble whose members share features and classes.
  public static func file(for members: [TrainedModel], combination: Combination) -> [UInt8] {
    precondition(!members.isEmpty, "an ensemble needs a member")
    let first = members[0]
    precondition(
      members.allSatisfy { $0.featureCount == first.featureCount && $0.classNames == first.classNames },
      "ensemble members must share features and classes")
    let classCount = first.classNames.count
    return file(
      featureCount: first.featureCount, classNames: first.classNames, members: members.count,
      description: "Unlearn \(first.configuration.kind.rawValue) model"
    ) { graph, x in
      guard members.count > 1 else { return probabilities(of: first, input: x, in: &graph) }
      let parts = members.map { member -> String in
        let p = probabilities(of: member, input: x, in: &graph)
        guard combination == .vote else { return p }
        let winner = graph.add("ArgMax", [p], [("axis", .int(1)), ("keepdims", .int(0))])
        // ONNX Runtime's OneHot has float but no double values: one-hot in float32, then cast.
        let vote = graph.add(
          "OneHot",
          [winner, graph.constant([Int64(classCount)], dims: [1]), graph.constant([Float(0), 1], dims: [2])])
        return graph.add("Cast", [vote], [("to", .int(ONNXGraph.ElementType.double.rawValue))])
      }
      let sum = graph.add("Sum", parts)
      return graph.add("Mul", [sum, graph.constant([1 / Double(members.count)], dims: [1])])
    }
  }

  /// An ONNX file around `build`, which gets the graph and the name of the raw features as float64
  /// [N, d] and returns the name of the float64 [N, K] probabilities; this adds the float32 input,
  /// the outputs and the metadata every export has.
  public static func file(
    featureCount: Int, classNames: [String], members: Int, description: String,
    build: (inout ONNXGraph, String) -> String
  ) -> [UInt8] {
    var graph = ONNXGraph()
    let x = graph.add("Cast", ["features"], [("to", .int(ONNXGraph.ElementType.double.rawValue))])
    let classCount = classNames.count
    let combined = build(&graph, x)
    graph.add(
      "Cast", [combined], named: "probabilities", [("to", .int(ONNXGraph.ElementType.float.rawValue))])
    let labelValues = classNames.compactMap { Int64($0) }
    let integerLabels = labelValues.count == classCount
    if integerLabels {
      let index = graph.add("ArgMax", [combined], [("axis", .int(1)), ("keepdims", .int(0))])
      graph.add(
        "Gather", [graph.constant(labelValues, dims: [classCount]), index], named: "label", [("axis", .int(0))])
    } else {
      graph.add("ArgMax", [combined], named: "label", [("axis", .int(1)), ("keepdims", .int(0))])
    }
    let names = (try? JSONEncoder().encode(classNames)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    return graph.serialized(
      name: "unlearn",
      input: .init(name: "features", type: .float, shape: [nil, featureCount]),
      outputs: [
        .init(name: "probabilities", type: .float, shape: [nil, classCount]),
        .init(name: "label", type: .int64, shape: [nil]),
      ],
      metadata: [
        ("class_names", names),
        ("label", integerLabels ? "class value" : "class index into class_names"),
        ("members", String(members)),
      ],
      documentation: "\(description): raw float32 features [N, \(featureCount)] in; probabilities [N, \(classCount)] "
        + "and label [N] out.")
  }

  /// [N, K] float64 probabilities of `model` for the float64 raw features `input`.
  public static func probabilities(of model: TrainedModel, input: String, in graph: inout ONNXGraph) -> String {
    let d = model.featureCount
    let a = scaled(input, for: model, in: &graph)
    switch model.classifier {
    case .logistic(let logistic):
      let k = logistic.outputCount
      let theta = logistic.parameters
      let z = affine(a, weights: Array(theta[0..<(d * k)]), biases: Array(theta[(d * k)...]), rows: d, in: &graph)
      guard logistic.isBinary else { return graph.add("Softmax", [z], [("axis", .int(1))]) }
      let positive = graph.add("Sigmoid", [z])
      let negative = graph.add("Sub", [graph.constant([1.0], dims: [1]), positive])
      return graph.add("Concat", [negative, positive], [("axis", .int(1))])
    case .mlp(let mlp):
      return softmaxLayer(
        embedding(of: mlp, input: a, in: &graph), block: mlp.layerBlock(mlp.layerCount - 1), in: &graph)
    }
  }

  /// `model`'s feature scaling of the float64 raw features `input`: (x − μ)/s, then x/‖x‖ for
  /// models trained with rows scaled to unit length (rows of norm 0 stay 0, as RowNormalization
  /// leaves them).
  public static func scaled(_ input: String, for model: TrainedModel, in graph: inout ONNXGraph) -> String {
    let d = model.featureCount
    var a = graph.add("Sub", [input, graph.constant(model.standardizer.means, dims: [d])])
    a = graph.add("Div", [a, graph.constant(model.standardizer.scales, dims: [d])])
    guard model.configuration.normalizesRows else { return a }
    let norm = graph.add("ReduceL2", [a], [("axes", .ints([1])), ("keepdims", .int(1))])
    let floor = graph.add("Max", [norm, graph.constant([Double.leastNormalMagnitude], dims: [1])])
    return graph.add("Div", [a, floor])
  }

  /// The hidden layers of `mlp` with their ReLUs: the last hidden activations, which a frozen
  /// backbone hands to a head.
  public static func embedding(of mlp: MLP, input: String, in graph: inout ONNXGraph) -> String {
    var a = input
    for layer in 0..<(mlp.layerCount - 1) {
      let block = mlp.layerBlock(layer)
      let inputs = block.rows - 1
      a = graph.add(
        "Relu",
        [
          affine(
            a, weights: Array(block.elements[0..<(inputs * block.columns)]),
            biases: Array(block.elements[(inputs * block.columns)...]), rows: inputs, in: &graph)
        ])
    }
    return a
  }

  /// softmax(A·W + b) for the (in + 1) × out block [W; bᵀ].
  public static func softmaxLayer(_ a: String, block: Matrix, in graph: inout ONNXGraph) -> String {
    let inputs = block.rows - 1
    let z = affine(
      a, weights: Array(block.elements[0..<(inputs * block.columns)]),
      biases: Array(block.elements[(inputs * block.columns)...]), rows: inputs, in: &graph)
    return graph.add("Softmax", [z], [("axis", .int(1))])
  }

  /// A·W + b for W (rows × columns, row-major) and b (columns).
  public static func affine(
    _ a: String, weights: [Double], biases: [Double], rows: Int, in graph: inout ONNXGraph
  ) -> String {
    let product = graph.add("MatMul", [a, graph.constant(weights, dims: [rows, biases.count])])
    return graph.add("Add", [product, graph.constant(biases, dims: [biases.count])])
  }
}
