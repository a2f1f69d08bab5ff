/// What `unlearn state inspect` shows of a state: what it was trained on, and for sharded states
/// which shards are exactly retrained and which an approximate update changed (Hybrid).
public struct StateInspection: Sendable, Codable, Equatable {
  public struct Shard: Sendable, Codable, Equatable {
    public var index: Int
    public var samples: Int
    /// Stored slice checkpoints (every slice has one when the shard is exact).
    public var checkpoints: Int
    public var slices: Int
    public var exact: Bool
  }

  public var strategy: String
  public var model: String
  public var remainingSamples: Int
  public var forgottenSamples: Int
  public var parameters: Int
  /// Sharded strategies (sisa, hybrid) only.
  public var shards: [Shard]?
  /// Hybrid: shards whose model is an approximate update; 'unlearn state re-exact' retrains them.
  public var approximateShards: [Int]?
  /// Hybrid: the decision's learned rates and boundary.
  public var costs: HybridCostModel?
  public var policy: Hybrid.Policy?

  public init(_ state: any StrategyState) {
    strategy = type(of: state.strategy).name
    model = state.configuration.kind.rawValue
    remainingSamples = state.trainingSet.count
    forgottenSamples = state.trainingSet.forgotten.count
    parameters = state.parameterCount
    let sharded = (state as? HybridState)?.sharded ?? (state as? SISAState)
    shards = sharded.map { sharded in
      sharded.shards.map {
        Shard(
          index: $0.index, samples: $0.count, checkpoints: $0.checkpoints.count, slices: $0.sliceIDs.count,
          exact: $0.isExact)
      }
    }
    if let hybrid = state as? HybridState {
      approximateShards = hybrid.approximateShards
      costs = hybrid.costs
      policy = hybrid.strategy.policy
    }
  }

  enum CodingKeys: String, CodingKey {
    case strategy, model, parameters, shards, costs, policy
    case remainingSamples = "remaining_samples"
    case forgottenSamples = "forgotten_samples"
    case approximateShards = "approximate_shards"
  }
}
