import Foundation
import Testing
import UnlearnCore
import UnlearnModels

/// What L-BFGS's memory buys, on a problem where the answer is known.
struct LBFGSMemoryTests {
  /// f(θ) = ½ Σ_j d_j θ_j² − Σ_j θ_j with d_j spread geometrically over 1…10⁴ (condition number
  /// 10⁴), minimized at θ_j = 1/d_j.
  struct IllConditionedQuadratic: SmoothObjective {
    let curvatures: [Double]
    init(dimension: Int) {
      curvatures = (0..<dimension).map { pow(1e4, Double($0) / Double(dimension - 1)) }
    }
    var parameterCount: Int { curvatures.count }
    func valueAndGradient(at parameters: [Double]) -> (value: Double, gradient: [Double]) {
      var value = 0.0
      var gradient = parameters
      for j in parameters.indices {
        value += 0.5 * curvatures[j] * parameters[j] * parameters[j] - parameters[j]
        gradient[j] = curvatures[j] * parameters[j] - 1
      }
      return (value, gradient)
    }
  }

  @Test func morePairsTakeFewerIterationsToTheSameOptimum() {
    let objective = IllConditionedQuadratic(dimension: 120)
    let criterion = ConvergenceCriterion(relativeTolerance: 1e-8, maximumIterations: 5_000)
    let start = [Double](repeating: 0, count: 120)
    let short = LBFGSOptimizer(criterion: criterion, memory: 5).minimize(objective, from: start)
    let long = LBFGSOptimizer(criterion: criterion, memory: 150).minimize(objective, from: start)
    #expect(short.report.isConverged && long.report.isConverged)
    #expect(
      long.report.iterations * 2 < short.report.iterations, "\(long.report.iterations) vs \(short.report.iterations)")
    for (index, d) in objective.curvatures.enumerated() {
      #expect(abs(long.parameters[index] * d - 1) < 1e-6)
    }
  }

  @Test func memoryGrowsWithTheSamplesBetweenItsBounds() {
    #expect(LogisticRegressionTrainer.lbfgsMemory(sampleCount: 100) == 30)
    #expect(LogisticRegressionTrainer.lbfgsMemory(sampleCount: 1_797) == 112)
    #expect(LogisticRegressionTrainer.lbfgsMemory(sampleCount: 60_000) == 300)
  }
}
