import UnlearnModels

extension NewtonRemoval {
  /// Certified mode's options, and the MLP's fine-tuning.
  public static let catalogEntry = StrategyDescription(
    name: name,
    options: [
      .init(
        "--certified", help: "certified (ε, δ) removal (binary models; needs --epsilon and --delta)", isFlag: true),
      .init("--epsilon", help: "with --certified: the privacy parameter ε"),
      .init("--delta", help: "with --certified: the privacy parameter δ"),
      .init("--sigma", help: "with --certified: the objective-perturbation noise scale σ", defaultValue: "1"),
      .init(
        "--finetune-epochs", help: "with --model mlp: epochs of fine-tuning on the remaining data after the step",
        defaultValue: "0"),
    ],
    make: { configuration, options in try make(configuration: configuration, options: options) },
    readState: { try NewtonState(archive: $0, path: $1) })

  private static func make(configuration: ModelConfiguration, options: StrategyOptions) throws -> NewtonRemoval {
    let certification = try options.certification()
    if certification != nil && configuration.kind != .logistic {
      throw StrategyError("--certified applies to --model logistic (binary) only")
    }
    if certification != nil && configuration.scaling.dependsOnTrainingData {
      throw StrategyError(certifiedScalingMessage)
    }
    if let epochs = options.finetuneEpochs {
      guard configuration.kind == .mlp else { throw StrategyError("--finetune-epochs applies to --model mlp only") }
      guard epochs >= 0 else { throw StrategyError("--finetune-epochs must be 0 or more, got \(epochs)") }
    }
    return NewtonRemoval(
      configuration: configuration, certification: certification, finetuneEpochs: options.finetuneEpochs ?? 0)
  }
}
