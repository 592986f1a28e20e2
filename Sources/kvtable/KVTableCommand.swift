import ArgumentParser

/// `kvtable`: the command-line entry point.
@main
struct KVTableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kvtable",
        abstract: "KVTable: the DynamoDB single-table design, embedded on LMDB.",
        subcommands: [DemoCommand.self],
        defaultSubcommand: DemoCommand.self
    )
}
