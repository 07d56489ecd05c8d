import Foundation
import SynthLabel

/// Streams the regular files under the paths given on the command line, depth first,
/// names sorted. Symbolic links are skipped unless asked for; when followed, a directory
/// already entered (by device and inode) is not entered again, so a link loop cannot trap it.
struct FileWalker: Sequence, IteratorProtocol {
    /// A file found, with the directory argument it was found under (nil for a file argument).
    struct Entry {
        var path: String
        var root: String?

        /// Path relative to the directory argument, or the file name for a file argument.
        var relativePath: String {
            guard let root else { return (path as NSString).lastPathComponent }
            let prefix = root.hasSuffix("/") ? root : root + "/"
            return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
        }
    }

    private var arguments: [String]
    private var pending: [(path: String, root: String?)] = []
    private var directories: [(path: String, root: String)] = []
    /// Folders never entered (the output folder of a labelling run), by device and inode,
    /// so any spelling of the path matches.
    private let excluded: Set<FileIdentity>
    /// Command-line arguments that did not exist.
    private(set) var missing: [String] = []
    private(set) var unreadableDirectories: [String] = []

    private let followsSymlinks: Bool
    private var entered: Set<FileIdentity> = []

    init(_ arguments: [String], excluding excluded: [String] = [], followingSymlinks: Bool = false) {
        self.arguments = arguments.reversed()
        self.excluded = Set(excluded.compactMap(FileIdentity.init(path:)))
        self.followsSymlinks = followingSymlinks
    }

    mutating func next() -> Entry? {
        while true {
            if let file = pending.popLast() { return Entry(path: file.path, root: file.root) }
            if let directory = directories.popLast() {
                expand(directory.path, root: directory.root)
                continue
            }
            guard let argument = arguments.popLast() else { return nil }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                missing.append(argument)
                continue
            }
            if isDirectory.boolValue {
                if followsSymlinks, let identity = FileIdentity(path: argument) { entered.insert(identity) }
                directories.append((argument, argument))
            } else {
                pending.append((argument, nil))
            }
        }
    }

    private mutating func expand(_ directory: String, root: String) {
        guard let stream = opendir(directory) else {
            unreadableDirectories.append(directory)
            return
        }
        defer { closedir(stream) }
        var files: [String] = []
        var subdirectories: [String] = []
        while let entry = readdir(stream) {
            let name = directoryEntryName(entry)
            if name == "." || name == ".." || name.hasSuffix(".synthlabel-tmp") { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var type = Int32(entry.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                var status = stat()
                guard lstat(path, &status) == 0 else { continue }
                type =
                    status.st_mode & S_IFMT == S_IFDIR ? Int32(DT_DIR) : status.st_mode & S_IFMT == S_IFREG ? Int32(DT_REG) : Int32(DT_LNK)
            }
            if type == Int32(DT_LNK) && followsSymlinks {
                var status = stat()
                guard stat(path, &status) == 0 else { continue }  // a dangling link
                type = status.st_mode & S_IFMT == S_IFDIR ? Int32(DT_DIR) : status.st_mode & S_IFMT == S_IFREG ? Int32(DT_REG) : type
            }
            if type == Int32(DT_DIR) {
                if followsSymlinks {
                    guard let identity = FileIdentity(path: path), entered.insert(identity).inserted else { continue }
                }
                if excluded.isEmpty || !excluded.contains(FileIdentity(path: path) ?? FileIdentity(device: 0, inode: 0)) {
                    subdirectories.append(path)
                }
            } else if type == Int32(DT_REG) {
                files.append(path)
            }
        }
        // Stacks pop from the end: push in reverse so the walk runs in name order.
        for subdirectory in subdirectories.sorted().reversed() { directories.append((subdirectory, root)) }
        for file in files.sorted().reversed() { pending.append((file, root)) }
    }
}

/// A file's device and inode: the same for every path that names it.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }
}
