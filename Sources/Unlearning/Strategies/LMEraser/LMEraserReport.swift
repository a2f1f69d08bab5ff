/// What one LMEraser forget retrained (`StrategyReport`).
public struct LMEraserReport: StrategyReport {
  public static let strategy = LMEraser.name
  public var clusters = 0
  /// Clusters whose prompt and head were retrained.
  public var clustersRetrained = 0
  /// Clusters merged into a neighbour after falling below the minimum size.
  public var clustersMerged = 0
  public var mergeSamplesMoved = 0
  public var modelParameters = 0
  /// The share of the model's parameters retrained.
  public var parameterFractionRetrained = 0.0

  public static var blank: Self { Self() }

  public static var figureFields: [ReportFigure<Self>] {
    [
      .count("clusters", \.clusters), .count("clusters_retrained", \.clustersRetrained),
      .count("clusters_merged", \.clustersMerged), .count("merge_samples_moved", \.mergeSamplesMoved),
      .count("model_parameters", \.modelParameters),
      .number("parameter_fraction_retrained", \.parameterFractionRetrained),
    ]
  }
}
