import ArgumentParser

/// `kvtable`: the command-line entry point.
@main
struct KVTableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kvtable",
        abstract: "KVTable: the DynamoDB single-table design, embedded on LMDB.",
        subcommands: [
            ServeCommand.self, DemoCommand.self, TablesCommand.self, GetCommand.self, PutCommand.self,
            QueryCommand.self, ScanCommand.self, StatsCommand.self, ExportCommand.self, ImportCommand.self,
            SweepCommand.self, BackupCommand.self, VerifyCommand.self, CopyCommand.self, TrackEventsCommand.self,
        ],
        defaultSubcommand: DemoCommand.self
    )
}
