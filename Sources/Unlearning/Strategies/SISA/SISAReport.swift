/// What one SISA forget retrained (`StrategyReport`).
public struct SISAReport: StrategyReport {
  public static let strategy = SISA.name
  public var shards = 0
  public var slices = 0
  /// Shards that held a removed sample, each retrained from its earliest affected slice.
  public var shardsRetrained = 0
  public var slicesRetrained = 0

  public static var blank: Self { Self() }

  public static var figureFields: [ReportFigure<Self>] {
    [
      .count("shards", \.shards), .count("slices", \.slices), .count("shards_retrained", \.shardsRetrained),
      .count("slices_retrained", \.slicesRetrained),
    ]
  }
}
