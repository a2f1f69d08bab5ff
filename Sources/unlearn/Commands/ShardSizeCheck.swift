import Unlearning

/// Small shards cost accuracy: SISA and the hybrid framework train each shard model on its shard
/// alone, and below `minimumShardSize` samples a shard model is much weaker than one model on all
/// the data (`unlearn-benchmarks matrix` shows it on its 200-row set). `train` and `compare` say so
/// before training, with what to try.
enum ShardSizeCheck {
  /// The fewest samples per shard at which `train` and `compare` stay quiet.
  static let minimumShardSize = 200

  /// A warning per sharded strategy in `strategies` whose shards would hold fewer than
  /// `minimumShardSize` of `trainCount` samples; empty when none would.
  static func warnings(strategies: [String], trainCount: Int, options: StrategyOptions) -> [String] {
    let shards = options.shards ?? 5
    let size = trainCount / max(shards, 1)
    guard size < minimumShardSize else { return [] }
    let suggested = max(1, trainCount / minimumShardSize)
    return strategies.filter { $0 == SISA.name || $0 == Hybrid.name }.map { name in
      "warning: \(name): \(shards) shards of about \(size) samples (fewer than \(minimumShardSize)); each shard "
        + "model sees only its shard, so expect lower accuracy than retraining. "
        + (suggested < shards ? "Try --shards \(suggested)." : "Consider newton or arcane for data this small.")
    }
  }
}
