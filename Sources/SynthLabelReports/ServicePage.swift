/// The service's own page (`GET /`): drop a file and see its verdict, shown as the scan
/// report shows one file. The auditor token is asked for in the page and kept only in it;
/// the file goes to `POST /v1/verify`, which stores nothing.
public enum ServicePage {
    /// The page in `language`; its script and style run only with `nonce`, which the response's
    /// `Content-Security-Policy` (`contentSecurityPolicy(nonce:)`) names.
    public static func html(language: Language, nonce: String) -> String {
        let text = { (key: String) in HTMLText.escape(Phrases.text(key, language)) }
        return PageAssets.head(
            language: language, nonce: nonce, policy: contentSecurityPolicy(nonce: nonce), title: Phrases.text("service.title", language),
            subtitle: Phrases.text("service.intro", language))
                + """
                <section>
                <form id="verify-form">
                <p><label>\(text("token")) <input id="token" type="password" autocomplete="off" required></label></p>
                <p><label><input id="explicit" type="checkbox"> \(text("explicit.option"))</label></p>
                <div id="drop" class="drop"><label>\(text("choose")) <input id="file" type="file"></label></div>
                </form>
                <p id="status" class="status" aria-live="polite"></p>
                </section>
                <section id="result" hidden tabindex="-1" aria-live="polite"></section>
                </main>
                """ + PageAssets.tail(language: language, nonce: nonce)
    }

    /// The policy the page is served with: its own nonce, requests to its own origin only, and
    /// pictures from the file the page was given (`blob:`).
    public static func contentSecurityPolicy(nonce: String) -> String {
        HTMLText.contentSecurityPolicy(nonce: nonce, connect: "'self'", blobImages: true)
    }

    /// A fresh nonce for one response.
    public static func nonce() -> String { HTMLText.nonce() }
}
