import Foundation
import SynthLabel

/// Streams the regular files under the paths given on the command line, depth first,
/// names sorted, each file once.
///
/// Nothing is passed over in silence: a path that does not exist, a folder that cannot be
/// read, a symbolic link not followed and a file reached a second time (a repeated argument,
/// overlapping folders, a hard link) each become a `Notice` for the command to report and
/// count. Names are bytes (`PathBytes`), so a name that is not UTF-8 is walked like any other.
/// Symbolic links are skipped unless asked for; when followed, a directory already entered (by
/// device and inode) is not entered again, so a link loop cannot trap it.
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

        /// The path of the argument this file was found under (the file itself for a file
        /// argument) followed by the path below it: what `--keep-paths` keeps under `--output`,
        /// made relative (no leading `/`, no `.` or `..` parts).
        var argumentPath: String {
            let parts = path.split(separator: "/").filter { $0 != "." && $0 != ".." }
            return parts.joined(separator: "/")
        }
    }

    /// Something the walk passed over, to be reported.
    enum Notice {
        case missing(String)
        case unreadableFolder(String, reason: String)
        case symbolicLink(String)
        case reachedTwice(String, first: String)

        /// Errors fail the run; the others are skips.
        var isError: Bool {
            switch self {
            case .missing, .unreadableFolder: true
            case .symbolicLink, .reachedTwice: false
            }
        }

        var path: String {
            switch self {
            case .missing(let path), .unreadableFolder(let path, _), .symbolicLink(let path), .reachedTwice(let path, _): path
            }
        }

        /// The notice in the command line's language, for lines people read; JSON keeps `message`.
        var messageForPeople: String {
            guard CLILanguage.current == .zh else { return message }
            return switch self {
            case .missing(let path): "\(path)：没有这个文件或目录"
            case .unreadableFolder(let path, let reason): "\(path)：无法读取文件夹：\(reason)"
            case .symbolicLink(let path): "\(path)：符号链接，未跟随"
            case .reachedTwice(let path, let first) where path == first: "\(path)：到达两次（参数重复或重叠），只处理一次"
            case .reachedTwice(let path, let first): "\(path)：与 \(first) 是同一文件（硬链接，或到达两次），只处理一次"
            }
        }

        var message: String {
            switch self {
            case .missing(let path): "\(path): no such file or directory"
            case .unreadableFolder(let path, let reason): "\(path): cannot read the folder: \(reason)"
            case .symbolicLink(let path): "\(path): a symbolic link, not followed"
            case .reachedTwice(let path, let first) where path == first:
                "\(path): reached twice (a repeated or overlapping argument), taken once"
            case .reachedTwice(let path, let first): "\(path): the same file as \(first) (a hard link, or reached twice), taken once"
            }
        }
    }

    private var arguments: [String]
    private var pending: [(path: String, root: String?, identity: FileIdentity?)] = []
    private var directories: [(path: String, root: String)] = []
    /// Folders never entered (the output folder of a labelling run), by device and inode,
    /// so any spelling of the path matches.
    private let excluded: Set<FileIdentity>
    /// What was passed over so far, in walk order; the caller drains it.
    var notices: [Notice] = []
    /// Every file handed out, by identity, with the path it was first reached by.
    private var seen: [FileIdentity: String] = [:]

    private let followsSymlinks: Bool
    private var entered: Set<FileIdentity> = []

    init(_ arguments: [String], excluding excluded: [String] = [], followingSymlinks: Bool = false) {
        self.arguments = arguments.reversed()
        self.excluded = Set(excluded.compactMap(FileIdentity.init(path:)))
        self.followsSymlinks = followingSymlinks
    }

    mutating func next() -> Entry? {
        while true {
            if let file = pending.popLast() {
                if let identity = file.identity {
                    if let first = seen[identity] {
                        notices.append(.reachedTwice(file.path, first: first))
                        continue
                    }
                    seen[identity] = file.path
                }
                return Entry(path: file.path, root: file.root)
            }
            if let directory = directories.popLast() {
                expand(directory.path, root: directory.root)
                continue
            }
            guard let argument = arguments.popLast() else { return nil }
            guard let status = FileSystem.stat(argument) else {
                if errno == ENOENT || errno == ENOTDIR {
                    notices.append(.missing(argument))
                } else {
                    notices.append(.unreadableFolder(argument, reason: String(cString: strerror(errno))))
                }
                continue
            }
            let identity = FileIdentity(status)
            if status.st_mode & S_IFMT == S_IFDIR {
                if followsSymlinks { entered.insert(identity) }
                directories.append((argument, argument))
            } else {
                pending.append((argument, nil, identity))
            }
        }
    }

    private mutating func expand(_ directory: String, root: String) {
        guard let stream = FileSystem.opendir(directory) else {
            notices.append(.unreadableFolder(directory, reason: String(cString: strerror(errno))))
            return
        }
        defer { closedir(stream) }
        var files: [(String, FileIdentity?)] = []
        var subdirectories: [String] = []
        var links: [String] = []
        while let entry = readdir(stream) {
            let name = directoryEntryName(entry)
            if name == "." || name == ".." || name.hasSuffix(".synthlabel-tmp") { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var type = Int32(entry.pointee.d_type)
            var identity: FileIdentity?
            // The identity comes from lstat, not readdir's d_ino, which overlay file systems
            // may number differently from what stat reports for the same file.
            if type == Int32(DT_UNKNOWN) || type == Int32(DT_REG) {
                guard let status = FileSystem.lstat(path) else { continue }
                type = Self.entryType(status)
                identity = FileIdentity(status)
            }
            if type == Int32(DT_LNK) {
                guard followsSymlinks else {
                    links.append(path)
                    continue
                }
                guard let status = FileSystem.stat(path) else { continue }  // a dangling link
                type = Self.entryType(status)
                identity = FileIdentity(status)
            }
            if type == Int32(DT_DIR) {
                if followsSymlinks {
                    guard let identity = FileIdentity(path: path), entered.insert(identity).inserted else { continue }
                }
                if excluded.isEmpty || !excluded.contains(FileIdentity(path: path) ?? FileIdentity(device: 0, inode: 0)) {
                    subdirectories.append(path)
                }
            } else if type == Int32(DT_REG) {
                files.append((path, identity))
            }
        }
        notices += links.sorted().map(Notice.symbolicLink)
        // Stacks pop from the end: push in reverse so the walk runs in name order.
        for subdirectory in subdirectories.sorted().reversed() { directories.append((subdirectory, root)) }
        for (file, identity) in files.sorted(by: { $0.0 < $1.0 }).reversed() { pending.append((file, root, identity)) }
    }

    private static func entryType(_ status: stat) -> Int32 {
        switch status.st_mode & S_IFMT {
        case S_IFDIR: Int32(DT_DIR)
        case S_IFREG: Int32(DT_REG)
        case S_IFLNK: Int32(DT_LNK)
        default: Int32(DT_UNKNOWN)
        }
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

    init(_ status: stat) {
        self.init(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    init?(path: String) {
        guard let status = FileSystem.stat(path) else { return nil }
        self.init(status)
    }
}
