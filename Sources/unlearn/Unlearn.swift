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
      ServeCommand.self, ExportCommand.self, ReceiptCommand.self,
      WorkerCommand.self,
    ]
  )

  /// Restarts with the OpenBLAS settings that must precede its loading first, when any is missing
  /// (see `OpenBLASSetup`), then parses and runs the command.
  static func main() async {
    OpenBLASSetup.restartIfNeeded()
    await main(nil)
  }
}

enum UnlearnVersion {
  static let current = "0.1.0"
}
