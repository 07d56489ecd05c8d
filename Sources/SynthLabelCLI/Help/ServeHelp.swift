extension CommandHelp {
    /// `synthlabel serve --help`: the configuration and the endpoints.
    static var serve: String {
        CLILanguage.text(
            en: """
                Reads a YAML configuration: where to listen, the ledger (sqlite:PATH or postgres://…), the largest body, \
                how many files are worked on at once, and the bearer tokens with their roles (producer \
                with its ContentProducer codes and keys, platform with its propagator code, auditor).

                Endpoints: POST /v1/label, POST /v1/propagate, POST /v1/verify (the body is the file), \
                GET /v1/ledger/ID, GET /healthz, GET /readyz, and GET /, a page where people drop a file to verify it. Errors are JSON with a stable code. \
                SIGTERM or SIGINT lets requests in flight finish, then exits.

                Example:
                  synthlabel serve --config service.yaml --listen 127.0.0.1:8080
                  curl -H 'Authorization: Bearer …' --data-binary @cat.png \\
                       'http://127.0.0.1:8080/v1/label?producer=001191110102MACQD9K64018705' -o cat-labelled.png
                """,
            zh: """
                读取 YAML 配置：监听地址、日志（sqlite:PATH 或 postgres://…）、请求体上限、同时处理的文件数，\
                以及持有者令牌及其角色（producer 带其 ContentProducer 编码和密钥，platform 带其传播方编码，auditor）。

                接口：POST /v1/label、POST /v1/propagate、POST /v1/verify（请求体即文件），GET /v1/ledger/ID、\
                GET /healthz、GET /readyz，以及供人拖入文件核验的页面 GET /。错误以 JSON 返回，带固定的错误码。\
                收到 SIGTERM 或 SIGINT 时先让处理中的请求完成，再退出。

                示例：
                  synthlabel serve --config service.yaml --listen 127.0.0.1:8080
                  curl -H 'Authorization: Bearer …' --data-binary @cat.png \\
                       'http://127.0.0.1:8080/v1/label?producer=001191110102MACQD9K64018705' -o cat-labelled.png
                """)
    }
}
