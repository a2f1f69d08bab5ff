import UnlearnCore
import UnlearnData
import UnlearnModels

/// Hybrid's state: SISA's shards (some possibly updated approximately, see
/// `ShardModel.isExact`) and the cost model its decisions learn in.
public struct HybridState: StrategyState {
  public var strategy: Hybrid
  /// The shards, their checkpoints and the remaining samples.
  public internal(set) var sharded: SISAState
  /// What the decisions learn in; may be replaced (e.g. with rates measured where the service runs).
  public var costs: HybridCostModel

  public init(strategy: Hybrid, sharded: SISAState, costs: HybridCostModel) {
    self.strategy = strategy
    self.sharded = sharded
    self.costs = costs
  }

  public var shards: [ShardModel] { sharded.shards }
  /// Shards whose model an approximate update changed since they were last retrained.
  public var approximateShards: [Int] { shards.filter { !$0.isExact }.map(\.index) }

  public var trainingSet: TrainingSet { sharded.trainingSet }
  public var configuration: ModelConfiguration { strategy.configuration }
  public var classNames: [String] { sharded.classNames }
  public var comparableParameters: [Double]? { nil }
  public var parameterCount: Int { sharded.parameterCount }
  public var trainingSummary: TrainingSummary? { nil }

  public func probabilities(for features: Matrix) -> Matrix { sharded.probabilities(for: features) }

  // MARK: Persistence

  struct Settings: Codable {
    var policy: Hybrid.Policy
    var amendment: Int
    var initialBoundary: Double
    var accuracyTolerance: Double
    var costs: HybridCostModel
  }

  /// SISA's parts (slices, stored checkpoints, models) and the hybrid settings with the cost model.
  public func archive() throws -> StateArchive {
    var archive = try sharded.archive()
    archive.strategy = Hybrid.name
    try archive.setJSON(
      "hybrid",
      Settings(
        policy: strategy.policy, amendment: strategy.amendment, initialBoundary: strategy.initialBoundary,
        accuracyTolerance: strategy.accuracyTolerance, costs: costs))
    return archive
  }

  public init(archive: StateArchive, path: String) throws {
    let sharded = try SISAState(archive: archive, path: path)
    let settings = try archive.json(Settings.self, "hybrid", path: path)
    let sisa = sharded.strategy
    self.init(
      strategy: Hybrid(
        configuration: sisa.configuration, shards: sisa.assignment.shards, slices: sisa.assignment.slices,
        aggregation: sisa.aggregation, policy: settings.policy, amendment: settings.amendment,
        initialBoundary: settings.initialBoundary, accuracyTolerance: settings.accuracyTolerance,
        workers: sisa.workers),
      sharded: sharded, costs: settings.costs)
  }
}
