import ArgumentParser
import Foundation
import LPJCheck

/// Files the commands read and write for the user (deviation lists, JUnit and other reports), with
/// one-line errors that name the option and the file instead of Foundation's error dumps. A file that
/// cannot be used before the run is a usage error (exit 64); one that cannot be written after it, exit 2.
enum ReportFiles {
    /// Says `message` on one line, without the usage text, and exits 64.
    static func usageError(_ message: String) -> ExitCode {
        printToStandardError("lpj: " + message)
        return ExitCode(64)
    }

    /// The UTF-8 text of `path`; exit 64 when it cannot be read.
    static func read(_ path: String, option: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw usageError(
                "\(option): cannot read \(path): " + (FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw usageError("\(option): \(path) is not UTF-8 text")
        }
        return text
    }

    /// Fails before any work is done when `path` could not be written at the end: its folder is missing
    /// or not writable, or the file exists and is not writable.
    static func checkWritable(_ path: String, option: String) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isFolder) {
            guard !isFolder.boolValue, manager.isWritableFile(atPath: path) else {
                throw usageError("\(option): cannot write \(path): " + (isFolder.boolValue ? "it is a folder" : "permission denied"))
            }
            return
        }
        let folder = (path as NSString).deletingLastPathComponent
        let parent = folder.isEmpty ? "." : folder
        guard manager.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw usageError("\(option): cannot write \(path): no folder \(parent)")
        }
        guard manager.isWritableFile(atPath: parent) else {
            throw usageError("\(option): cannot write \(path): the folder \(parent) is not writable")
        }
    }

    /// Writes `text` to `path`; a one-line error and exit 2 (the run's verdict could not be recorded)
    /// when that fails after all.
    static func write(_ text: String, to path: String, option: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            printToStandardError("lpj: \(option): cannot write \(path): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
            throw ExitCode(2)
        }
    }
}

extension ReportFiles {
    /// Fails before any work is done when the folder `path` could not be written at the end: it is a
    /// file, or not writable, or neither it nor its parent folder exists.
    static func checkWritableFolder(_ path: String, option: String) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue, manager.isWritableFile(atPath: path) else {
                throw usageError("\(option): cannot write into \(path): " + (isFolder.boolValue ? "the folder is not writable" : "it is a file"))
            }
            return
        }
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        let parent = (trimmed as NSString).deletingLastPathComponent
        guard manager.fileExists(atPath: parent.isEmpty ? "." : parent, isDirectory: &isFolder), isFolder.boolValue,
            manager.isWritableFile(atPath: parent.isEmpty ? "." : parent)
        else {
            throw usageError("\(option): cannot create \(path): no writable folder \(parent.isEmpty ? "." : parent)")
        }
    }

    /// Writes `files` (paths relative to `folder`) into `folder`, creating it and its subfolders; a
    /// one-line error and exit 2 when that fails.
    static func write(_ files: [HTMLPage.File], into folder: String, option: String) throws {
        let root = URL(fileURLWithPath: folder, isDirectory: true)
        var path = folder
        do {
            for file in files {
                let url = root.appendingPathComponent(file.path)
                path = url.path
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.text.write(to: url, atomically: true, encoding: .utf8)
            }
        } catch {
            printToStandardError("lpj: \(option): cannot write \(path): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
            throw ExitCode(2)
        }
    }
}
