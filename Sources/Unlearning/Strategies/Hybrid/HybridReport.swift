/// What one hybrid forget (or `reExact`) did and why (`StrategyReport`): which path, what each
/// was estimated to cost, what it cost, and what it did to accuracy on the probe.
public struct HybridReport: StrategyReport {
  public static let strategy = Hybrid.name
  public var shards = 0
  public var slices = 0
  /// Shards still approximate after this request.
  public var approximateShards = 0
  /// Whether the request took the exact path (nil for `reExact`, which is exact by definition).
  public var pathExact: Bool?
  /// The exact path's workload (sample passes) and the approximate one's (samples).
  public var exactWorkload: Double?
  public var approximateWorkload: Double?
  public var estimatedExactSeconds: Double?
  public var estimatedApproximateSeconds: Double?
  /// The cost model's boundary ρ at the decision, and after it learned from this request.
  public var boundary: Double?
  public var boundaryNext: Double?
  public var workSeconds: Double?
  /// Accuracy on the held-out probe, after minus before, and its standard error.
  public var probeAccuracyChange: Double?
  public var probeStandardError: Double?
  /// The exact path: shards and slices retrained.
  public var shardsRetrained: Int?
  public var slicesRetrained: Int?
  /// The approximate path: shards updated, Hessian-vector products, amendment epochs or steps.
  public var shardsUpdated: Int?
  public var hessianVectorProducts: Int?
  public var amendment: Int?

  public static var blank: Self { Self() }

  public static var figureFields: [ReportFigure<Self>] {
    [
      .count("shards", \.shards), .count("slices", \.slices), .count("approximate_shards", \.approximateShards),
      .flag("path_exact", \.pathExact), .number("exact_workload", \.exactWorkload),
      .number("approximate_workload", \.approximateWorkload),
      .number("estimated_exact_seconds", \.estimatedExactSeconds),
      .number("estimated_approximate_seconds", \.estimatedApproximateSeconds), .number("boundary", \.boundary),
      .number("boundary_next", \.boundaryNext), .number("work_seconds", \.workSeconds),
      .number("probe_accuracy_change", \.probeAccuracyChange),
      .number("probe_standard_error", \.probeStandardError), .count("shards_retrained", \.shardsRetrained),
      .count("slices_retrained", \.slicesRetrained), .count("shards_updated", \.shardsUpdated),
      .count("hessian_vector_products", \.hessianVectorProducts), .count("amendment", \.amendment),
    ]
  }
}
