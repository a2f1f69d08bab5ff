import Foundation
import UnlearnCore
import UnlearnModels

extension ARCANEState {
  /// ARCANE's prediction (`probabilities(for:)`) as one ONNX graph (`ONNXExport`): for each class c
  /// with a model, the score log q_c(x) + clip(logit_c(x), ±30) + log(n_c/n), where
  /// log q_c(x) = κ_c − ½·zᵀA_c⁻¹z with z = (x − m_c)/s_c is the class's reference Gaussian and
  /// logit_c = log p_member − log p_reference its one-class learner's; then a softmax over the
  /// classes, a class without a model scoring −∞ as it does here.
  public func onnxFile() -> [UInt8] {
    let featureCount = trainingSet.storage.featureCount
    let total = Double(classes.reduce(0) { $0 + $1.order.count })
    return ONNXExport.file(
      featureCount: featureCount, classNames: classNames, members: classes.count,
      description: "Unlearn ARCANE model (\(classes.count) one-class models)"
    ) { graph, x in
      var columns = [String?](repeating: nil, count: classNames.count)
      for model in classes {
        guard let reference = model.reference, let learner = model.learner.model else { continue }
        let d = reference.mean.count
        let z = graph.add(
          "Div",
          [
            graph.add("Sub", [x, graph.constant(reference.mean, dims: [d])]),
            graph.constant(reference.scales, dims: [d]),
          ])
        let quadratic = graph.add(
          "ReduceSum",
          [
            graph.add(
              "Mul", [graph.add("MatMul", [z, graph.constant(reference.factor.inverse().elements, dims: [d, d])]), z]),
            graph.constant([Int64(1)], dims: [1]),
          ],
          [("keepdims", .int(1))])
        let logQ = graph.add(
          "Sub",
          [
            graph.constant([reference.logNormalizer], dims: [1]),
            graph.add("Mul", [quadratic, graph.constant([0.5], dims: [1])]),
          ])
        let p = ONNXExport.probabilities(of: learner, input: x, in: &graph)
        let member = graph.add(
          "Log", [graph.add("Gather", [p, graph.constant([Int64(1)], dims: [1])], [("axis", .int(1))])])
        let other = graph.add(
          "Log", [graph.add("Gather", [p, graph.constant([Int64(0)], dims: [1])], [("axis", .int(1))])])
        let logit = graph.add(
          "Clip",
          [
            graph.add("Sub", [member, other]), graph.constant([-ClassModel.logitBound], dims: []),
            graph.constant([ClassModel.logitBound], dims: []),
          ])
        let prior = graph.constant([log(Double(model.order.count) / total)], dims: [1])
        columns[model.classIndex] = graph.add("Add", [graph.add("Add", [logQ, logit]), prior])
      }
      let any = columns.compactMap { $0 }.first!
      let zero = graph.add("Sub", [any, any])
      let scores = columns.map { $0 ?? graph.add("Add", [zero, graph.constant([-Double.infinity], dims: [1])]) }
      return graph.add("Softmax", [graph.add("Concat", scores, [("axis", .int(1))])], [("axis", .int(1))])
    }
  }
}
