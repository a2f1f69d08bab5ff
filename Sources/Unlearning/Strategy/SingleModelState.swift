import UnlearnCore
import UnlearnModels

/// A state that deploys one trained model (Retrain, Newton): prediction, parameters and the
/// training summary all come from that model.
public protocol SingleModelState: StrategyState {
  var model: TrainedModel { get }
}

extension SingleModelState {
  public var classNames: [String] { model.classNames }
  public var comparableParameters: [Double]? { model.classifier.base.parameters }
  public var parameterCount: Int { model.classifier.base.parameterCount }
  public var trainingSummary: TrainingSummary? { model.summary }

  public func probabilities(for features: Matrix) -> Matrix {
    model.probabilities(for: features)
  }
}
