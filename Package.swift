// swift-tools-version: 6.0
import Foundation
import PackageDescription

let package = Package(
    name: "SynthLabel",
    products: [
        .library(name: "SynthLabel", targets: ["SynthLabel"]),
        .executable(name: "synthlabel", targets: ["synthlabel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // libyaml behind a Swift API: tells Markdown front matter (a YAML mapping) from a
        // thematic break followed by prose.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The HTTP service (`synthlabel serve`).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The ledger many servers share (`ledger: postgres://…`).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System libraries from Debian's -dev packages (scripts/setup.sh installs them).
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // SM2/SM3 and Ed25519 through OpenSSL 3, behind plain C calls.
        .target(name: "CTrust", dependencies: ["CLibCrypto"]),
        // Decoding and re-encoding video through FFmpeg's libraries (libavformat-dev, libavcodec-dev,
        // libswscale-dev), behind plain C calls.
        .target(
            name: "CVideo",
            linkerSettings: [
                .linkedLibrary("avformat"), .linkedLibrary("avcodec"), .linkedLibrary("swscale"), .linkedLibrary("swresample"),
                .linkedLibrary("avutil"),
            ]
        ),
        // The only code that may setjmp/longjmp around libpng.
        .target(name: "CPNGSafe", dependencies: ["CLibPNG"]),
        // copy_file_range and syncfs, which Swift's Glibc module does not import.
        .target(name: "CLinuxCalls"),
        .target(
            name: "SynthLabel",
            dependencies: [
                "CPNGSafe", "CSndFile", "CZlib", "CLinuxCalls", "CFreeType", "CTurboJPEG", "CTrust", "CSQLite", "CVideo",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Explicit/Font/OFL.txt"],
            // The caption font and the spoken prompt are compiled into the library, so a copied
            // binary still draws captions and speaks.
            resources: [.embedInCode("Explicit/Font/CaptionFont.otf"), .embedInCode("Explicit/Audio/Voice/SpokenPrompt.wav")]
        ),
        // The ledger in PostgreSQL, for fleets: kept apart so the library itself needs no SwiftNIO.
        .target(
            name: "SynthLabelPostgres",
            dependencies: ["SynthLabel", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        // Pages people look at: `scan --html` and the service's verification page, in English and Chinese.
        .target(
            name: "SynthLabelReports", dependencies: ["SynthLabel"],
            resources: [.embedInCode("Resources/report.js"), .embedInCode("Resources/report.css")]
        ),
        // `synthlabel serve`: the library over HTTP.
        .target(
            name: "SynthLabelService",
            dependencies: [
                "SynthLabel", "SynthLabelPostgres", "SynthLabelReports", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The OpenAPI document GET /openapi.json serves, compiled in.
            resources: [.embedInCode("Resources/openapi.json")]
        ),
        .target(
            name: "SynthLabelCLI",
            dependencies: [
                "SynthLabel", "SynthLabelPostgres", "SynthLabelReports", "SynthLabelService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "synthlabel", dependencies: ["SynthLabelCLI"]),
        // Timing harness for bench/caption-vs-reencode.sh.
        .executableTarget(name: "CaptionBenchmark", dependencies: ["SynthLabel"], path: "Benchmarks/CaptionBenchmark"),
        // Timing harness for bench/watermark-speed.sh.
        .executableTarget(name: "WatermarkBenchmark", dependencies: ["SynthLabel"], path: "Benchmarks/WatermarkBenchmark"),
        .testTarget(
            name: "SynthLabelTests",
            dependencies: [
                "SynthLabel", "SynthLabelCLI", "SynthLabelPostgres", "SynthLabelReports", "SynthLabelService", "synthlabel",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)

// The libFuzzer harness exists only for scripts/fuzz.sh (SYNTHLABEL_FUZZ=1), which builds it
// with -sanitize=fuzzer,address; a normal build neither sees nor needs it.
if ProcessInfo.processInfo.environment["SYNTHLABEL_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "SynthLabelFuzz", dependencies: ["SynthLabel"], path: "Fuzz"))
}
