import ArgumentParser
import LPJServer
import Logging

// The server's choices as command-line arguments: the names are the raw values (`--model event-loop`,
// `--fault split-writes`, `--log-level debug`), and help lists every case. LPJServer itself knows nothing
// of the CLI.
extension ServerModel: ExpressibleByArgument {}
extension ServerFault: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
