/// The pages' style and script, compiled in (Resources/), so a report needs nothing beside it.
enum PageAssets {
    static let style = String(decoding: PackageResources.report_css, as: UTF8.self)
    static let script = String(decoding: PackageResources.report_js, as: UTF8.self)
}

extension PageAssets {
    /// A page's start, up to its open `<main>`: the policy, the style under `nonce`, and a
    /// header with `title` and `subtitle` (both escaped here).
    static func head(language: Language, nonce: String, policy: String, title: String, subtitle: String) -> String {
        """
        <!doctype html>
        <html lang="\(language.htmlTag)">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(policy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title))</title>
        <style nonce="\(nonce)">
        \(style)
        </style>
        </head>
        <body>
        <header><h1>\(HTMLText.escape(title))</h1><p class="meta">\(HTMLText.escape(subtitle))</p></header>
        <main>

        """
    }

    /// A page's end: the phrases for the script, the script under `nonce`, and the closing tags.
    static func tail(language: Language, nonce: String) -> String {
        """
        <script type="application/json" id="sl-text">\(HTMLText.scriptJSON(Phrases.all(language)))</script>
        <script nonce="\(nonce)">
        \(script)
        </script>
        </body>
        </html>

        """
    }
}
