import ArgumentParser
import UnlearnCore

/// The `unlearn` command: argument parsing only; the work happens in the library modules.
@main
struct Unlearn: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "unlearn",
    abstract: "Train classifiers and remove given training samples from them, with evidence.",
    discussion: """
      Data goes in (CSV, IDX, text TSV), a model is trained by an unlearning strategy, deletion \
      requests remove samples, and the evidence shows the result behaves like retraining without them.
      """,
    version: UnlearnVersion.current,
    subcommands: [
      DemoCommand.self, DataCommand.self, TrainCommand.self, ForgetCommand.self, CompareCommand.self,
      EvaluateCommand.self,
      PredictCommand.self, StateCommand.self, StoreCommand.self, RequestCommand.self, AuditCommand.self,
      ServeCommand.self,
    ]
  )

  /// Restarts on OpenBLAS's faster kernels first when it fell back below what the CPU runs (see
  /// `OpenBLASCore`), then parses and runs the command.
  static func main() async {
    OpenBLASCore.restartIfFallenBack()
    await main(nil)
  }
}

enum UnlearnVersion {
  static let current = "0.1.0"
}
