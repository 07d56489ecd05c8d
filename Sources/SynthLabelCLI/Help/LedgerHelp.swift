import SynthLabel

extension CommandHelp {
    /// `synthlabel ledger --help`: what each act records, and for how long.
    static var ledger: String {
        CLILanguage.text(
            en: """
                Every 'label' and 'propagate' run records each act in the ledger (an SQLite file, or \
                a PostgreSQL database a fleet shares, given as postgres://USER@HOST/DATABASE): when, \
                which tool and version, who (--operator, else the login name), on which host, the \
                absolute path read and written, the format, the SHA-256 of the whole file before and \
                after (as sha256sum prints it), the seven Annex E fields, the signing key and what \
                the explicit step did. The rules ask for these logs to be kept at least six months \
                (2023 Provisions Art. 16, 2025 Measures Art. 9), so 'prune' never deletes younger ones.

                An act is 'pending' while its file is being renamed into place, 'completed' after; \
                a pending act whose file was labelled again later is 'abandoned'.

                Examples:
                  synthlabel ledger find --produce-id SL20261201T053159Z3F9A0C1B2D4E5F60
                  sha256sum photo.png | synthlabel ledger find --digest "$(cut -c1-16)"
                  synthlabel ledger export --since 2026-06-01 --format csv > acts.csv
                  synthlabel ledger prune --before 2026-01-01
                """,
            zh: """
                每次 'label' 和 'propagate' 运行都把每次操作记入日志（一个 SQLite 文件，或供多台机器共用的 PostgreSQL 数据库，\
                写作 postgres://USER@HOST/DATABASE）：时间、工具及版本、操作人（--operator，否则为登录名）、主机、\
                读写文件的绝对路径、格式、整个文件标识前后的 SHA-256（与 sha256sum 的输出相同）、附录 E 的七个字段、\
                签名密钥以及显式标识一步做了什么。规定要求这些日志至少保存六个月（2023 年《规定》第十六条、\
                2025 年《办法》第九条），因此 'prune' 绝不删除更新的记录。

                文件改名就位期间，操作处于 'pending'（进行中），之后为 'completed'（已完成）；进行中的操作若其文件\
                后来又被重新标识，则为 'abandoned'（已放弃）。

                示例：
                  synthlabel ledger find --produce-id SL20261201T053159Z3F9A0C1B2D4E5F60
                  sha256sum photo.png | synthlabel ledger find --digest "$(cut -c1-16)"
                  synthlabel ledger export --since 2026-06-01 --format csv > acts.csv
                  synthlabel ledger prune --before 2026-01-01
                """)
    }

    /// `synthlabel ledger find --help`.
    static var ledgerFind: String {
        CLILanguage.text(
            en: """
                Give exactly one of the options. Exit status 0 when something matched, 1 when nothing did.
                """,
            zh: """
                选项只能给出其中一个。有匹配时退出状态为 0，无匹配时为 1。
                """)
    }

    /// `synthlabel ledger export --help`: the columns.
    static var ledgerExport: String {
        CLILanguage.text(
            en: """
                Columns, in this order: \(LedgerAct.columns.joined(separator: ", ")).
                """,
            zh: """
                各列依次为：\(LedgerAct.columns.joined(separator: ", "))。
                """)
    }

    /// `synthlabel ledger prune --help`: the six months.
    static var ledgerPrune: String {
        CLILanguage.text(
            en: """
                The date must be at least 180 days and six calendar months in the past; a later \
                one is refused and nothing is deleted (exit status 2).
                """,
            zh: """
                日期必须早于今天至少 180 天且至少六个日历月；更晚的日期会被拒绝，什么也不删除（退出状态 2）。
                """)
    }
}
