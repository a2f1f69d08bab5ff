/// What one PUMA forget did beyond its Newton removal (`StrategyReport`; the report also holds
/// the Newton removal's figures, `NewtonRemovalReport`, with `gradient_residual` after the
/// reweighting): the validation loss before, after the removal and after the reweighting, what the
/// influence functions predicted for it, and the weights.
public struct PUMAReport: StrategyReport {
  public static let strategy = PUMA.name
  public var validationLossBefore: Double?
  public var validationLossNewton: Double?
  public var validationLossAfter: Double?
  public var validationLossChangePredicted: Double?
  public var validationLossChangeMeasured: Double?
  public var reweightingChangePredicted: Double?
  public var reweightingChangeMeasured: Double?
  /// ‖ε‖₂ of the weight changes, and its bound.
  public var weightNorm: Double?
  public var weightBound: Double?
  public var weightsChanged: Int?

  public static var blank: Self { Self() }

  public static var figureFields: [ReportFigure<Self>] {
    [
      .number("validation_loss_before", \.validationLossBefore),
      .number("validation_loss_newton", \.validationLossNewton),
      .number("validation_loss_after", \.validationLossAfter),
      .number("validation_loss_change_predicted", \.validationLossChangePredicted),
      .number("validation_loss_change_measured", \.validationLossChangeMeasured),
      .number("reweighting_change_predicted", \.reweightingChangePredicted),
      .number("reweighting_change_measured", \.reweightingChangeMeasured), .number("weight_norm", \.weightNorm),
      .number("weight_bound", \.weightBound), .count("weights_changed", \.weightsChanged),
    ]
  }
}
