import Foundation
import Numerics
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import _UnlearnTestSupport

@testable import Unlearning

/// PUMA keeps the validation loss: after the same removal it is no higher than Newton removal's,
/// and the sample weights stay inside their bound.
struct PUMATests {
  @Test(arguments: ["breast_cancer.csv", "digits.csv"])
  func validationLossIsNoHigherThanNewtonsOnTheSameRemoval(_ file: String) throws {
    let data = try CSVLoader().load(path: TestData.bundled(file))
    let configuration = ModelConfiguration(kind: .logistic, seed: 4)
    let puma = PUMA(configuration: configuration, validationFraction: 0.15, weightBound: 1)
    let state = try puma.fit(data, sourceSHA256: []) { _ in }
    #expect(state.validation.count > 0 && state.trainingSet.data.count + state.validation.count == data.count)
    let ids = RetrainTests.randomIDs(state.trainingSet.data.count / 100, of: state.trainingSet.data, seed: 8)
    let (unlearned, report) = try puma.forget(try ForgetRequest(ids: ids), from: state) { _ in }
    // Newton alone, fitted independently on the same training samples, forgetting the same ids.
    let newton = NewtonRemoval(configuration: configuration)
    let newtonState = try newton.fit(state.trainingSet.data, sourceSHA256: []) { _ in }
    let (removed, _) = try newton.forget(try ForgetRequest(ids: ids), from: newtonState) { _ in }
    func validationLoss(_ model: TrainedModel) -> Double {
      let probabilities = model.probabilities(for: state.validation.features)
      return -(0..<state.validation.count).reduce(0) {
        $0 + log(probabilities[$1, state.validation.labels[$1]])
      } / Double(state.validation.count)
    }
    let newtonLoss = validationLoss(removed.model)
    let pumaLoss = validationLoss(unlearned.model)
    #expect(pumaLoss <= newtonLoss, "\(file): puma \(pumaLoss), newton \(newtonLoss)")
    let figures = try #require(report.report(PUMAReport.self))
    #expect(figures.validationLossNewton!.isApproximatelyEqual(to: newtonLoss, relativeTolerance: 1e-6))
    #expect(figures.validationLossAfter!.isApproximatelyEqual(to: pumaLoss, relativeTolerance: 1e-9))
    #expect(figures.weightNorm! <= 1 + 1e-12 && figures.weightsChanged! > 0)
    // The first-order prediction of the reweighting's effect has the right sign and size.
    let predicted = figures.reweightingChangePredicted!
    let measured = figures.reweightingChangeMeasured!
    #expect(predicted < 0 && measured < 0 && measured.isApproximatelyEqual(to: predicted, relativeTolerance: 0.5))
    #expect(unlearned.trainingSet.data.count == state.trainingSet.data.count - ids.count)

    let reloaded = try PUMAState(
      archive: try StateFile.decode(try StateFile.encode(try unlearned.archive()), path: "memory"), path: "memory")
    #expect(reloaded.model == unlearned.model && reloaded.validation == unlearned.validation)
  }

  @Test func weightsStayInsideTheBallAndAboveMinusOne() {
    var generator = SeededGenerator(seed: 5)
    let influences = (0..<200).map { _ in 3 * generator.nextStandardNormal() }
    for bound in [0.1, 1.0, 20.0] {
      let weights = SampleReweighting(bound: bound, eta: 0.5).weights(influences: influences)
      let norm = weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
      #expect(norm <= bound * (1 + 1e-12) && weights.allSatisfy { $0 >= -1 })
      // Lower predicted change than no reweighting and than the bound-scaled −I direction clipped.
      let objective = BLAS.dot(weights, influences)
      #expect(objective < 0)
      let naive = influences.map { -$0 }
      let naiveNorm = naive.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let scaled = naive.map { max(-1, $0 * bound / naiveNorm) }
      #expect(objective <= BLAS.dot(scaled, influences) + 1e-9)
    }
  }

  @Test func deletingAValidationSampleDropsItWithoutTouchingTheModel() throws {
    let data = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv"))
    let puma = PUMA(configuration: ModelConfiguration(kind: .logistic, seed: 4))
    let state = try puma.fit(data, sourceSHA256: []) { _ in }
    let id = state.validation.ids[0]
    let (next, report) = try puma.forget(try ForgetRequest(ids: [id]), from: state) { _ in }
    #expect(next.model == state.model && report.samplesRetrained == 0 && report.forgotten == 1)
    #expect(!next.validation.ids.contains(id) && next.validation.count == state.validation.count - 1)
  }
}
