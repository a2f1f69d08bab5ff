import ArgumentParser
import UnlearnModels
import Unlearning

struct ExportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a model as an ONNX graph for other runtimes (ONNX Runtime, Triton).",
    discussion: """
      The graph takes raw features (float32 input 'features' [N, d]) with the model's feature \
      scaling inside, and outputs 'probabilities' (float32 [N, K]) and 'label' (int64 [N]: the \
      class value when the class names are integers, else its index; the 'class_names' metadata \
      lists them). Model files from 'unlearn train' and the current model of a newton, retrain or \
      puma state export as one graph; a sisa state exports its shards in one graph, combined as \
      the strategy combines them (mean or vote), as does a hybrid state; an arcane state exports \
      its class models with their reference densities, and an lmeraser state its backbone, cluster \
      routing and every cluster's prompt and head, each combined as the strategy predicts. Every \
      strategy's state exports.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case onnx
  }

  @Option(
    help: "A model file from 'unlearn train', or a state file from 'unlearn train --strategy' or 'unlearn forget'.")
  var model: String

  @Option(help: "Output format: onnx.")
  var format: Format = .onnx

  @Option(help: "Where to write the graph.")
  var out: String

  func run() async throws {
    let bytes = try StateFile.readBytes(model)
    let graph: [UInt8]
    let described: String
    if StateFile.hasMagic(bytes) {
      let state = try StrategyCatalog.state(from: try StateFile.decode(bytes, path: model), path: model)
      if let single = state as? any SingleModelState {
        graph = ONNXExport.file(for: single.model)
        described = "the current model of the \(type(of: single.strategy).name) state"
      } else if let sisa = (state as? SISAState) ?? (state as? HybridState)?.sharded {
        let members = sisa.shards.compactMap(\.model)
        guard !members.isEmpty else { throw StrategyError("\(model): the sisa state has no trained shard to export") }
        let combination: ONNXExport.Combination = sisa.strategy.aggregation == .mean ? .mean : .vote
        graph = ONNXExport.file(for: members, combination: combination)
        described =
          "\(members.count) \(type(of: state.strategy).name) shards combined by \(sisa.strategy.aggregation.rawValue)"
      } else if let arcane = state as? ARCANEState {
        graph = arcane.onnxFile()
        described = "\(arcane.classes.count) arcane class models and their reference densities"
      } else if let lmeraser = state as? LMEraserState {
        graph = lmeraser.onnxFile()
        described = "an lmeraser backbone with \(lmeraser.clusters.count) clusters' prompts and heads"
      } else {
        throw StrategyError(
          "\(model): states of the \(type(of: state.strategy).name) strategy are not exported yet; export supports "
            + "model files and newton, retrain, puma, sisa and arcane states (train the model with one of those, or export a "
            + "model file)")
      }
    } else {
      let trained = try ModelFile.decode(bytes, path: model)
      graph = ONNXExport.file(for: trained)
      described = "a \(trained.configuration.kind.rawValue) model"
    }
    try AtomicFile.write(graph, to: out)
    print("wrote \(out): \(described), \(graph.count) bytes, ONNX opset 13")
  }
}
