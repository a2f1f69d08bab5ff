/// What one ARCANE forget retrained (`StrategyReport`).
public struct ARCANEReport: StrategyReport {
  public static let strategy = ARCANE.name
  /// Blocks per class.
  public var blocks = 0
  /// Classes that held a removed sample.
  public var classesAffected = 0
  /// Classes whose removed samples were trained on, retrained from their earliest affected block.
  public var classesRetrained = 0
  public var blocksRetrained = 0
  /// The share of the remaining samples the representative selection keeps for training.
  public var keptFraction = 0.0

  public static var blank: Self { Self() }

  public static var figureFields: [ReportFigure<Self>] {
    [
      .count("blocks", \.blocks), .count("classes_affected", \.classesAffected),
      .count("classes_retrained", \.classesRetrained), .count("blocks_retrained", \.blocksRetrained),
      .number("kept_fraction", \.keptFraction),
    ]
  }
}
