import UnlearnData
import UnlearnModels

extension PUMA {
  static let defaultValidationFraction = 0.1

  /// The validation set and the reweighting's step and bound.
  public static let catalogEntry = StrategyDescription(
    name: name,
    options: [
      .init(
        "--validation-fraction", help: "the share of training samples held out as the validation set",
        defaultValue: "\(defaultValidationFraction)"),
      .init(
        "--validation", help: "a separate validation data file (instead of --validation-fraction)", valueName: "file"),
      .init("--eta", help: "the step size η of the projected gradient steps on the sample weights", defaultValue: "1"),
      .init("--weight-bound", help: "the bound on the L2 norm of the sample weight changes", defaultValue: "1"),
    ],
    make: { configuration, options in try make(configuration: configuration, options: options) },
    readState: { try PUMAState(archive: $0, path: $1) })

  private static func make(configuration: ModelConfiguration, options: StrategyOptions) throws -> PUMA {
    let fraction = options.validationFraction ?? defaultValidationFraction
    guard fraction > 0, fraction < 1 else {
      throw StrategyError("--validation-fraction must be strictly between 0 and 1, got \(fraction)")
    }
    if options.validationPath != nil && options.validationFraction != nil {
      throw StrategyError("give either --validation FILE or --validation-fraction F, not both")
    }
    let eta = options.eta ?? 1
    let bound = options.weightBound ?? 1
    guard eta > 0, eta.isFinite, bound > 0, bound.isFinite else {
      throw StrategyError("--eta and --weight-bound must be positive numbers, got \(eta) and \(bound)")
    }
    let validation = try options.validationPath.map { try DatasetFile(path: $0).load() }
    return PUMA(
      configuration: configuration, validationFraction: fraction, validation: validation, weightBound: bound, eta: eta)
  }
}
