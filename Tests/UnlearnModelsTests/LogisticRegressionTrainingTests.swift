import Testing
import UnlearnCore
import UnlearnModels
import _UnlearnTestSupport

struct LogisticRegressionTrainingTests {
  @Test(arguments: [2, 4])
  func newtonAndLBFGSReachTheSameOptimumToTolerance(_ k: Int) throws {
    let batch = ModelFixtures.randomBatch(samples: 200, features: 6, classes: k, seed: UInt64(50 + k))
    let model = LogisticRegression(featureCount: 6, classCount: k, inverseRegularization: 0.5)
    let (newton, newtonReport) = try LogisticRegressionTrainer(method: .newton).fit(model, on: batch)
    let (lbfgs, lbfgsReport) = try LogisticRegressionTrainer(method: .lbfgs).fit(model, on: batch)
    #expect(newtonReport.isConverged && lbfgsReport.isConverged)
    #expect(newtonReport.finalGradientNorm <= 1e-8 * newtonReport.referenceGradientNorm)
    #expect(lbfgsReport.finalGradientNorm <= 1e-8 * lbfgsReport.referenceGradientNorm)
    #expect(RandomMatrices.relativeDifference(lbfgs.parameters, newton.parameters) < 1e-6)
  }

  /// The trust-region method reaches Newton's optimum on binary and softmax problems, with the
  /// Hessian seen only through products, and counts them.
  @Test(arguments: [2, 5])
  func trustRegionReachesNewtonsOptimum(_ k: Int) throws {
    let batch = ModelFixtures.randomBatch(samples: 300, features: 8, classes: k, seed: UInt64(90 + k))
    let model = LogisticRegression(featureCount: 8, classCount: k, inverseRegularization: 2)
    let (newton, _) = try LogisticRegressionTrainer(method: .newton).fit(model, on: batch)
    let (region, report) = try LogisticRegressionTrainer(method: .trustRegion).fit(model, on: batch)
    #expect(report.method == .trustRegion)
    #expect(report.isConverged)
    #expect(report.finalGradientNorm <= 1e-8 * report.referenceGradientNorm)
    #expect(report.hessianVectorProducts >= report.iterations)
    #expect(RandomMatrices.relativeDifference(region.parameters, newton.parameters) < 1e-6)
  }

  /// A poorly scaled problem (one feature 1,000 times the others, a common offset): the region and
  /// the preconditioner keep the method converging where a full Newton step from 0 overshoots.
  @Test func trustRegionConvergesOnPoorlyScaledFeatures() throws {
    let random = ModelFixtures.randomBatch(samples: 400, features: 5, classes: 3, seed: 97)
    var features = Matrix(
      rows: random.count, columns: 5,
      elements: (0..<random.count).flatMap { i in (0..<5).map { random.design[i, $0] } })
    for i in 0..<features.rows {
      features[i, 0] = 1000 * features[i, 0] + 120
      features[i, 1] += 80
    }
    let batch = LabelledBatch(features: features, labels: random.labels, classCount: 3)
    let model = LogisticRegression(featureCount: 5, classCount: 3, inverseRegularization: 1)
    let (region, report) = try LogisticRegressionTrainer(method: .trustRegion).fit(model, on: batch)
    let (newton, _) = try LogisticRegressionTrainer(method: .newton).fit(model, on: batch)
    #expect(report.isConverged, "\(report.stopReason)")
    #expect(RandomMatrices.relativeDifference(region.parameters, newton.parameters) < 1e-5)
  }

  @Test func softmaxOptimumHasZeroBiasSum() throws {
    let batch = ModelFixtures.randomBatch(samples: 150, features: 4, classes: 3, seed: 61)
    let (trained, _) = try LogisticRegressionTrainer(method: .newton).fit(
      LogisticRegression(featureCount: 4, classCount: 3, inverseRegularization: 1), on: batch)
    let biasSum = (0..<3).reduce(0) { $0 + trained.parameters[4 * 3 + $1] }
    #expect(abs(biasSum) < 1e-10)
  }

  @Test func warmStartFromTheOptimumStopsAtOnce() throws {
    let batch = ModelFixtures.randomBatch(samples: 100, features: 3, classes: 2, seed: 71)
    let model = LogisticRegression(featureCount: 3, classCount: 2, inverseRegularization: 1)
    let (trained, _) = try LogisticRegressionTrainer(method: .newton).fit(model, on: batch)
    let (_, again) = try LogisticRegressionTrainer(method: .newton).fit(model, on: batch, from: trained.parameters)
    #expect(again.iterations == 0)
    #expect(again.isConverged)
  }

  @Test func trainingIsDeterministic() throws {
    let batch = ModelFixtures.randomBatch(samples: 120, features: 5, classes: 3, seed: 81)
    let model = LogisticRegression(featureCount: 5, classCount: 3, inverseRegularization: 1)
    let first = try LogisticRegressionTrainer(method: .lbfgs).fit(model, on: batch).model
    let second = try LogisticRegressionTrainer(method: .lbfgs).fit(model, on: batch).model
    #expect(first.parameters == second.parameters)
  }

  @Test func breastCancerBinaryModelFitsWell() throws {
    let data = try ModelFixtures.standardized("breast_cancer.csv")
    let batch = ModelFixtures.batch(data)
    let (trained, report) = try LogisticRegressionTrainer().fit(
      LogisticRegression(featureCount: data.featureCount, classCount: 2, inverseRegularization: 1), on: batch)
    #expect(report.isConverged)
    let predicted = trained.predictedLabels(for: data.features)
    let accuracy = Double(zip(predicted, data.labels).filter { $0 == $1 }.count) / Double(data.count)
    #expect(accuracy > 0.97)
  }
}
