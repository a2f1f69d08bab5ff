import UnlearnModels

extension SISA {
  static let defaultShards = 5
  static let defaultSlices = 4

  /// The shard layout and aggregation, which `hybrid` takes too.
  static let layoutOptions: [StrategyDescription.Option] = [
    .init("--shards", help: "the number of shards S", defaultValue: "\(defaultShards)"),
    .init("--slices", help: "slices per shard R", defaultValue: "\(defaultSlices)"),
    .init("--aggregation", help: "how shard models are combined: vote or mean", defaultValue: "vote"),
  ]

  public static let catalogEntry = StrategyDescription(
    name: name, options: layoutOptions,
    make: { configuration, options in
      let (shards, slices) = try layout(options)
      return SISA(
        configuration: configuration, shards: shards, slices: slices, aggregation: options.aggregation ?? .vote,
        workers: StrategyCatalog.workers)
    },
    readState: { try SISAState(archive: $0, path: $1) })

  /// (S, R) from the options, checked.
  static func layout(_ options: StrategyOptions) throws -> (shards: Int, slices: Int) {
    let shards = options.shards ?? defaultShards
    let slices = options.slices ?? defaultSlices
    guard shards >= 1, slices >= 1 else { throw StrategyError("--shards and --slices must be at least 1") }
    return (shards, slices)
  }
}
