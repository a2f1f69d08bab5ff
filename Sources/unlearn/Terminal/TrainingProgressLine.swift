import Foundation
import UnlearnModels

extension ProgressReporter {
  /// Shows a trainer's progress: iterations and ‖∇L‖/‖∇L(0)‖ for the convex solvers, an epoch bar
  /// for the MLP. `prefix` names what is being trained (e.g. a strategy).
  func show(_ step: TrainingProgress, epochs: Int, prefix: String = "") {
    if let relative = step.relativeGradientNorm {
      update(
        fraction: nil,
        prefix + "iteration \(step.step)  loss \(String(format: "%.6g", step.loss))  "
          + "‖∇L‖/‖∇L(0)‖ \(String(format: "%.2e", relative))")
    } else {
      update(
        fraction: step.fraction, prefix + "epoch \(step.step)/\(epochs)  loss \(String(format: "%.4f", step.loss))")
    }
  }
}
