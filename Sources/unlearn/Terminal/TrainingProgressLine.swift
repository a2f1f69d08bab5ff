import Foundation
import UnlearnModels

extension ProgressReporter {
  /// Shows a trainer's progress: iterations and ‖∇L‖/‖∇L(0)‖ for the convex solvers, an epoch bar
  /// for the MLP, and the sub-models done for a sharded strategy (SISA's shards, ARCANE's classes),
  /// which reports no single loss. `prefix` names what is being trained (e.g. a strategy).
  func show(_ step: TrainingProgress, epochs: Int, prefix: String = "") {
    if let relative = step.relativeGradientNorm {
      update(
        fraction: nil,
        prefix + "iteration \(step.step)  loss \(String(format: "%.6g", step.loss))  "
          + "‖∇L‖/‖∇L(0)‖ \(String(format: "%.2e", relative))")
    } else if step.countsSubModels {
      update(fraction: step.fraction, prefix + "\(step.step) sub-model\(step.step == 1 ? "" : "s") done")
    } else {
      let epoch = epochs > 0 ? "epoch \(step.step)/\(epochs)" : "epoch \(step.step)"
      update(fraction: step.fraction, prefix + "\(epoch)  loss \(String(format: "%.4f", step.loss))")
    }
  }
}
