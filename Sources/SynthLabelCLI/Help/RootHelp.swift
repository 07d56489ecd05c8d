import SynthLabel

extension CommandHelp {
    /// `synthlabel --help`: what the tool writes and reads, and its exit status.
    static var root: String {
        CLILanguage.text(
            en: """
                Writes the implicit metadata label of GB 45438-2025 Annex E ({"AIGC":{...}}) into \
                \(Carrier.listed(Carrier.allCases.filter(\.isWritable))) files without touching \
                pixels, samples or other metadata, and verifies labels in files made by any tool.

                Exit status: 0 success, 1 a file failed or is not compliant, 2 usage or I/O error, \
                130 or 143 interrupted (SIGINT, SIGTERM: the files in hand are finished or left as \
                they were, and a rerun carries on). A closed standard output (| head) ends the \
                output, not the work.
                """,
            zh: """
                把 GB 45438-2025 附录 E 规定的隐式元数据标识（{"AIGC":{...}}）写入 \
                \(Carrier.listedForPeople(Carrier.allCases.filter(\.isWritable))) 文件，不改动像素、采样或其他元数据；\
                也核验任何工具所制文件中的标识。

                退出状态：0 成功；1 有文件失败或不合规；2 用法或输入输出错误；130 或 143 被中断（SIGINT、SIGTERM：\
                手头的文件要么完成、要么保持原样，重新运行即可接着做）。标准输出被关闭（| head）只结束输出，不中断工作。
                """)
    }
}
