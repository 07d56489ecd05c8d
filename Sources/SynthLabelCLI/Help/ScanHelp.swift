extension CommandHelp {
    /// `synthlabel scan --help`: the walk, the outputs, selection and exit status.
    static var scan: String {
        CLILanguage.text(
            en: """
                Walks the trees (symbolic links are skipped unless --follow-symlinks), verifies every \
                file of a supported format (recognised by content, not by name; other files are \
                counted as skipped) on every core, and reads only the headers and metadata it needs. \
                Results stream as they come, so memory stays flat however many files there are \
                (except with --json, which holds every result for one document).

                Output: the files that are not compliant, then a table by format and verdict \
                (default); --ndjson, one 'verify --json' entry per line; --csv, one row per file; \
                --json, one document with every file and the summary. Throughput goes to stderr, \
                with a progress line while stderr is a terminal. --html FILE also writes a page to \
                look at (with any of them): charts by verdict and format, the checks failed most, \
                and a table of the files that need attention with each file's detail; one \
                self-contained file, in English or Chinese (--lang, else the locale).

                Selection: --include/--exclude globs (without '/': the file name; with '/': the path \
                under the directory argument; repeatable), --files-from FILE or - (one path per \
                line instead of walking), --shard K/N (a stable split by path hash, so N machines \
                can share a store).

                Exit status: 0, or 1 when a file has a verdict named by --fail-on, 2 on usage errors \
                or missing paths.

                Examples:
                  synthlabel scan /data/uploads --fail-on unlabelled,noncompliant
                  find /data -name '*.png' | synthlabel scan --files-from - --ndjson
                  synthlabel scan /data --shard 3/8 --csv > shard3.csv
                  synthlabel scan /data/uploads --html report.html --lang zh --thumbnails
                """,
            zh: """
                遍历目录树（除非给出 --follow-symlinks，否则跳过符号链接），在所有 CPU 核上核验每个受支持格式的文件\
                （按内容而非文件名识别；其他文件计为跳过），只读取所需的文件头和元数据。结果随出随报，\
                因此无论文件多少，内存占用都保持平稳（--json 除外，它要把全部结果放进一个文档）。

                输出：默认先列出不合规的文件，再列出按格式和结论汇总的表格；--ndjson 每行一条 'verify --json' 条目；\
                --csv 每个文件一行；--json 一个含全部文件和汇总的文档。处理速度写到标准错误，标准错误是终端时还显示进度行。\
                --html FILE 另写一个可直接查看的页面（可与上述任一输出同用）：按结论和格式的图表、失败最多的检查、\
                需要处理的文件表格及每个文件的详情；单个自包含文件，中文或英文（--lang，否则取自区域设置）。

                选择：--include/--exclude 通配模式（不含 '/' 时匹配文件名；含 '/' 时匹配目录参数下的路径；可重复），\
                --files-from FILE 或 -（每行一个路径，不再遍历），--shard K/N（按路径散列稳定划分，供 N 台机器分担一个存储）。

                退出状态：0；有文件的结论属于 --fail-on 所列时为 1；用法错误或路径不存在时为 2。

                示例：
                  synthlabel scan /data/uploads --fail-on unlabelled,noncompliant
                  find /data -name '*.png' | synthlabel scan --files-from - --ndjson
                  synthlabel scan /data --shard 3/8 --csv > shard3.csv
                  synthlabel scan /data/uploads --html report.html --lang zh --thumbnails
                """)
    }
}
